//! One-hot encoding of class labels and its inverse, the arg-max of each row.

use ndarray::{Array2, ArrayView2};

use crate::{Error, Float, Result};

/// `labels.len() × n_classes` with a 1 in column `labels[i]` of row `i`.
///
/// ```
/// use cadena::data::one_hot;
/// use cadena::ndarray::array;
///
/// assert_eq!(one_hot::<f64>(&[2, 0], 3)?, array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Data`] naming the first label that is not below `n_classes`.
pub fn one_hot<A: Float>(labels: &[usize], n_classes: usize) -> Result<Array2<A>> {
    let mut y = Array2::zeros((labels.len(), n_classes));
    for (i, &c) in labels.iter().enumerate() {
        if c >= n_classes {
            return Err(Error::Data(format!(
                "label {c} at row {i} is not below n_classes = {n_classes}"
            )));
        }
        y[[i, c]] = A::one();
    }
    Ok(y)
}

/// The column of the largest value in each row (the first one on ties; NaN never wins):
/// predicted classes from scores, probabilities or one-hot rows.
///
/// ```
/// use cadena::data::argmax_rows;
/// use cadena::ndarray::array;
///
/// assert_eq!(argmax_rows(array![[0.1, 0.7, 0.2], [0.9, 0.0, 0.1]].view()), [1, 0]);
/// ```
pub fn argmax_rows<A: Float>(scores: ArrayView2<'_, A>) -> Vec<usize> {
    scores
        .rows()
        .into_iter()
        .map(|row| {
            let mut best = 0;
            for (j, &v) in row.iter().enumerate() {
                if v > row[best] || row[best].is_nan() {
                    best = j;
                }
            }
            best
        })
        .collect()
}
