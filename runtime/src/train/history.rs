//! `History`: what happened in each epoch of a run.

/// The measurements of one epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Learning rate used during the epoch.
    pub lr: f64,
    /// Mean training loss over the epoch's batches, weighted by batch size (measured
    /// while the weights moved, as Keras reports it).
    pub train_loss: f64,
    /// Training-set accuracy at the end of the epoch, when asked for and labels exist.
    pub train_accuracy: Option<f64>,
    /// Validation loss at the end of the epoch, when a validation set was given.
    pub val_loss: Option<f64>,
    /// Validation accuracy at the end of the epoch, when the validation set has labels.
    pub val_accuracy: Option<f64>,
}

/// A training run, epoch by epoch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// One record per completed epoch.
    pub epochs: Vec<EpochRecord>,
    /// The epoch (1-based) with the lowest validation loss, when validating.
    pub best_epoch: Option<usize>,
    /// Whether early stopping (or a callback) ended the run before `epochs`.
    pub stopped_early: bool,
    /// Whether the weights were reset to those of `best_epoch` at the end.
    pub restored_best: bool,
}

impl History {
    /// Training loss per epoch.
    pub fn train_loss(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.train_loss).collect()
    }

    /// Validation loss per epoch (`None` without a validation set).
    pub fn val_loss(&self) -> Vec<Option<f64>> {
        self.epochs.iter().map(|e| e.val_loss).collect()
    }

    /// Training accuracy per epoch.
    pub fn train_accuracy(&self) -> Vec<Option<f64>> {
        self.epochs.iter().map(|e| e.train_accuracy).collect()
    }

    /// Validation accuracy per epoch.
    pub fn val_accuracy(&self) -> Vec<Option<f64>> {
        self.epochs.iter().map(|e| e.val_accuracy).collect()
    }

    /// The last epoch's record.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }
}
