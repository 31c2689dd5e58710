//! Optimisers: rules that turn a gradient into a parameter update.
//!
//! Every optimiser implements [`Optimizer`], whose [`step`](Optimizer::step) works for any
//! [`Parameters`] — a `#[derive(Parameters)]` struct, an ndarray `Array`, or a plain
//! `f32`/`f64`. Per-tensor state (momentum, Adam moments) lives in the optimiser, in
//! [`visit_with_grad`](Parameters::visit_with_grad) order, created on the first step and
//! reused afterwards so a step does not allocate.
//!
//! ```
//! use cadena::optim::{Optimizer, Sgd};
//!
//! let mut w = 1.0_f64;
//! let mut sgd = Sgd::new(0.1)?;
//! sgd.step(&mut w, &2.0)?; // w = w - lr * dL/dw
//! assert_eq!(w, 0.8);
//! # Ok::<(), cadena::Error>(())
//! ```

mod adam;
mod schedule;
mod sgd;
mod state;

pub use adam::{Adam, AdamConfig};
pub use schedule::Schedule;
pub use sgd::{Sgd, SgdConfig};

use crate::{Parameters, Result};

/// A gradient-based update rule.
pub trait Optimizer {
    /// Updates `params` in place from `grads`, a gradient of the same type and shapes.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`](crate::Error::Shape) when a gradient tensor's shape differs from
    /// its parameter's, and [`Error::InvalidConfig`](crate::Error::InvalidConfig) when the
    /// optimiser's state was built for a different model (call
    /// [`reset`](Self::reset) first). On error no parameter has been changed.
    fn step<P: Parameters>(&mut self, params: &mut P, grads: &P) -> Result<()>;

    /// The learning rate the next step will use.
    fn learning_rate(&self) -> f64;

    /// Changes the learning rate (schedules call this between epochs).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) naming `lr` when `lr` is
    /// negative or not finite.
    fn set_learning_rate(&mut self, lr: f64) -> Result<()>;

    /// Forgets all per-tensor state, as if no step had been taken.
    fn reset(&mut self);
}

/// Checks a hyper-parameter and names it and its value when it is out of range.
pub(crate) fn check(name: &'static str, value: f64, ok: bool, expected: &str) -> Result<()> {
    if value.is_finite() && ok {
        Ok(())
    } else {
        Err(crate::Error::InvalidConfig {
            name,
            reason: format!("{value} is not {expected}"),
        })
    }
}

/// Checks a learning rate: finite and non-negative.
pub(crate) fn check_lr(lr: f64) -> Result<()> {
    check("lr", lr, lr >= 0.0, "a finite, non-negative learning rate")
}
