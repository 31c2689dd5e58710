//! Classification metrics: accuracy, the confusion matrix, per-class precision, recall
//! and F1.
//!
//! ```
//! use cadena::metrics::{ConfusionMatrix, accuracy};
//!
//! let truth = [0, 0, 1, 1, 2];
//! let pred = [0, 1, 1, 1, 2];
//! assert_eq!(accuracy(&truth, &pred)?, 0.8);
//! let cm = ConfusionMatrix::new(&truth, &pred, 3)?;
//! assert_eq!(cm.count(0, 1), 1); // one true 0 predicted as 1
//! assert_eq!(cm.precision(1), Some(2.0 / 3.0));
//! # Ok::<(), cadena::Error>(())
//! ```

mod accuracy;
mod confusion;
mod report;

pub use accuracy::{accuracy, accuracy_from_scores};
pub use confusion::ConfusionMatrix;
pub use report::ClassReport;
