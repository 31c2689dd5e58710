//! Keep-dims plumbing: [`insert_axis`] gives a reduced array back a length-1 axis, so
//! per-row statistics broadcast against the rows they came from (`x - mean` in a layer
//! norm); [`remove_axis`] is its adjoint.

use ndarray::{Array, Axis, Dimension, RemoveAxis};

use super::operand::Operand;

/// `x` with a new axis of length 1 at `axis`.
///
/// # Panics
///
/// If `axis` is greater than `x`'s rank.
///
/// ```
/// use cadena::ops::tensor::insert_axis;
/// use ndarray::{array, Axis};
///
/// let row_means = array![1.0_f64, 2.0];
/// let column = insert_axis(&row_means, Axis(1));
/// assert_eq!(column, array![[1.0], [2.0]]);
/// assert_eq!(&array![[1.0, 3.0], [2.0, 4.0]] - &column, array![[0.0, 2.0], [0.0, 2.0]]);
/// ```
pub fn insert_axis<X: Operand>(x: X, axis: Axis) -> Array<X::Elem, <X::Dim as Dimension>::Larger> {
    x.view().insert_axis(axis).to_owned()
}

/// `g` without its length-1 axis `axis`: the adjoint of [`insert_axis`].
///
/// # Panics
///
/// If `axis` is out of range or its length is not 1.
///
/// ```
/// use cadena::ops::tensor::remove_axis;
/// use ndarray::{array, Axis};
///
/// assert_eq!(remove_axis(&array![[1.0_f64], [2.0]], Axis(1)), array![1.0, 2.0]);
/// ```
pub fn remove_axis<G>(g: G, axis: Axis) -> Array<G::Elem, <G::Dim as Dimension>::Smaller>
where
    G: Operand,
    G::Dim: RemoveAxis,
{
    let v = g.view();
    assert_eq!(
        v.len_of(axis),
        1,
        "remove_axis: axis {} has length {}, not 1",
        axis.index(),
        v.len_of(axis)
    );
    v.index_axis_move(axis, 0).to_owned()
}
