//! `TrainConfig`: everything about a run that is not the model, the data or the optimiser.

use crate::optim::{Schedule, check};
use crate::{Error, Result};

/// How to train. The defaults are Keras's `fit` defaults where they apply (32-row batches,
/// shuffled every epoch), with a fixed seed so runs repeat.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Passes over the training set, `>= 1`.
    pub epochs: usize,
    /// Rows per mini-batch, `>= 1`; the last batch of an epoch may be smaller.
    pub batch_size: usize,
    /// Seed of the shuffle: the only source of randomness in the loop.
    pub seed: u64,
    /// Visit the training rows in a new random order every epoch.
    pub shuffle: bool,
    /// Stop after this many epochs without a validation-loss improvement and restore the
    /// best weights (needs a validation set).
    pub patience: Option<usize>,
    /// How much the validation loss must drop to count as an improvement, `>= 0`.
    pub min_delta: f64,
    /// Learning rate per epoch, relative to the optimiser's rate when `fit` starts.
    pub schedule: Schedule,
    /// Show a progress bar on stderr. It stays hidden anyway when stderr is not a
    /// terminal, the `CI` environment variable is set, or the `progress` Cargo feature
    /// (on by default) is off.
    pub progress: bool,
    /// Measure accuracy on the training set after each epoch (one extra forward pass over
    /// it with the prediction function). Ignored for sets without labels.
    pub train_accuracy: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 32,
            seed: 0,
            shuffle: true,
            patience: None,
            min_delta: 0.0,
            schedule: Schedule::Constant,
            progress: true,
            train_accuracy: true,
        }
    }
}

impl TrainConfig {
    /// Checks every field's range.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the first field out of range (`epochs`,
    /// `batch_size`, `min_delta`, `patience`, or a schedule parameter) and its value.
    pub fn validate(&self) -> Result<()> {
        check("epochs", self.epochs as f64, self.epochs >= 1, "at least 1")?;
        check(
            "batch_size",
            self.batch_size as f64,
            self.batch_size >= 1,
            "at least 1",
        )?;
        check(
            "min_delta",
            self.min_delta,
            self.min_delta >= 0.0,
            "non-negative",
        )?;
        if self.patience == Some(0) {
            return Err(Error::InvalidConfig {
                name: "patience",
                reason: "0 would stop after the first epoch; use None to disable early stopping"
                    .into(),
            });
        }
        self.schedule.validate()
    }
}
