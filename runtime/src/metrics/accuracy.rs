//! Accuracy: the fraction of examples whose predicted class is the true one.

use ndarray::ArrayView2;

use crate::data::argmax_rows;
use crate::{Error, Float, Result};

/// The fraction of positions where `pred` equals `truth`.
///
/// # Errors
///
/// [`Error::Data`] when the slices differ in length or are empty.
pub fn accuracy(truth: &[usize], pred: &[usize]) -> Result<f64> {
    if truth.len() != pred.len() || truth.is_empty() {
        return Err(Error::Data(format!(
            "accuracy needs equally long, non-empty label lists, got {} and {}",
            truth.len(),
            pred.len()
        )));
    }
    let hits = truth.iter().zip(pred).filter(|(t, p)| t == p).count();
    Ok(hits as f64 / truth.len() as f64)
}

/// Accuracy of the arg-max of each row of `scores` (logits or probabilities).
///
/// ```
/// use cadena::metrics::accuracy_from_scores;
/// use cadena::ndarray::array;
///
/// let scores = array![[2.0, 1.0], [0.0, 3.0], [5.0, 4.0]];
/// assert_eq!(accuracy_from_scores(scores.view(), &[0, 1, 1])?, 2.0 / 3.0);
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
///
/// As [`accuracy`], comparing the number of rows with the number of labels.
pub fn accuracy_from_scores<A: Float>(scores: ArrayView2<'_, A>, truth: &[usize]) -> Result<f64> {
    accuracy(truth, &argmax_rows(scores))
}
