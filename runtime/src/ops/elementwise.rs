//! Elementwise functions: the same name works on a float and, applied to every element,
//! on an ndarray array, so a `#[differentiable]` body compiles as ordinary Rust. The
//! prelude exports every function here; adding an activation is its scalar kernel in
//! [`scalar`] and one function below.

use ndarray::{Array, ArrayBase, Data, Dimension};

use super::scalar;
use crate::Float;

/// A value an elementwise function can be applied to: a float or an array of floats.
pub trait Elementwise {
    /// The element type.
    type Elem: Float;
    /// What applying a function elementwise gives (a float, or an owned array).
    type Output;
    /// Applies `f` to every element.
    fn map_elems<F: Fn(Self::Elem) -> Self::Elem>(self, f: F) -> Self::Output;
}

// Any `Float`, not only `f32` and `f64` by name: a body generic over `T: Float` is
// ordinary Rust too.
impl<T: Float> Elementwise for T {
    type Elem = T;
    type Output = T;
    #[inline(always)]
    fn map_elems<F: Fn(T) -> T>(self, f: F) -> T {
        f(self)
    }
}

impl<A: Float, S: Data<Elem = A>, D: Dimension> Elementwise for ArrayBase<S, D> {
    type Elem = A;
    type Output = Array<A, D>;
    fn map_elems<F: Fn(A) -> A>(self, f: F) -> Array<A, D> {
        self.mapv(f)
    }
}

impl<A: Float, S: Data<Elem = A>, D: Dimension> Elementwise for &ArrayBase<S, D> {
    type Elem = A;
    type Output = Array<A, D>;
    fn map_elems<F: Fn(A) -> A>(self, f: F) -> Array<A, D> {
        self.mapv(f)
    }
}

/// The logistic function, elementwise. See [`scalar::sigmoid`].
///
/// ```
/// assert_eq!(cadena::ops::sigmoid(0.0_f32), 0.5);
/// ```
pub fn sigmoid<X: Elementwise>(x: X) -> X::Output {
    x.map_elems(scalar::sigmoid)
}

/// Hyperbolic tangent, elementwise.
///
/// ```
/// assert_eq!(cadena::ops::tanh(0.0_f64), 0.0);
/// ```
pub fn tanh<X: Elementwise>(x: X) -> X::Output {
    x.map_elems(num_traits::Float::tanh)
}

/// `max(x, 0)`, elementwise. See [`scalar::relu`].
///
/// ```
/// assert_eq!(cadena::ops::relu(-1.0_f64), 0.0);
/// ```
pub fn relu<X: Elementwise>(x: X) -> X::Output {
    x.map_elems(scalar::relu)
}

/// `ln(1 + e^x)`, elementwise and stable. See [`scalar::softplus`].
///
/// ```
/// assert_eq!(cadena::ops::softplus(1000.0_f64), 1000.0);
/// ```
pub fn softplus<X: Elementwise>(x: X) -> X::Output {
    x.map_elems(scalar::softplus)
}

/// `x / (1 + |x|)`, elementwise. See [`scalar::softsign`].
///
/// ```
/// assert_eq!(cadena::ops::softsign(1.0_f64), 0.5);
/// ```
pub fn softsign<X: Elementwise>(x: X) -> X::Output {
    x.map_elems(scalar::softsign)
}

/// `e^x`, elementwise.
///
/// ```
/// assert_eq!(cadena::ops::exp(0.0_f64), 1.0);
/// ```
pub fn exp<X: Elementwise>(x: X) -> X::Output {
    x.map_elems(num_traits::Float::exp)
}

/// Natural logarithm, elementwise.
///
/// ```
/// assert_eq!(cadena::ops::ln(1.0_f64), 0.0);
/// ```
pub fn ln<X: Elementwise>(x: X) -> X::Output {
    x.map_elems(num_traits::Float::ln)
}

/// Square root, elementwise.
///
/// ```
/// assert_eq!(cadena::ops::sqrt(4.0_f64), 2.0);
/// ```
pub fn sqrt<X: Elementwise>(x: X) -> X::Output {
    x.map_elems(num_traits::Float::sqrt)
}
