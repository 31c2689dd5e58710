//! Learning-rate schedules: the learning rate as a function of the epoch.

use std::f64::consts::PI;

use super::check;
use crate::Result;

/// How the learning rate changes from epoch to epoch. The training loop sets
/// `lr = schedule.lr(base_lr, epoch)` before each epoch (epochs count from 0).
///
/// ```
/// use cadena::optim::Schedule;
///
/// let step = Schedule::StepDecay { every: 10, gamma: 0.5 };
/// assert_eq!(step.lr(0.1, 9), 0.1);
/// assert_eq!(step.lr(0.1, 10), 0.05);
/// let cos = Schedule::Cosine { epochs: 10, min_lr: 0.0 };
/// assert!((cos.lr(0.1, 5) - 0.05).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Schedule {
    /// The base learning rate throughout.
    #[default]
    Constant,
    /// `lr = base · gamma^⌊epoch / every⌋`.
    StepDecay {
        /// Epochs between decays, `>= 1`.
        every: usize,
        /// Factor applied at each decay, in `(0, 1]`.
        gamma: f64,
    },
    /// Cosine annealing from `base` at epoch 0 to `min_lr` at epoch `epochs`, then flat:
    /// `lr = min + (base - min)·(1 + cos(π·epoch/epochs))/2`.
    Cosine {
        /// Length of the annealing, `>= 1`.
        epochs: usize,
        /// The final learning rate, `>= 0`.
        min_lr: f64,
    },
}

impl Schedule {
    /// The learning rate for `epoch` (0-based) given the optimiser's base rate.
    pub fn lr(&self, base: f64, epoch: usize) -> f64 {
        match *self {
            Schedule::Constant => base,
            Schedule::StepDecay { every, gamma } => {
                let k = i32::try_from(epoch / every.max(1)).unwrap_or(i32::MAX);
                base * gamma.powi(k)
            }
            Schedule::Cosine { epochs, min_lr } => {
                let t = epoch.min(epochs) as f64 / epochs.max(1) as f64;
                min_lr + (base - min_lr) * 0.5 * (1.0 + (PI * t).cos())
            }
        }
    }

    /// Checks the schedule's own parameters.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) naming `every`, `gamma`,
    /// `epochs` or `min_lr` when out of the ranges documented on each variant.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Schedule::Constant => Ok(()),
            Schedule::StepDecay { every, gamma } => {
                check("every", every as f64, every >= 1, "at least 1")?;
                check("gamma", gamma, gamma > 0.0 && gamma <= 1.0, "in (0, 1]")
            }
            Schedule::Cosine { epochs, min_lr } => {
                check("epochs", epochs as f64, epochs >= 1, "at least 1")?;
                check("min_lr", min_lr, min_lr >= 0.0, "non-negative")
            }
        }
    }
}
