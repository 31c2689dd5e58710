//! The functions forward code calls: the same names work on `f32`, `f64` and ndarray
//! arrays, so a `#[differentiable]` body compiles as ordinary Rust.

mod dropout;
pub mod elementwise;
pub mod lanes;
#[cfg(test)]
mod loss_references;
pub mod scalar;
pub mod tensor;

use ndarray::{Array, ArrayBase, ArrayView, Data, Dimension};

pub use dropout::dropout_mask;
pub use elementwise::*;
pub use tensor::{
    avg_pool1d, avg_pool2d, conv1d, conv2d, cross_entropy, dot, log_softmax, max_pool1d,
    max_pool2d, mean, softmax, softmax_cross_entropy, sum,
};

use crate::Float;

/// A prediction and a target a loss can compare.
pub trait Loss<Y = Self> {
    /// The loss value's type.
    type Output;
    /// Binary cross-entropy; see [`scalar::bce`].
    fn bce(self, y: Y) -> Self::Output;
    /// Squared error; see [`scalar::mse`].
    fn mse(self, y: Y) -> Self::Output;
}

// Any `Float`: a body generic over `T: Float` is ordinary Rust too.
impl<T: Float> Loss for T {
    type Output = T;
    #[inline(always)]
    fn bce(self, y: T) -> T {
        scalar::bce(self, y)
    }
    #[inline(always)]
    fn mse(self, y: T) -> T {
        scalar::mse(self, y)
    }
}

/// Array losses are means over all elements of the prediction and target broadcast
/// together; see [`tensor::bce`] and [`tensor::mse`].
impl<A: Float, D: Dimension, Y: tensor::Operand<Elem = A>> Loss<Y> for Array<A, D> {
    type Output = A;
    fn bce(self, y: Y) -> A {
        tensor::bce(self, y)
    }
    fn mse(self, y: Y) -> A {
        tensor::mse(self, y)
    }
}

/// As for owned arrays: means over all elements.
impl<A: Float, D: Dimension, Y: tensor::Operand<Elem = A>> Loss<Y> for ArrayView<'_, A, D> {
    type Output = A;
    fn bce(self, y: Y) -> A {
        tensor::bce(self, y)
    }
    fn mse(self, y: Y) -> A {
        tensor::mse(self, y)
    }
}

/// As for owned arrays: means over all elements.
impl<A: Float, S: Data<Elem = A>, D: Dimension, Y: tensor::Operand<Elem = A>> Loss<Y>
    for &ArrayBase<S, D>
{
    type Output = A;
    fn bce(self, y: Y) -> A {
        tensor::bce(self, y)
    }
    fn mse(self, y: Y) -> A {
        tensor::mse(self, y)
    }
}

/// Binary cross-entropy of a probability against a target. See [`scalar::bce`]; on
/// arrays, the mean over all elements ([`tensor::bce`]).
///
/// ```
/// use ndarray::array;
///
/// assert!((cadena::ops::bce(0.5_f64, 0.0) - 2f64.ln()).abs() < 1e-15);
/// let l = cadena::ops::bce(&array![0.5_f64, 0.5], &array![0.0, 1.0]);
/// assert!((l - 2f64.ln()).abs() < 1e-15);
/// ```
pub fn bce<A: Loss<Y>, Y>(a: A, y: Y) -> A::Output {
    a.bce(y)
}

/// Squared error. See [`scalar::mse`]; on arrays, the mean over all elements
/// ([`tensor::mse`]).
///
/// ```
/// use ndarray::array;
///
/// assert_eq!(cadena::ops::mse(1.0_f64, 3.0), 4.0);
/// assert_eq!(cadena::ops::mse(array![1.0_f32, 3.0], &array![1.0, 1.0]), 2.0);
/// ```
pub fn mse<A: Loss<Y>, Y>(a: A, y: Y) -> A::Output {
    a.mse(y)
}
