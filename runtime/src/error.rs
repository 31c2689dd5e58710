//! The crate's error type: one enum for everything a user's input can get wrong. The
//! variants of optional parts (audio, checkpoints, plots) exist only with their Cargo
//! feature; the enum is `#[non_exhaustive]`, so a feature that adds one breaks no match.

use std::path::PathBuf;

/// Everything that can go wrong at run time in cadena, with the offending value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O failure on a named file.
    #[error("{path}: {source}")]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
    /// An audio file that could not be decoded.
    #[cfg(feature = "audio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "audio")))]
    #[error("{path}: {reason}")]
    Audio {
        /// The file being decoded.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// A configuration or hyper-parameter outside its valid range.
    #[error("invalid {name}: {reason}")]
    InvalidConfig {
        /// The parameter's name, as the user wrote it (`lr`, `n_fft`, ...).
        name: &'static str,
        /// What was wrong, with the value.
        reason: String,
    },
    /// Arrays whose shapes do not fit the operation.
    #[error("shape mismatch in {op}: {left:?} vs {right:?}")]
    Shape {
        /// The operation that failed.
        op: &'static str,
        /// Shape of the first operand.
        left: Vec<usize>,
        /// Shape of the second operand.
        right: Vec<usize>,
    },
    /// A data set that cannot be used as given (empty, unknown class, ...).
    #[error("data: {0}")]
    Data(String),
    /// A checkpoint that does not match the model it is loaded into.
    #[cfg(feature = "checkpoint")]
    #[cfg_attr(docsrs, doc(cfg(feature = "checkpoint")))]
    #[error("checkpoint {path}: {reason}")]
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// Which tensors were missing or mis-shaped.
        reason: String,
    },
    /// Training produced a non-finite loss.
    #[error(
        "loss became {loss} at epoch {epoch}, batch {batch}; weights kept from the last finite step"
    )]
    NonFinite {
        /// The offending loss value.
        loss: f64,
        /// 1-based epoch.
        epoch: usize,
        /// 0-based batch within the epoch.
        batch: usize,
    },
    /// Training produced a non-finite gradient while the loss was still finite.
    #[error(
        "gradient of `{tensor}` became non-finite at epoch {epoch}, batch {batch} (loss {loss}); weights kept from the last finite step"
    )]
    NonFiniteGradient {
        /// Field path of the first tensor with a NaN or infinite element.
        tensor: String,
        /// The (finite) loss of that batch.
        loss: f64,
        /// 1-based epoch.
        epoch: usize,
        /// 0-based batch within the epoch.
        batch: usize,
    },
    /// The gradient or the prediction function panicked inside
    /// [`fit`](crate::train::fit) or [`evaluate`](crate::train::evaluate), most often on
    /// parameters whose shapes do not fit the data. The run stopped there; the
    /// parameters keep the weights of the last completed step.
    #[error("{function} panicked on {set} batch {batch}{}: {message}", of_epoch(.epoch))]
    Step {
        /// `"the gradient function"` or `"the prediction function"`.
        function: &'static str,
        /// Which data the batch came from: `"training"`, `"validation"` or
        /// `"evaluation"`.
        set: &'static str,
        /// 1-based epoch; `None` in [`evaluate`](crate::train::evaluate).
        epoch: Option<usize>,
        /// 0-based batch within the pass over that data.
        batch: usize,
        /// The panic's message, e.g. `dot: shapes [4, 3] and [5, 2] do not chain (a · b:
        /// inner lengths 3 and 5)`.
        message: String,
    },
    /// A plot could not be drawn or written.
    #[cfg(feature = "plot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "plot")))]
    #[error("plot {path}: {reason}")]
    Plot {
        /// The image file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

/// ` of epoch 3` after a batch number, or nothing outside an epoch.
fn of_epoch(epoch: &Option<usize>) -> String {
    epoch.map_or_else(String::new, |e| format!(" of epoch {e}"))
}

/// `Result` with cadena's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
