//! The element types cadena computes with: `f32` and `f64`.

use ndarray::{Array, ArrayView, IxDyn, NdFloat};
use num_traits::{FloatConst, FromPrimitive};

/// A floating-point element type (`f32` or `f64`): everything the ops, optimisers and
/// feature extractors need from a number, in one bound.
pub trait Float: NdFloat
    + FromPrimitive
    + FloatConst
    + Default
    + crate::ops::tensor::Operand<Elem = Self, Dim = ndarray::Ix0, Kind = crate::ops::tensor::Scalar>
    + crate::Parameters<Elem = Self>
{
    /// Converts an `f64` constant into this type (rounding to nearest for `f32`).
    fn of(x: f64) -> Self;
    /// Widens to `f64`, exactly.
    fn to_f64_lossless(self) -> f64;

    /// Runtime kernels that do not depend on the caller's closures, reached through the
    /// element type so that `f32`'s and `f64`'s are compiled once, in cadena, rather than
    /// in every crate whose generated code calls them (a release rebuild compiles only
    /// the model's own code). Not for use outside cadena.
    #[doc(hidden)]
    fn reduce_to(g: ArrayView<'_, Self, IxDyn>, shape: &[usize]) -> Array<Self, IxDyn> {
        crate::ops::tensor::reduce_view(g, shape)
    }
}

impl Float for f32 {
    #[inline(never)]
    fn reduce_to(g: ArrayView<'_, Self, IxDyn>, shape: &[usize]) -> Array<Self, IxDyn> {
        crate::ops::tensor::reduce_view(g, shape)
    }

    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to_f64_lossless(self) -> f64 {
        f64::from(self)
    }
}

impl Float for f64 {
    #[inline(never)]
    fn reduce_to(g: ArrayView<'_, Self, IxDyn>, shape: &[usize]) -> Array<Self, IxDyn> {
        crate::ops::tensor::reduce_view(g, shape)
    }

    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f64_lossless(self) -> f64 {
        self
    }
}
