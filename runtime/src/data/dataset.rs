//! `Dataset`: features, targets and (for classification) the class of every row.

use ndarray::{Array2, Axis};

use super::one_hot;
use crate::{Error, Float, Result};

/// A data set: one row of `x` per example, with its target row in `y`.
///
/// For classification `y` is the one-hot encoding of `labels`; for regression `labels`
/// is `None` and `y` holds the targets themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset<A> {
    /// Features, `n × features`.
    pub x: Array2<A>,
    /// Targets, `n × outputs` (one-hot for classification).
    pub y: Array2<A>,
    /// The class of each row, for classification.
    pub labels: Option<Vec<usize>>,
}

impl<A: Float> Dataset<A> {
    /// A classification set: `y` becomes the one-hot encoding of `labels`.
    ///
    /// ```
    /// use cadena::data::Dataset;
    /// use cadena::ndarray::array;
    ///
    /// let d = Dataset::classification(array![[0.0_f32], [1.0]], vec![1, 0], 3)?;
    /// assert_eq!(d.y, array![[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]);
    /// # Ok::<(), cadena::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Data`] when `labels` and `x` differ in length or a label is not below
    /// `n_classes`.
    pub fn classification(x: Array2<A>, labels: Vec<usize>, n_classes: usize) -> Result<Self> {
        if labels.len() != x.nrows() {
            return Err(Error::Data(format!(
                "{} labels for {} feature rows",
                labels.len(),
                x.nrows()
            )));
        }
        let y = one_hot(&labels, n_classes)?;
        Ok(Self {
            x,
            y,
            labels: Some(labels),
        })
    }

    /// A regression set (or any targets given directly).
    ///
    /// # Errors
    ///
    /// [`Error::Data`] when `x` and `y` have different numbers of rows.
    pub fn regression(x: Array2<A>, y: Array2<A>) -> Result<Self> {
        if y.nrows() != x.nrows() {
            return Err(Error::Data(format!(
                "{} target rows for {} feature rows",
                y.nrows(),
                x.nrows()
            )));
        }
        Ok(Self { x, y, labels: None })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of features per example.
    pub fn n_features(&self) -> usize {
        self.x.ncols()
    }

    /// The rows at `indices`, in that order.
    ///
    /// # Panics
    ///
    /// If an index is out of bounds.
    pub fn select(&self, indices: &[usize]) -> Self {
        Self {
            x: self.x.select(Axis(0), indices),
            y: self.y.select(Axis(0), indices),
            labels: self
                .labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
        }
    }
}
