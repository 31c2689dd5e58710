//! A check the macro emits for each parameter struct a `#[differentiable]` function takes:
//! its arrays' float type must be the one the function computes in. Without it, a model
//! of `f64` parameters fed `f32` data fails deep inside the generated code ("type mismatch
//! resolving `<Tensor as Kind>::Wrap<f32, ..>`"); with it, the first error is on the
//! argument's type and names both float types.

use crate::{Float, Parameters};

/// Implemented when a model's element type `Self` is the function's float type `F`.
#[diagnostic::on_unimplemented(
    message = "this model's parameters are `{Self}`, but the #[differentiable] function computes in `{F}`",
    label = "a model of `{Self}` parameters",
    note = "a #[differentiable] function computes in one float type: give the struct's arrays the function's float type, or the function the struct's (its data and return type)"
)]
pub trait ParametersIn<F> {}

impl<F: Float> ParametersIn<F> for F {}

/// Compiles only when `P`'s parameters are `F`s.
pub fn parameters_in<P, F>()
where
    P: Parameters + ?Sized,
    P::Elem: ParametersIn<F>,
{
}
