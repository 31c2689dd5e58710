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
