//! The confusion matrix: counts of (true class, predicted class) pairs.

use std::fmt;

use ndarray::Array2;

use super::ClassReport;
use crate::{Error, Result};

/// `counts[[t, p]]` is the number of examples of true class `t` predicted as `p`.
///
/// Its [`Display`](fmt::Display) is an aligned table, rows true classes and columns
/// predictions:
///
/// ```
/// use cadena::metrics::ConfusionMatrix;
///
/// let cm = ConfusionMatrix::new(&[0, 0, 1, 1], &[0, 1, 1, 1], 2)?
///     .with_class_names(["cat", "dog"])?;
/// assert_eq!(cm.to_string(), "\
/// true \\ pred  cat  dog
///         cat    1    1
///         dog    0    2
/// ");
/// # Ok::<(), cadena::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix {
    counts: Array2<usize>,
    names: Vec<String>,
}

impl ConfusionMatrix {
    /// Counts `(truth[i], pred[i])` pairs over `n_classes` classes named `0`, `1`, ...
    ///
    /// # Errors
    ///
    /// [`Error::Data`] when the slices differ in length or a class is not below
    /// `n_classes`.
    pub fn new(truth: &[usize], pred: &[usize], n_classes: usize) -> Result<Self> {
        if truth.len() != pred.len() {
            return Err(Error::Data(format!(
                "confusion matrix needs equally long label lists, got {} and {}",
                truth.len(),
                pred.len()
            )));
        }
        let mut counts = Array2::zeros((n_classes, n_classes));
        for (i, (&t, &p)) in truth.iter().zip(pred).enumerate() {
            if t >= n_classes || p >= n_classes {
                return Err(Error::Data(format!(
                    "example {i} has true class {t} and prediction {p}; classes must be below {n_classes}"
                )));
            }
            counts[[t, p]] += 1;
        }
        Ok(Self {
            counts,
            names: (0..n_classes).map(|c| c.to_string()).collect(),
        })
    }

    /// Names the classes for display.
    ///
    /// # Errors
    ///
    /// [`Error::Data`] when the number of names differs from the number of classes.
    pub fn with_class_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.len() != self.n_classes() {
            return Err(Error::Data(format!(
                "{} class names for {} classes",
                names.len(),
                self.n_classes()
            )));
        }
        self.names = names;
        Ok(self)
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.counts.nrows()
    }

    /// The class names, in class order.
    pub fn class_names(&self) -> &[String] {
        &self.names
    }

    /// All counts, `[true, predicted]`.
    pub fn counts(&self) -> &Array2<usize> {
        &self.counts
    }

    /// Examples of class `truth` predicted as `pred`.
    ///
    /// # Panics
    ///
    /// If either class is not below [`n_classes`](Self::n_classes).
    pub fn count(&self, truth: usize, pred: usize) -> usize {
        self.counts[[truth, pred]]
    }

    /// Total number of examples.
    pub fn total(&self) -> usize {
        self.counts.sum()
    }

    /// Fraction on the diagonal; `None` with no examples.
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.counts.diag().sum(), self.total())
    }

    /// Of the examples predicted as class `c`, the fraction that are; `None` when none were.
    ///
    /// # Panics
    ///
    /// If `c` is not below [`n_classes`](Self::n_classes).
    pub fn precision(&self, c: usize) -> Option<f64> {
        ratio(self.counts[[c, c]], self.counts.column(c).sum())
    }

    /// Of the examples of class `c`, the fraction predicted as `c`; `None` when there are none.
    ///
    /// # Panics
    ///
    /// If `c` is not below [`n_classes`](Self::n_classes).
    pub fn recall(&self, c: usize) -> Option<f64> {
        ratio(self.counts[[c, c]], self.counts.row(c).sum())
    }

    /// Harmonic mean of precision and recall of class `c` (`Some(0)` when both are 0).
    ///
    /// # Panics
    ///
    /// If `c` is not below [`n_classes`](Self::n_classes).
    pub fn f1(&self, c: usize) -> Option<f64> {
        let (p, r) = (self.precision(c)?, self.recall(c)?);
        Some(if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        })
    }

    /// Precision, recall, F1 and support of every class.
    pub fn report(&self) -> Vec<ClassReport> {
        (0..self.n_classes())
            .map(|c| ClassReport {
                name: self.names[c].clone(),
                precision: self.precision(c),
                recall: self.recall(c),
                f1: self.f1(c),
                support: self.counts.row(c).sum(),
            })
            .collect()
    }
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl fmt::Display for ConfusionMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const CORNER: &str = "true \\ pred";
        let label_w = self
            .names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .max(CORNER.len());
        let widest_count = self.counts.iter().max().map_or(1, |m| m.to_string().len());
        let col_w: Vec<usize> = self
            .names
            .iter()
            .map(|n| n.chars().count().max(widest_count))
            .collect();
        write!(f, "{CORNER:>label_w$}")?;
        for (name, w) in self.names.iter().zip(&col_w) {
            write!(f, "  {name:>w$}")?;
        }
        writeln!(f)?;
        for (t, name) in self.names.iter().enumerate() {
            write!(f, "{name:>label_w$}")?;
            for (p, w) in col_w.iter().enumerate() {
                write!(f, "  {:>w$}", self.counts[[t, p]])?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
