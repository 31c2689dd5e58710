//! Per-step values a generated loop collects (`outs.push(h.clone())` in the body) and
//! their joins after it (`stack(Axis(1), &outs)`), with the adjoints that split a joined
//! gradient back into one array per step for the loop's backward run.

use ndarray::{Array, Axis, Dimension, RemoveAxis};

use super::join::{concatenate, len_of, stack};
use super::operand::Operand;
use super::pool;

/// One value per loop step, owned (`Vec<X>`) or borrowed (`&Vec<X>`, `&[X]`): how
/// generated code hands a pushed `Vec` or its adjoint to the joins below.
pub trait Steps {
    /// One step's value.
    type Item: Operand;
    /// The values, first step first.
    fn steps(&self) -> &[Self::Item];
}

impl<X: Operand> Steps for Vec<X> {
    type Item = X;
    fn steps(&self) -> &[X] {
        self
    }
}

impl<X: Operand> Steps for &Vec<X> {
    type Item = X;
    fn steps(&self) -> &[X] {
        self
    }
}

impl<X: Operand> Steps for &[X] {
    type Item = X;
    fn steps(&self) -> &[X] {
        self
    }
}

type Elem<S> = <<S as Steps>::Item as Operand>::Elem;
type Dim<S> = <<S as Steps>::Item as Operand>::Dim;

/// [`stack`] of the values a loop pushed, one per step, along a new `axis`.
///
/// ```
/// use cadena::ops::tensor::stack_seq;
/// use ndarray::{array, Axis};
/// let outs = vec![array![1.0_f64, 2.0], array![3.0, 4.0]];
/// assert_eq!(stack_seq(&outs, Axis(1)), array![[1.0, 3.0], [2.0, 4.0]]);
/// ```
#[track_caller]
pub fn stack_seq<S: Steps>(parts: S, axis: Axis) -> Array<Elem<S>, <Dim<S> as Dimension>::Larger> {
    stack(axis, parts.steps())
}

/// [`concatenate`] of the values a loop pushed, one per step, along `axis`.
///
/// ```
/// use cadena::ops::tensor::concatenate_seq;
/// use ndarray::{array, Axis};
/// let outs = vec![array![[1.0_f64], [2.0]], array![[3.0], [4.0]]];
/// assert_eq!(concatenate_seq(&outs, Axis(1)), array![[1.0, 3.0], [2.0, 4.0]]);
/// ```
#[track_caller]
pub fn concatenate_seq<S: Steps>(parts: S, axis: Axis) -> Array<Elem<S>, Dim<S>> {
    concatenate(axis, parts.steps())
}

/// The gradient of [`stack_seq`] split back into one array per step: the subviews of
/// `g` along `axis`, copied into buffers from the [`pool`].
///
/// ```
/// use cadena::ops::tensor::unstack_seq;
/// use ndarray::{array, Axis};
/// let g = array![[1.0_f64, 3.0], [2.0, 4.0]];
/// assert_eq!(unstack_seq(&g, Axis(1)), vec![array![1.0, 2.0], array![3.0, 4.0]]);
/// ```
#[track_caller]
pub fn unstack_seq<G>(g: G, axis: Axis) -> Vec<Array<G::Elem, <G::Dim as Dimension>::Smaller>>
where
    G: Operand,
    G::Dim: RemoveAxis,
{
    let v = g.view();
    if axis.index() >= v.ndim() {
        panic!("unstack_seq: {axis:?} out of range for g {:?}", v.shape());
    }
    v.axis_iter(axis)
        .map(|step| {
            let mut out = pool::array(step.raw_dim());
            out.assign(&step);
            out
        })
        .collect()
}

/// The gradient of [`concatenate_seq`] split back into each step's slab, as long along
/// `axis` as that step's value in `parts`.
///
/// ```
/// use cadena::ops::tensor::unconcatenate_seq;
/// use ndarray::{array, Axis};
/// let outs = vec![array![[0.0_f64], [0.0]], array![[0.0, 0.0], [0.0, 0.0]]];
/// let g = array![[1.0_f64, 3.0, 5.0], [2.0, 4.0, 6.0]];
/// let parts = unconcatenate_seq(&g, Axis(1), &outs);
/// assert_eq!(parts, vec![array![[1.0], [2.0]], array![[3.0, 5.0], [4.0, 6.0]]]);
/// ```
#[track_caller]
pub fn unconcatenate_seq<G, S>(g: G, axis: Axis, parts: S) -> Vec<Array<G::Elem, G::Dim>>
where
    G: Operand,
    S: Steps,
{
    let v = g.view();
    let lens: Vec<usize> = parts.steps().iter().map(|p| len_of(p, axis)).collect();
    let total: usize = lens.iter().sum();
    if axis.index() >= v.ndim() || total != v.len_of(axis) {
        panic!(
            "unconcatenate_seq: the steps' lengths {lens:?} along {axis:?} do not make g {:?}",
            v.shape()
        );
    }
    let mut start = 0;
    lens.iter()
        .map(|&len| {
            let slab = v.slice_axis(axis, ndarray::Slice::from(start..start + len));
            start += len;
            let mut out = pool::array(slab.raw_dim());
            out.assign(&slab);
            out
        })
        .collect()
}
