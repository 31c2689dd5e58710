//! Standardisation to zero mean and unit variance, fitted on training data only.

use ndarray::{Array1, Array2, Axis};

use super::Splits;
use crate::{Error, Float, Result};

/// Per-feature mean and standard deviation learnt from training data.
///
/// Fit on the training set only and apply the same numbers to validation and test sets:
/// fitting on all data would leak their statistics into training. Features with zero
/// variance are centred but not scaled.
///
/// ```
/// use cadena::data::Standardizer;
/// use cadena::ndarray::array;
///
/// let train = array![[1.0, 10.0], [3.0, 10.0]];
/// let s = Standardizer::fit(&train)?;
/// assert_eq!(s.transform(&train)?, array![[-1.0, 0.0], [1.0, 0.0]]);
/// assert_eq!(s.transform(&array![[5.0, 11.0]])?, array![[3.0, 1.0]]);
/// # Ok::<(), cadena::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer<A> {
    /// Mean of each feature.
    pub mean: Array1<A>,
    /// Population standard deviation of each feature (1 where it was 0).
    pub std: Array1<A>,
}

impl<A: Float> Standardizer<A> {
    /// Learns each column's mean and standard deviation.
    ///
    /// # Errors
    ///
    /// [`Error::Data`] when `x` has no rows or a non-finite value.
    pub fn fit(x: &Array2<A>) -> Result<Self> {
        if x.nrows() == 0 {
            return Err(Error::Data("cannot fit a standardizer on zero rows".into()));
        }
        if let Some(pos) = x.iter().position(|v| !v.is_finite()) {
            let (r, c) = (pos / x.ncols(), pos % x.ncols());
            return Err(Error::Data(format!(
                "non-finite feature at row {r}, column {c}"
            )));
        }
        let mean = x.mean_axis(Axis(0)).expect("at least one row");
        let std = x
            .std_axis(Axis(0), A::zero())
            .mapv(|s| if s > A::zero() { s } else { A::one() });
        Ok(Self { mean, std })
    }

    /// `(x - mean) / std`, column by column.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] when `x` has a different number of columns than the fitted data.
    pub fn transform(&self, x: &Array2<A>) -> Result<Array2<A>> {
        let mut out = x.clone();
        self.transform_inplace(&mut out)?;
        Ok(out)
    }

    /// [`transform`](Self::transform) in place.
    ///
    /// # Errors
    ///
    /// As [`transform`](Self::transform).
    pub fn transform_inplace(&self, x: &mut Array2<A>) -> Result<()> {
        if x.ncols() != self.mean.len() {
            return Err(Error::Shape {
                op: "Standardizer::transform (columns)",
                left: vec![self.mean.len()],
                right: vec![x.ncols()],
            });
        }
        for mut row in x.rows_mut() {
            row -= &self.mean;
            row /= &self.std;
        }
        Ok(())
    }

    /// Applies these statistics to the features of all three splits.
    ///
    /// # Errors
    ///
    /// As [`transform`](Self::transform).
    pub fn apply_to_splits(&self, splits: &mut Splits<A>) -> Result<()> {
        self.transform_inplace(&mut splits.train.x)?;
        self.transform_inplace(&mut splits.validation.x)?;
        self.transform_inplace(&mut splits.test.x)
    }
}
