//! The shape of a value, kept without the value: the adjoint of a broadcast needs only
//! the shape of the operand it sums back to, so generated code records the shape and the
//! operand's buffer can be consumed in place by the forward pass.

use std::marker::PhantomData;

use ndarray::{Array, ArrayView, Dimension, ShapeBuilder};

use super::operand::{Kind, Operand};
use crate::Float;

/// A value's shape and kind (float or array), usable wherever the value was an operand
/// that only contributes its shape (as `like` in [`sum_to`](super::sum_to)).
///
/// A float's shape (`Ix0`) is `Copy`: generated code passes it by value, as it passes the
/// float.
#[derive(Clone, Copy, Debug)]
pub struct Shape<A, D, K> {
    dim: D,
    zero: [A; 1],
    kind: PhantomData<K>,
}

/// Records `x`'s shape. Takes `x` by value or by reference like any operand; an owned
/// array passed here is dropped, so pass a reference when the value is still needed.
///
/// ```
/// use cadena::ops::tensor::{shape_of, sum_to};
/// use ndarray::{Array1, Array2};
///
/// let b = Array1::<f32>::zeros(3);
/// let like = shape_of(&b);
/// assert_eq!(sum_to(Array2::<f32>::ones((4, 3)), &like), Array1::from_elem(3, 4.0));
/// assert_eq!(sum_to(Array2::<f32>::ones((4, 3)), &shape_of(2.0_f32)), 12.0);
/// ```
pub fn shape_of<X: Operand>(x: X) -> Shape<X::Elem, X::Dim, X::Kind> {
    Shape {
        dim: x.view().raw_dim(),
        zero: [<X::Elem as num_traits::Zero>::zero()],
        kind: PhantomData,
    }
}

/// Whether two shapes are equal, compared in line: `==` on slices calls `memcmp`, which
/// for the one or two lengths of a recurrent cell's rows cost more than the comparison
/// (4 % of an LSTM's gradient).
#[inline(always)]
pub(crate) fn same_shape(a: &[usize], b: &[usize]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

impl<A: Float, D: Dimension, K: Kind> Shape<A, D, K> {
    /// A read-only view of zeros with the recorded shape, allocating nothing.
    fn zeros(&self) -> ArrayView<'_, A, D> {
        let strides = D::zeros(self.dim.ndim());
        ArrayView::from_shape(self.dim.clone().strides(strides), &self.zero)
            .expect("zero strides index one element")
    }
}

impl<A: Float, D: Dimension, K: Kind> Operand for Shape<A, D, K> {
    type Elem = A;
    type Dim = D;
    type Kind = K;
    fn view(&self) -> ArrayView<'_, A, D> {
        self.zeros()
    }
    fn into_buffer(self) -> Result<Array<A, D>, Self> {
        Err(self)
    }
    fn scalar(&self) -> A {
        <A as num_traits::Zero>::zero()
    }
}

impl<A: Float, D: Dimension, K: Kind> Operand for &Shape<A, D, K> {
    type Elem = A;
    type Dim = D;
    type Kind = K;
    fn view(&self) -> ArrayView<'_, A, D> {
        self.zeros()
    }
    fn into_buffer(self) -> Result<Array<A, D>, Self> {
        Err(self)
    }
    fn scalar(&self) -> A {
        <A as num_traits::Zero>::zero()
    }
}
