//! Reductions (`sum`, `mean`, along an axis or over everything) and the shape plumbing
//! of their gradients: [`sum_to`] folds a broadcast gradient back onto its operand,
//! [`broadcast_to`] and [`broadcast_axis_to`] spread a reduced gradient over the input.

use ndarray::{Array, ArrayView, Axis, Dimension, IxDyn, RemoveAxis};

use super::fast::vectorised;
use super::map::{broadcast, map1};
use super::operand::{Kind, Like, Operand};
use super::pool;
use super::shape::same_shape;
use crate::Float;

/// The sum of every element (a float is its own sum; an empty array sums to 0).
///
/// ```
/// use cadena::ops::tensor::sum;
/// use ndarray::array;
///
/// assert_eq!(sum(&array![[1.0_f64, 2.0], [3.0, 4.0]]), 10.0);
/// assert_eq!(sum(2.5_f32), 2.5);
/// ```
pub fn sum<X: Operand>(x: X) -> X::Elem {
    x.view().sum()
}

/// The mean of every element. An empty array gives NaN (0 / 0).
///
/// ```
/// use cadena::ops::tensor::mean;
/// use ndarray::{array, Array1};
///
/// assert_eq!(mean(&array![1.0_f32, 2.0, 3.0, 6.0]), 3.0);
/// assert!(mean(&Array1::<f64>::zeros(0)).is_nan());
/// ```
pub fn mean<X: Operand>(x: X) -> X::Elem {
    let v = x.view();
    v.sum() / X::Elem::of(v.len() as f64)
}

/// Sums along `axis`, removing it. An empty axis gives zeros.
///
/// # Panics
///
/// If `axis` is out of range for `x`.
///
/// ```
/// use cadena::ops::tensor::sum_axis;
/// use ndarray::{array, Axis};
///
/// let x = array![[1.0_f64, 2.0], [3.0, 4.0]];
/// assert_eq!(sum_axis(&x, Axis(0)), array![4.0, 6.0]);
/// assert_eq!(sum_axis(&x, Axis(1)), array![3.0, 7.0]);
/// ```
pub fn sum_axis<X>(x: X, axis: Axis) -> Array<X::Elem, <X::Dim as Dimension>::Smaller>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let out = summed_axis(x.view(), axis);
    x.recycle();
    out
}

/// The sum along `axis` into a pool array (ndarray's `sum_axis` would allocate at every
/// step), added lane by lane in the axis's order.
fn summed_axis<A: Float, D: RemoveAxis>(
    v: ArrayView<'_, A, D>,
    axis: Axis,
) -> Array<A, D::Smaller> {
    let mut out = pool::zeros(v.raw_dim().remove_axis(axis));
    for lane in v.axis_iter(axis) {
        out += &lane;
    }
    out
}

/// Averages along `axis`, removing it. An empty axis gives NaN in every position (where
/// `ndarray`'s `mean_axis` would return `None`).
///
/// # Panics
///
/// If `axis` is out of range for `x`.
///
/// ```
/// use cadena::ops::tensor::mean_axis;
/// use ndarray::{array, Axis};
///
/// let x = array![[1.0_f32, 2.0], [3.0, 4.0]];
/// assert_eq!(mean_axis(&x, Axis(0)), array![2.0, 3.0]);
/// ```
pub fn mean_axis<X>(x: X, axis: Axis) -> Array<X::Elem, <X::Dim as Dimension>::Smaller>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let v = x.view();
    let n = X::Elem::of(v.len_of(axis) as f64);
    let sums = summed_axis(v, axis);
    x.recycle();
    map1(sums, |s| s / n)
}

/// Sums the gradient `g` of a broadcast result back to the shape of the operand `like`
/// was (the adjoint of broadcasting): over leading axes `like` lacks and over axes where
/// `like` has length 1. Returns `like`'s type: an array of its rank, or a float (the
/// total) when `like` is a float. When `g` is an owned array that already has `like`'s
/// shape it is returned as is, without copying.
///
/// ```text
/// z = x + b,  x: [n, k],  b: [k]   =>   dL/db = sum_to(dL/dz, b) = column sums, shape [k]
/// ```
///
/// # Panics
///
/// If `like`'s shape does not broadcast to `g`'s: `sum_to: cannot reduce [2, 3] to [4]`.
///
/// ```
/// use cadena::ops::tensor::sum_to;
/// use ndarray::{array, Array2};
///
/// let g = Array2::<f64>::ones((4, 3));
/// assert_eq!(sum_to(&g, &array![0.0, 0.0, 0.0]), array![4.0, 4.0, 4.0]);
/// assert_eq!(sum_to(&g, &array![[0.0], [0.0], [0.0], [0.0]]), array![[3.0], [3.0], [3.0], [3.0]]);
/// assert_eq!(sum_to(&g, 0.5), 12.0);
/// ```
#[track_caller]
pub fn sum_to<G, L>(g: G, like: L) -> Like<L>
where
    G: Operand,
    L: Operand<Elem = G::Elem>,
{
    // Checked here, not in the closure below, which cannot track its caller.
    check_reducible(g.view().shape(), like.view().shape());
    <L::Kind as Kind>::wrap(
        (g, like),
        |(g, _)| sum(g),
        |(g, like)| sum_to_shape::<_, L::Dim, _>(g, like.view().shape()),
    )
}

fn sum_to_shape<A: Float, D: Dimension, G: Operand<Elem = A>>(
    g: G,
    shape: &[usize],
) -> Array<A, D> {
    let g = match g.into_buffer() {
        Ok(buf) if same_shape(buf.shape(), shape) => {
            return buf.into_dimensionality().expect("same shape, same rank");
        }
        Ok(buf) => buf.into_dyn(),
        Err(g) => {
            let v = g.view();
            if same_shape(v.shape(), shape) {
                // Nothing to sum: a copy, at the static rank (no dynamic-rank detour).
                if let Ok(v) = v.view().into_dimensionality::<D>() {
                    return pool::copy(&v);
                }
            }
            return into_rank(A::reduce_to(v.into_dyn(), shape));
        }
    };
    let out = into_rank(A::reduce_to(g.view(), shape));
    pool::recycle(g);
    out
}

/// The common case of a bias's adjoint: a contiguous gradient summed over its leading axes
/// into the trailing `shape`, one pass over memory. (ndarray's `sum_axis` on a dynamic-rank
/// view pays shape bookkeeping per row, which costs more than the additions here.)
fn sum_leading<A: Float>(rows: &[A], shape: &[usize]) -> Array<A, IxDyn> {
    let k: usize = shape.iter().product();
    let mut out = pool::zeros(IxDyn(shape));
    let acc = out.as_slice_mut().expect("a fresh row-major array");
    if k > 0 {
        vectorised(
            #[inline(always)]
            || {
                for row in rows.chunks_exact(k) {
                    for (a, &v) in acc.iter_mut().zip(row) {
                        *a += v;
                    }
                }
            },
        );
    }
    out
}

/// Panics unless a gradient of shape `g` sums down to `shape` (which must broadcast to
/// `g`), at the line that called [`sum_to`].
#[track_caller]
fn check_reducible(g: &[usize], shape: &[usize]) {
    // Equal shapes, the common case in a recurrent cell's backward, need no broadcast.
    let fits = same_shape(g, shape)
        || g.len() >= shape.len() && broadcast::<IxDyn>(&[g, shape]).is_ok_and(|b| b.slice() == g);
    assert!(fits, "sum_to: cannot reduce {g:?} to {shape:?}");
}

/// `like`'s rank again, after a reduction at dynamic rank.
fn into_rank<A: Float, D: Dimension>(out: Array<A, IxDyn>) -> Array<A, D> {
    out.into_dimensionality().expect("rank of like")
}

/// The reduction of [`sum_to`] at dynamic rank: compiled once per element type in this
/// crate ([`Float::reduce_to`]), not in every crate that calls `sum_to`.
pub(crate) fn reduce_view<A: Float>(
    g: ArrayView<'_, A, IxDyn>,
    shape: &[usize],
) -> Array<A, IxDyn> {
    let lead = g.ndim() - shape.len();
    if let Some(rows) = g
        .as_slice()
        .filter(|_| lead > 0 && g.shape()[lead..] == *shape)
    {
        return sum_leading(rows, shape);
    }
    let mut out: Array<A, IxDyn> = if lead == 0 {
        pool::copy(&g)
    } else {
        let mut s = g.sum_axis(Axis(0));
        for _ in 1..lead {
            s = s.sum_axis(Axis(0));
        }
        s
    };
    for (i, &len) in shape.iter().enumerate() {
        if len == 1 && out.shape()[i] != 1 {
            out = out.sum_axis(Axis(i)).insert_axis(Axis(i));
        }
    }
    out
}

/// Spreads `g` (a float or an array that broadcasts to `like`'s shape) over `like`'s
/// shape: the adjoint of [`sum`] when `g` is the scalar gradient of a sum. Returns
/// `like`'s type (a float when `like` is a float, then `g` summed).
///
/// # Panics
///
/// If `g` does not broadcast to `like`'s shape.
///
/// ```
/// use cadena::ops::tensor::broadcast_to;
/// use ndarray::{array, Array2};
///
/// let x = Array2::<f32>::zeros((2, 3));
/// assert_eq!(broadcast_to(1.5_f32, &x), Array2::from_elem((2, 3), 1.5));
/// assert_eq!(broadcast_to(&array![1.0_f32, 2.0, 3.0], &x), array![[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]);
/// ```
#[track_caller]
pub fn broadcast_to<G, L>(g: G, like: L) -> Like<L>
where
    G: Operand,
    L: Operand<Elem = G::Elem>,
{
    // Checked here, not in the closure below, which cannot track its caller. (A float
    // `like` takes the sum of any `g`.)
    let (gv, lv) = (g.view(), like.view());
    assert!(
        lv.ndim() == 0 || gv.broadcast(lv.shape()).is_some(),
        "broadcast_to: cannot broadcast {:?} to {:?}",
        gv.shape(),
        lv.shape()
    );
    <L::Kind as Kind>::wrap(
        (g, like),
        |(g, _)| sum(g),
        |(g, like)| {
            let b = g.view();
            let b = b.broadcast(like.view().raw_dim()).expect("shape checked");
            // Into a buffer from the pool: the seed of a sum's gradient, every step.
            let mut out = pool::array(b.raw_dim());
            out.assign(&b);
            out
        },
    )
}

/// Spreads the gradient `g` of a reduction along `axis` back over `like` (the reduced
/// input): reinserts `axis` into `g` and broadcasts. The adjoint of [`sum_axis`].
///
/// # Panics
///
/// If `g` with `axis` reinserted does not broadcast to `like`'s shape.
///
/// ```
/// use cadena::ops::tensor::broadcast_axis_to;
/// use ndarray::{array, Array2, Axis};
///
/// let x = Array2::<f64>::zeros((2, 3));
/// assert_eq!(broadcast_axis_to(&array![1.0, 2.0], Axis(1), &x), array![[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]);
/// assert_eq!(broadcast_axis_to(&array![1.0, 2.0, 3.0], Axis(0), &x), array![[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]);
/// ```
#[track_caller]
pub fn broadcast_axis_to<G, L>(g: G, axis: Axis, like: L) -> Array<G::Elem, L::Dim>
where
    G: Operand,
    L: Operand<Elem = G::Elem>,
{
    let (gv, lv) = (g.view(), like.view());
    // The usual case, a gradient of exactly the reduced shape, row-major: read as `like`'s
    // rank with the axis of length 1 and broadcast into a pool array. No broadcast view
    // of a higher rank (whose shape would go on the heap) and no fresh buffer.
    let mut reduced = lv.raw_dim();
    if axis.index() < lv.ndim() && gv.ndim() + 1 == lv.ndim() {
        reduced.slice_mut()[axis.index()] = 1;
        let exact = (0..gv.ndim())
            .all(|k| gv.shape()[k] == reduced.slice()[if k < axis.index() { k } else { k + 1 }]);
        if exact && let Some(values) = gv.as_slice() {
            let g_wide = ArrayView::from_shape(reduced, values).expect("same element count");
            let mut out = pool::array(lv.raw_dim());
            out.assign(&g_wide);
            g.recycle();
            like.recycle();
            return out;
        }
    }
    let gv = gv.into_dyn().insert_axis(axis);
    match gv.broadcast(lv.shape()) {
        Some(b) => b.to_owned().into_dimensionality().expect("rank of like"),
        None => panic!(
            "broadcast_axis_to: cannot broadcast {:?} with axis {} reinserted to {:?}",
            g.view().shape(),
            axis.index(),
            lv.shape()
        ),
    }
}

/// The gradient of [`mean`]: `g / n` spread over `like`'s shape (`n` its element count).
///
/// ```
/// use cadena::ops::tensor::mean_vjp;
/// use ndarray::Array1;
///
/// assert_eq!(mean_vjp(1.0_f64, &Array1::<f64>::zeros(4)), Array1::from_elem(4, 0.25));
/// ```
pub fn mean_vjp<L: Operand>(g: L::Elem, like: L) -> Like<L> {
    let n = L::Elem::of(like.view().len() as f64);
    <L::Kind as Kind>::wrap(
        like,
        |_| g / n,
        |like| Array::from_elem(like.view().raw_dim(), g / n),
    )
}

/// The gradient of [`mean_axis`]: `g / n` with `axis` reinserted and spread over `like`
/// (`n` the length of `axis`).
///
/// ```
/// use cadena::ops::tensor::mean_axis_vjp;
/// use ndarray::{array, Array2, Axis};
///
/// let x = Array2::<f64>::zeros((2, 4));
/// assert_eq!(mean_axis_vjp(&array![4.0, 8.0], Axis(1), &x), array![[1.0; 4], [2.0; 4]]);
/// ```
#[track_caller]
pub fn mean_axis_vjp<G, L>(g: G, axis: Axis, like: L) -> Array<G::Elem, L::Dim>
where
    G: Operand,
    L: Operand<Elem = G::Elem>,
{
    let n = G::Elem::of(like.view().len_of(axis) as f64);
    map1(broadcast_axis_to(g, axis, like), |v| v / n)
}
