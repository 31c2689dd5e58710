//! Softmax and log-softmax along the last axis (each row of a matrix is one
//! distribution), computed max-subtracted so no input overflows, and their VJPs.

use ndarray::{Array, ArrayView, ArrayViewMut1, Axis, RemoveAxis, Zip};

use num_traits::{Float as _, Zero};

use super::operand::Operand;
use crate::Float;

/// The last axis of an array of rank `ndim`.
pub(crate) fn last(ndim: usize, op: &str) -> Axis {
    assert!(
        ndim > 0,
        "{op}: needs at least one axis, got a 0-dimensional array"
    );
    Axis(ndim - 1)
}

/// The operand's buffer to compute in: its own if it owns one, otherwise a copy.
pub(crate) fn owned<X: Operand>(x: X) -> Array<X::Elem, X::Dim> {
    match x.into_buffer() {
        Ok(buf) => buf,
        Err(x) => x.view().to_owned(),
    }
}

/// The rows of a standard-layout array as slices of its last axis, or `None` for another
/// layout (or a 0-dimensional array). A classifier's logits have a few classes per row,
/// so per-lane iterator bookkeeping costs as much as the arithmetic; slices do not.
pub(crate) fn rows<'a, A>(
    values: Option<&'a [A]>,
    shape: &[usize],
) -> Option<std::slice::ChunksExact<'a, A>> {
    let width = *shape.last()?;
    (width > 0).then_some(())?;
    Some(values?.chunks_exact(width))
}

/// [`rows`], mutably.
pub(crate) fn rows_mut<'a, A>(
    values: Option<&'a mut [A]>,
    shape: &[usize],
) -> Option<std::slice::ChunksExactMut<'a, A>> {
    let width = *shape.last()?;
    (width > 0).then_some(())?;
    Some(values?.chunks_exact_mut(width))
}

/// Overwrites `row` with `softmax(row)`.
pub(crate) fn softmax_row<A: Float>(row: &mut [A]) {
    let m = row.iter().fold(A::neg_infinity(), |m, &v| m.max(v));
    let mut s = A::zero();
    for v in row.iter_mut() {
        *v = super::fast::exp(*v - m);
        s += *v;
    }
    let r = s.recip();
    row.iter_mut().for_each(|v| *v *= r);
}

/// `ln Σ e^v` over `row`, as [`log_sum_exp`].
pub(crate) fn log_sum_exp_row<A: Float>(row: &[A]) -> A {
    let m = row.iter().fold(A::neg_infinity(), |m, &v| m.max(v));
    if m == A::neg_infinity() {
        return m;
    }
    m + row
        .iter()
        .fold(A::zero(), |s, &v| s + super::fast::exp(v - m))
        .ln()
}

/// Overwrites `lane` with `softmax(lane)`.
pub(crate) fn softmax_lane<A: Float>(mut lane: ArrayViewMut1<'_, A>) {
    let m = lane.fold(A::neg_infinity(), |m, &v| m.max(v));
    let mut s = A::zero();
    // The vectorisable exp (within 1.2 ulp for f32): softmax is the hot loop of a
    // classifier's backward pass.
    lane.map_inplace(|v| {
        *v = super::fast::exp(*v - m);
        s += *v;
    });
    let r = s.recip();
    lane.map_inplace(|v| *v *= r);
}

/// `ln Σ e^v` over `lane`, as `max + ln Σ e^(v - max)`: finite for any finite inputs.
pub(crate) fn log_sum_exp<A: Float>(lane: ArrayView<'_, A, ndarray::Ix1>) -> A {
    let m = lane.fold(A::neg_infinity(), |m, &v| m.max(v));
    if m == A::neg_infinity() {
        return m;
    }
    m + lane
        .fold(A::zero(), |s, &v| s + super::fast::exp(v - m))
        .ln()
}

/// Softmax along the last axis: `softmax(x)_i = e^(x_i - max x) / Σ_j e^(x_j - max x)`,
/// so rows of a matrix each sum to 1. Finite for any finite input. An owned argument is
/// overwritten in place.
///
/// ```text
/// softmax(x)_i = e^(x_i - m) / Σ_j e^(x_j - m),   m = max_j x_j
/// ```
///
/// # Panics
///
/// For a 0-dimensional dynamic array (no last axis).
///
/// ```
/// use cadena::ops::tensor::softmax;
/// use ndarray::array;
///
/// let p = softmax(&array![[0.0_f64, 0.0], [1e4, -1e4]]);
/// assert_eq!(p, array![[0.5, 0.5], [1.0, 0.0]]);
/// ```
pub fn softmax<X>(x: X) -> Array<X::Elem, X::Dim>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let mut out = owned(x);
    let ax = last(out.ndim(), "softmax");
    let shape = out.shape().to_vec();
    match rows_mut(out.as_slice_mut(), &shape) {
        Some(rows) => rows.for_each(softmax_row),
        None => out.lanes_mut(ax).into_iter().for_each(softmax_lane),
    }
    out
}

/// Log-softmax along the last axis: `x_i - ln Σ_j e^(x_j)` computed as
/// `x_i - m - ln Σ_j e^(x_j - m)` (log-sum-exp), exact where `ln(softmax(x))` would give
/// `-inf`. An owned argument is overwritten in place.
///
/// # Panics
///
/// For a 0-dimensional dynamic array (no last axis).
///
/// ```
/// use cadena::ops::tensor::log_softmax;
/// use ndarray::array;
///
/// let lp = log_softmax(&array![1e4_f64, -1e4]);
/// assert_eq!(lp, array![0.0, -2e4]);
/// ```
pub fn log_softmax<X>(x: X) -> Array<X::Elem, X::Dim>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let mut out = owned(x);
    let ax = last(out.ndim(), "log_softmax");
    for mut lane in out.lanes_mut(ax) {
        let lse = log_sum_exp(lane.view());
        lane.map_inplace(|v| *v -= lse);
    }
    out
}

pub(crate) fn same_shape(op: &str, a: &[usize], b: &[usize]) {
    assert!(a == b, "{op}: shapes differ: {a:?} vs {b:?}");
}

/// The VJP of [`softmax`]: given `p = softmax(x)` and `g = dL/dp`, returns `dL/dx`
/// (written into `g` when it is owned).
///
/// ```text
/// dL/dx = p * (g - Σ_last(g * p))     (the sum keeps its axis and broadcasts back)
/// ```
///
/// # Panics
///
/// If `p` and `g` have different shapes.
///
/// ```
/// use cadena::ops::tensor::{softmax, softmax_vjp};
/// use ndarray::array;
///
/// let p = softmax(&array![1.0_f64, 2.0, 3.0]);
/// // A gradient that is the same for every class changes nothing:
/// let dx = softmax_vjp(&p, array![1.0, 1.0, 1.0]);
/// assert!(dx.iter().all(|v| v.abs() < 1e-15));
/// ```
pub fn softmax_vjp<P, G>(p: P, g: G) -> Array<G::Elem, G::Dim>
where
    P: Operand,
    G: Operand<Elem = P::Elem, Dim = P::Dim>,
    P::Dim: RemoveAxis,
{
    let p = p.view();
    let mut out = owned(g);
    same_shape("softmax_vjp", p.shape(), out.shape());
    let ax = last(out.ndim(), "softmax_vjp");
    Zip::from(out.lanes_mut(ax))
        .and(p.lanes(ax))
        .for_each(|mut g, p| {
            let s = g
                .iter()
                .zip(p.iter())
                .fold(P::Elem::zero(), |s, (&g, &p)| s + g * p);
            g.zip_mut_with(&p, |g, &p| *g = p * (*g - s));
        });
    out
}

/// The VJP of [`log_softmax`]: given `lp = log_softmax(x)` and `g = dL/dlp`, returns
/// `dL/dx` (written into `g` when it is owned).
///
/// ```text
/// dL/dx = g - e^lp * Σ_last g
/// ```
///
/// # Panics
///
/// If `lp` and `g` have different shapes.
///
/// ```
/// use cadena::ops::tensor::{log_softmax, log_softmax_vjp};
/// use ndarray::array;
///
/// let lp = log_softmax(&array![0.0_f64, 0.0]);
/// assert_eq!(log_softmax_vjp(&lp, array![1.0, 0.0]), array![0.5, -0.5]);
/// ```
pub fn log_softmax_vjp<P, G>(lp: P, g: G) -> Array<G::Elem, G::Dim>
where
    P: Operand,
    G: Operand<Elem = P::Elem, Dim = P::Dim>,
    P::Dim: RemoveAxis,
{
    let lp = lp.view();
    let mut out = owned(g);
    same_shape("log_softmax_vjp", lp.shape(), out.shape());
    let ax = last(out.ndim(), "log_softmax_vjp");
    Zip::from(out.lanes_mut(ax))
        .and(lp.lanes(ax))
        .for_each(|mut g, lp| {
            let s = g.sum();
            g.zip_mut_with(&lp, |g, &lp| *g -= lp.exp() * s);
        });
    out
}
