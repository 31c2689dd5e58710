//! Data handling: labelled data sets, train/validation/test splits, standardisation
//! fitted on training data only, one-hot encoding and mini-batching.
//!
//! ```
//! use cadena::data::{Dataset, SplitConfig, Standardizer};
//! use cadena::ndarray::Array2;
//!
//! let x = Array2::from_shape_fn((100, 3), |(i, j)| (i * 3 + j) as f64);
//! let labels: Vec<usize> = (0..100).map(|i| i % 2).collect();
//! let data = Dataset::classification(x, labels, 2)?;
//! let mut splits = data.split(&SplitConfig { validation: 0.2, test: 0.1, ..Default::default() })?;
//! assert_eq!((splits.train.len(), splits.validation.len(), splits.test.len()), (70, 20, 10));
//! Standardizer::fit(&splits.train.x)?.apply_to_splits(&mut splits)?;
//! # Ok::<(), cadena::Error>(())
//! ```

mod batch;
mod dataset;
mod onehot;
mod split;
mod standardize;

pub use batch::{Batch, Batches};
pub use dataset::Dataset;
pub use onehot::{argmax_rows, one_hot};
pub use split::{SplitConfig, Splits};
pub use standardize::Standardizer;
