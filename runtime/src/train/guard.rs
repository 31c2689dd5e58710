//! Calls of the user's gradient and prediction functions that come back as
//! [`Error::Step`] when they panic. A mismatch between the parameters' shapes and the
//! data panics inside generated code (`dot: shapes [4, 3] and [5, 2] do not chain ...`),
//! and `fit` returns a `Result`: the message belongs in it, with the batch that raised it,
//! rather than unwinding through the caller.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::{Error, Result};

/// Where in a run the user's functions are being called, as [`Error::Step`] names it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site {
    /// `"training"`, `"validation"` or `"evaluation"`.
    set: &'static str,
    /// 1-based, `None` outside `fit`.
    epoch: Option<usize>,
}

impl Site {
    /// Batches of `set` (`"training"` or `"validation"`) in epoch `epoch` of `fit`.
    pub(crate) fn in_epoch(set: &'static str, epoch: usize) -> Self {
        Self {
            set,
            epoch: Some(epoch),
        }
    }

    /// Chunks of the data set [`evaluate`](super::evaluate) was given.
    pub(crate) fn evaluation() -> Self {
        Self {
            set: "evaluation",
            epoch: None,
        }
    }

    /// Runs `call`, `function`'s call on batch `batch`; a panic becomes [`Error::Step`].
    ///
    /// Unwind safety is asserted, not proven: the functions get the parameters by shared
    /// reference and the optimizer has not stepped, so what a panic can leave half-written
    /// is the caller's own closure state, and the run ends with the error.
    pub(crate) fn call<T>(
        self,
        function: &'static str,
        batch: usize,
        call: impl FnOnce() -> T,
    ) -> Result<T> {
        catch_unwind(AssertUnwindSafe(call)).map_err(|payload| Error::Step {
            function,
            set: self.set,
            epoch: self.epoch,
            batch,
            message: message(payload.as_ref()),
        })
    }
}

/// The text a panic was raised with (`panic!` gives a `&str` or a `String`).
fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_step_error_with_its_message_and_where() {
        let e = Site::in_epoch("validation", 3)
            .call("the gradient function", 2, || -> f64 {
                panic!("dot: shapes {:?} and {:?} do not chain", [4, 3], [5, 2])
            })
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the gradient function panicked on validation batch 2 of epoch 3: \
             dot: shapes [4, 3] and [5, 2] do not chain"
        );
        let e = Site::evaluation()
            .call("the prediction function", 0, || -> u8 {
                panic!("a literal")
            })
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the prediction function panicked on evaluation batch 0: a literal"
        );
        let e = Site::evaluation()
            .call("the gradient function", 0, || -> u8 {
                std::panic::panic_any(7_u8)
            })
            .unwrap_err();
        assert!(
            e.to_string().ends_with(": a panic without a message"),
            "{e}"
        );
    }

    #[test]
    fn a_call_that_returns_passes_its_value_through() {
        let site = Site::in_epoch("training", 1);
        assert_eq!(site.call("the gradient function", 0, || 1.5).unwrap(), 1.5);
    }
}
