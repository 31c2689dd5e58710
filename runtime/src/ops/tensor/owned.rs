//! Gradients handed to the user are owned values in standard (row-major) layout, whatever
//! form the backward pass computed them in: the gradient of a weight used as `w.t()` is a
//! transpose, and a gradient may be an input passed through unchanged. Optimisers read
//! parameters and gradients as contiguous slices in one order, so layout matters too.

use super::operand::{Kind, Operand, Out1};
use super::softmax::owned_standard;

/// `x` as an owned, row-major value: a float stays a float, an owned row-major array is
/// returned as is, anything else (a view, a reference, a transposed array) is copied once.
///
/// ```
/// use cadena::ndarray::array;
/// use cadena::ops::tensor::{owned, t};
/// let w = array![[1.0_f32, 2.0], [3.0, 4.0]];
/// let g = owned(t(&w)); // a transposed view becomes a row-major array
/// assert!(g.is_standard_layout());
/// assert_eq!(g, array![[1.0, 3.0], [2.0, 4.0]]);
/// assert_eq!(owned(2.5_f64), 2.5);
/// ```
pub fn owned<X: Operand>(x: X) -> Out1<X> {
    X::Kind::wrap(x, |x| x.scalar(), owned_standard)
}

/// Stores `owned(value)` in `slot` and gives the value it replaces back to the buffer
/// [`pool`](super::pool): how a generated gradient fills the fields of a struct made by
/// `Parameters::zeros_like`, so the zeros' buffers serve the next step.
///
/// ```
/// use cadena::ndarray::{Array2, array};
/// use cadena::ops::tensor::put;
/// let mut slot = Array2::<f64>::zeros((1, 2));
/// put(&mut slot, array![[1.0, 2.0]]);
/// assert_eq!(slot, array![[1.0, 2.0]]);
/// let mut x = 0.0_f32;
/// put(&mut x, 3.0_f32);
/// assert_eq!(x, 3.0);
/// ```
pub fn put<X: Operand>(slot: &mut Out1<X>, value: X)
where
    Out1<X>: Operand,
{
    std::mem::replace(slot, owned(value)).recycle();
}

/// `None` of the owned type of `x` ([`owned`]'s): the slot a generated loop keeps its
/// carried array in, typed from the start so that a loop inside the body can read it.
///
/// ```
/// use cadena::ndarray::{Array2, array};
/// use cadena::ops::tensor::none_like;
/// let start = array![[1.0_f32]];
/// let slot: Option<Array2<f32>> = none_like(&start.view());
/// assert!(slot.is_none());
/// ```
pub fn none_like<X: Operand>(_x: &X) -> Option<Out1<X>> {
    None
}

/// A carried value as a loop's step reads it: a float by value, an array as a view
/// ([`Kind::Look`]).
#[inline(always)]
pub fn look<X: Operand>(x: &X) -> <X::Kind as Kind>::Look<'_, X::Elem, X::Dim> {
    <X::Kind as Kind>::look(x)
}

/// Stores `value` in `slot` and gives the value it held, if any, back to the buffer
/// [`pool`](super::pool) ([`Operand::recycle`]): how a generated loop moves on to the next
/// carried value once nothing reads the previous one.
///
/// ```
/// use cadena::ndarray::array;
/// use cadena::ops::tensor::replace;
/// let mut slot = None;
/// replace(&mut slot, Some(array![1.0_f32]));
/// replace(&mut slot, Some(array![2.0_f32]));
/// assert_eq!(slot, Some(array![2.0]));
/// ```
pub fn replace<X: Operand>(slot: &mut Option<X>, value: Option<X>) {
    if let Some(old) = std::mem::replace(slot, value) {
        old.recycle();
    }
}
