//! The training loop: mini-batches with seeded shuffling, epochs, validation, early
//! stopping with best-weights restore, a [`History`] of the run, and a progress bar (with
//! the `progress` feature).
//!
//! The loop sees a model only through two functions — the gradient function the
//! `#[differentiable]` macro generated (adapted to `(loss, gradient)` by a one-line
//! closure) and a prediction function — so it trains a bare `f64`, an ndarray `Array` or
//! a `#[derive(Parameters)]` struct alike.
//!
//! ```
//! use cadena::data::Dataset;
//! use cadena::ndarray::{Array2, ArrayView2};
//! use cadena::optim::Sgd;
//! use cadena::train::{TrainConfig, fit};
//!
//! // Fit y = 3x with a single weight and mean squared error.
//! let x = Array2::from_shape_fn((64, 1), |(i, _)| i as f64 / 64.0);
//! let data = Dataset::regression(x.clone(), &x * 3.0)?;
//! let grad = |w: &f64, x: ArrayView2<f64>, y: ArrayView2<f64>| {
//!     let err = x.mapv(|v| v * w) - y;
//!     let n = err.len() as f64;
//!     (err.mapv(|e| e * e).sum() / n, 2.0 * (&err * &x).sum() / n)
//! };
//! let predict = |w: &f64, x: ArrayView2<f64>| x.mapv(|v| v * w);
//! let mut w = 0.0;
//! let config = TrainConfig { epochs: 50, batch_size: 16, progress: false, ..Default::default() };
//! let history = fit(&mut w, &mut Sgd::new(0.5)?, &data, None, &config, grad, predict)?;
//! assert!((w - 3.0).abs() < 1e-3);
//! assert!(history.epochs.last().unwrap().train_loss < 1e-6);
//! # Ok::<(), cadena::Error>(())
//! ```
//!
//! # Reproducibility
//!
//! All randomness in the loop (the per-epoch shuffle) comes from one `StdRng` seeded with
//! [`TrainConfig::seed`]; batches are visited and summed in a fixed order and nothing runs
//! in parallel, so the same seed, data, initial weights and functions give bitwise
//! identical weights.

mod config;
mod evaluate;
mod fit;
mod guard;
mod history;

pub use config::TrainConfig;
pub use evaluate::{Evaluation, evaluate};
pub use fit::{Flow, Trainer, fit};
pub use history::{EpochRecord, History};
