//! Reading part of an array, and the gradients of doing so: [`slice()`] (what `x.slice(s![..])`
//! reads), [`index_axis`] (one sub-array along an axis) and [`select`] (sub-arrays by a
//! list of ids, an embedding lookup). Each VJP puts the gradient back where the values
//! came from in zeros shaped like the input; [`select_vjp`] adds, because an id may be
//! read more than once. Also the shape checks the other gathers and joins share.

use std::borrow::Cow;

use ndarray::{Array, ArrayBase, Axis, Data, Dimension, Ix1, RemoveAxis, SliceArg, SliceInfoElem};

use super::operand::Operand;
use super::pool;

/// The length of `axis` in `shape`, checked: an axis past the rank panics naming the op,
/// the operand and its shape (`max_axis: Axis(2) out of range for x [2, 3]`).
#[track_caller]
pub(crate) fn axis_len(op: &str, name: &str, shape: &[usize], axis: Axis) -> usize {
    match shape.get(axis.index()) {
        Some(&len) => len,
        None => panic!("{op}: {axis:?} out of range for {name} {shape:?}"),
    }
}

/// Checks that `index` is a valid position along `axis` of an operand of shape `shape`.
#[track_caller]
fn check_index(op: &str, name: &str, shape: &[usize], axis: Axis, index: usize) {
    let len = axis_len(op, name, shape, axis);
    if index >= len {
        panic!(
            "{op}: index {index} out of range for axis {} of length {len} ({name} {shape:?})",
            axis.index()
        );
    }
}

/// `s![0..3, ..;2]` as text, for panic messages.
fn slice_text(info: &[SliceInfoElem]) -> String {
    let parts: Vec<String> = info.iter().map(ToString::to_string).collect();
    format!("s![{}]", parts.join(", "))
}

/// Checks `info` against `shape` before ndarray slices, so a bad slice panics naming the
/// op, the shape and the slice rather than with ndarray's message (or, for a negative
/// index past the front, an arithmetic overflow inside ndarray).
#[track_caller]
fn check_slice(op: &str, name: &str, shape: &[usize], info: &[SliceInfoElem]) {
    let text = || format!("{name} {shape:?}, {}", slice_text(info));
    let axes = info
        .iter()
        .filter(|e| !matches!(e, SliceInfoElem::NewAxis))
        .count();
    if axes != shape.len() {
        panic!(
            "{op}: the slice reads {axes} axes, {name} has {} ({})",
            shape.len(),
            text()
        );
    }
    // A position counted from either end, as ndarray resolves it; `None` before the front.
    let resolve = |i: isize, len: usize| {
        if i < 0 {
            len.checked_sub(i.unsigned_abs())
        } else {
            Some(i.unsigned_abs())
        }
    };
    let mut axis = 0;
    for elem in info {
        let Some(&len) = shape.get(axis) else { break };
        match *elem {
            SliceInfoElem::Slice { start, end, step } => {
                for (what, i) in [("start", Some(start)), ("end", end)] {
                    let Some(i) = i else { continue };
                    if resolve(i, len).is_none_or(|i| i > len) {
                        panic!(
                            "{op}: {what} {i} out of range for axis {axis} of length {len} ({})",
                            text()
                        );
                    }
                }
                if step == 0 {
                    panic!("{op}: step 0 on axis {axis} ({})", text());
                }
                axis += 1;
            }
            SliceInfoElem::Index(i) => {
                if resolve(i, len).is_none_or(|i| i >= len) {
                    panic!(
                        "{op}: index {i} out of range for axis {axis} of length {len} ({})",
                        text()
                    );
                }
                axis += 1;
            }
            SliceInfoElem::NewAxis => {}
        }
    }
}

/// An owned copy of `x.slice(info)`, the part of `x` an `s![..]` expression reads: ranges
/// with steps (negative steps walk backwards), single indices (which remove their axis)
/// and `NewAxis`. The copy is row-major, in a buffer from the [`pool`]; an owned `x` goes
/// back to the pool.
///
/// # Panics
///
/// If `info` does not fit `x`, naming the shape and the slice:
/// `slice: end 7 out of range for axis 1 of length 5 (x [2, 5], s![.., 2..7])`.
///
/// ```
/// use cadena::ops::tensor::slice;
/// use ndarray::{array, s};
///
/// let x = array![[1.0_f64, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// assert_eq!(slice(&x, s![.., 1..]), array![[2.0, 3.0], [5.0, 6.0]]);
/// assert_eq!(slice(&x, s![1, ..;-2]), array![6.0, 4.0]);
/// ```
#[track_caller]
pub fn slice<X, I>(x: X, info: I) -> Array<X::Elem, I::OutDim>
where
    X: Operand,
    I: SliceArg<X::Dim>,
{
    let out = {
        let v = x.view();
        check_slice("slice", "x", v.shape(), info.as_ref());
        pool::copy(&v.slice_move(info))
    };
    x.recycle();
    out
}

/// `acc` with `g` added into the region `info` selects: two slices' VJPs of one array
/// summed without a second array of zeros (an LSTM's four gate slices of one product).
/// An owned `acc` is written in place.
///
/// # Panics
///
/// If `info` does not fit `acc`, or `g`'s shape is not the region's.
///
/// ```
/// use cadena::ops::tensor::{slice_add, slice_vjp};
/// use ndarray::{array, s, Array2};
///
/// let like = Array2::<f64>::zeros((1, 4));
/// let both = slice_add(slice_vjp(&array![[1.0, 2.0]], &like, s![.., 0..2]), &array![[3.0, 4.0]], s![.., 2..]);
/// assert_eq!(both, array![[1.0, 2.0, 3.0, 4.0]]);
/// ```
#[track_caller]
pub fn slice_add<A, G, I>(acc: A, g: G, info: I) -> Array<A::Elem, A::Dim>
where
    A: Operand,
    G: Operand<Elem = A::Elem>,
    I: SliceArg<A::Dim>,
{
    let mut out = match acc.into_buffer() {
        Ok(owned) => owned,
        Err(acc) => pool::copy(&acc.view()),
    };
    check_slice("slice_add", "acc", out.shape(), info.as_ref());
    {
        let gv = g.view();
        let mut region = out.slice_mut(info);
        if gv.shape() != region.shape() {
            panic!(
                "slice_add: g {:?} does not fit the region {:?}",
                gv.shape(),
                region.shape()
            );
        }
        region.zip_mut_with(&gv, |a, &b| *a += b);
    }
    g.recycle();
    out
}

/// The VJP of [`slice()`]: zeros shaped like `like` (the sliced operand, read only for its
/// shape) with `g` in the region `info` selects. A slice reads each element at most once,
/// so writing `g` there is adding it to zeros.
///
/// # Panics
///
/// If `info` does not fit `like`, or `g`'s shape is not the region's:
/// `slice_vjp: g [2, 2] does not fit the region [2, 3] (like [2, 5], s![.., 2..])`.
///
/// ```
/// use cadena::ops::tensor::slice_vjp;
/// use ndarray::{array, s, Array2};
///
/// let like = Array2::<f64>::zeros((2, 4));
/// let dx = slice_vjp(&array![1.0, 2.0], &like, s![1, ..;2]);
/// assert_eq!(dx, array![[0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 2.0, 0.0]]);
/// ```
#[track_caller]
pub fn slice_vjp<G, L, I>(g: G, like: L, info: I) -> Array<G::Elem, L::Dim>
where
    G: Operand,
    L: Operand<Elem = G::Elem>,
    I: SliceArg<L::Dim>,
{
    let mut out = pool::zeros(like.view().raw_dim());
    check_slice("slice_vjp", "like", out.shape(), info.as_ref());
    let text = slice_text(info.as_ref());
    let like_shape = out.shape().to_vec();
    {
        let gv = g.view();
        let mut region = out.slice_mut(info);
        if gv.shape() != region.shape() {
            panic!(
                "slice_vjp: g {:?} does not fit the region {:?} (like {like_shape:?}, {text})",
                gv.shape(),
                region.shape()
            );
        }
        region.assign(&gv);
    }
    g.recycle();
    like.recycle();
    out
}

/// An owned copy of the sub-array at `index` along `axis` (`x.index_axis(axis, index)`),
/// one rank lower, in a buffer from the [`pool`]; an owned `x` goes back to the pool.
///
/// # Panics
///
/// If `axis` or `index` is out of range:
/// `index_axis: index 3 out of range for axis 0 of length 2 (x [2, 3])`.
///
/// ```
/// use cadena::ops::tensor::index_axis;
/// use ndarray::{array, Axis};
///
/// let x = array![[1.0_f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// assert_eq!(index_axis(&x, Axis(0), 1), array![4.0, 5.0, 6.0]);
/// assert_eq!(index_axis(&x, Axis(1), 2), array![3.0, 6.0]);
/// ```
#[track_caller]
pub fn index_axis<X>(
    x: X,
    axis: Axis,
    index: usize,
) -> Array<X::Elem, <X::Dim as Dimension>::Smaller>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let out = {
        let v = x.view();
        check_index("index_axis", "x", v.shape(), axis, index);
        pool::copy(&v.index_axis(axis, index))
    };
    x.recycle();
    out
}

/// The VJP of [`index_axis`]: zeros shaped like `like` (the indexed operand, read only
/// for its shape) with `g` at `index` along `axis`. Also the gradient of operand `index`
/// of a [`stack`](super::stack) is `index_axis(g, axis, index)`, its adjoint.
///
/// # Panics
///
/// If `axis` or `index` is out of range for `like`, or `g` is not shaped like the
/// sub-array: `index_axis_vjp: g [2] does not fit a sub-array [3] along axis 0 (like [2, 3])`.
///
/// ```
/// use cadena::ops::tensor::index_axis_vjp;
/// use ndarray::{array, Array2, Axis};
///
/// let like = Array2::<f64>::zeros((2, 3));
/// let dx = index_axis_vjp(&array![1.0, 2.0], Axis(1), &like, 2);
/// assert_eq!(dx, array![[0.0, 0.0, 1.0], [0.0, 0.0, 2.0]]);
/// ```
#[track_caller]
pub fn index_axis_vjp<G, L>(g: G, axis: Axis, like: L, index: usize) -> Array<G::Elem, L::Dim>
where
    G: Operand,
    L: Operand<Elem = G::Elem>,
    L::Dim: RemoveAxis,
{
    let mut out = pool::zeros(like.view().raw_dim());
    check_index("index_axis_vjp", "like", out.shape(), axis, index);
    let like_shape = out.shape().to_vec();
    {
        let gv = g.view();
        let mut slot = out.index_axis_mut(axis, index);
        if gv.shape() != slot.shape() {
            panic!(
                "index_axis_vjp: g {:?} does not fit a sub-array {:?} along axis {} (like {like_shape:?})",
                gv.shape(),
                slot.shape(),
                axis.index()
            );
        }
        slot.assign(&gv);
    }
    g.recycle();
    like.recycle();
    out
}

/// Ids of sub-arrays for [`select`] and [`select_vjp`]: `[usize]`, `[usize; N]`,
/// `Vec<usize>`, a 1-D ndarray of `usize`, or a reference to any of them.
pub trait Indices {
    /// The ids as a slice: borrowed, or copied from a non-contiguous array.
    fn indices(&self) -> Cow<'_, [usize]>;
}

impl Indices for [usize] {
    fn indices(&self) -> Cow<'_, [usize]> {
        Cow::Borrowed(self)
    }
}

impl<const N: usize> Indices for [usize; N] {
    fn indices(&self) -> Cow<'_, [usize]> {
        Cow::Borrowed(self)
    }
}

impl Indices for Vec<usize> {
    fn indices(&self) -> Cow<'_, [usize]> {
        Cow::Borrowed(self)
    }
}

impl<S: Data<Elem = usize>> Indices for ArrayBase<S, Ix1> {
    fn indices(&self) -> Cow<'_, [usize]> {
        match self.as_slice() {
            Some(ids) => Cow::Borrowed(ids),
            None => Cow::Owned(self.to_vec()),
        }
    }
}

impl<T: Indices + ?Sized> Indices for &T {
    fn indices(&self) -> Cow<'_, [usize]> {
        (**self).indices()
    }
}

/// Checks every id against the length of `axis`, naming the first out of range.
#[track_caller]
fn check_ids(op: &str, name: &str, shape: &[usize], axis: Axis, ids: &[usize]) {
    let len = axis_len(op, name, shape, axis);
    if let Some(&bad) = ids.iter().find(|&&i| i >= len) {
        panic!(
            "{op}: index {bad} out of range for axis {} of length {len} ({name} {shape:?})",
            axis.index()
        );
    }
}

/// The sub-arrays of `x` at `ids` along `axis`, in that order, as ndarray's `select`: the
/// rows of an embedding table for a batch of token ids (`select(&table, Axis(0), &ids)`).
/// Ids may repeat. The result has `ids.len()` along `axis`, in a buffer from the
/// [`pool`]; an owned `x` goes back to the pool.
///
/// # Panics
///
/// If `axis` is out of range or an id is:
/// `select: index 7 out of range for axis 0 of length 5 (x [5, 3])`.
///
/// ```
/// use cadena::ops::tensor::select;
/// use ndarray::{array, Axis};
///
/// let table = array![[0.0_f32, 1.0], [2.0, 3.0], [4.0, 5.0]];
/// assert_eq!(select(&table, Axis(0), &[2, 0, 2]), array![[4.0, 5.0], [0.0, 1.0], [4.0, 5.0]]);
/// assert_eq!(select(&table, Axis(1), &vec![1]), array![[1.0], [3.0], [5.0]]);
/// ```
#[track_caller]
pub fn select<X, I>(x: X, axis: Axis, ids: &I) -> Array<X::Elem, X::Dim>
where
    X: Operand,
    X::Dim: RemoveAxis,
    I: Indices + ?Sized,
{
    let ids = ids.indices();
    let out = {
        let v = x.view();
        check_ids("select", "x", v.shape(), axis, &ids);
        let mut dim = v.raw_dim();
        dim[axis.index()] = ids.len();
        let mut out = pool::array(dim);
        if let Ok(v1) = v.view().into_dimensionality::<Ix1>() {
            // A vector: element by element, not through 0-dimensional sub-arrays.
            for (o, &i) in out.iter_mut().zip(ids.iter()) {
                *o = v1[i];
            }
        } else {
            for (j, &i) in ids.iter().enumerate() {
                out.index_axis_mut(axis, j).assign(&v.index_axis(axis, i));
            }
        }
        out
    };
    x.recycle();
    out
}

/// The VJP of [`select`]: zeros shaped like `like` (the table, read only for its shape),
/// with sub-array `j` of `g` along `axis` added at `ids[j]`. Repeated ids accumulate (a
/// token read twice in a batch gets both gradients); only the selected sub-arrays are
/// touched, no one-hot matrix is formed.
///
/// # Panics
///
/// If `axis` or an id is out of range for `like`, or `g` is not shaped like `like` with
/// `ids.len()` along `axis`:
/// `select_vjp: g [2, 3] does not fit 3 ids along axis 0 of like [5, 3]`.
///
/// ```
/// use cadena::ops::tensor::select_vjp;
/// use ndarray::{array, Array2, Axis};
///
/// let table = Array2::<f64>::zeros((3, 2));
/// let g = array![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
/// let dtable = select_vjp(&g, Axis(0), &table, &[2, 0, 2]);
/// assert_eq!(dtable, array![[2.0, 2.0], [0.0, 0.0], [4.0, 4.0]]);
/// ```
#[track_caller]
pub fn select_vjp<G, L, I>(g: G, axis: Axis, like: L, ids: &I) -> Array<G::Elem, L::Dim>
where
    G: Operand,
    L: Operand<Elem = G::Elem>,
    L::Dim: RemoveAxis,
    I: Indices + ?Sized,
{
    let ids = ids.indices();
    let mut out = pool::zeros(like.view().raw_dim());
    check_ids("select_vjp", "like", out.shape(), axis, &ids);
    {
        let gv = g.view();
        let mut expected = out.shape().to_vec();
        expected[axis.index()] = ids.len();
        if gv.shape() != expected.as_slice() {
            panic!(
                "select_vjp: g {:?} does not fit {} ids along axis {} of like {:?}",
                gv.shape(),
                ids.len(),
                axis.index(),
                out.shape()
            );
        }
        let gv = gv
            .into_dimensionality::<L::Dim>()
            .expect("same shape, same rank");
        for (j, &i) in ids.iter().enumerate() {
            out.index_axis_mut(axis, i)
                .zip_mut_with(&gv.index_axis(axis, j), |o, &g| *o += g);
        }
    }
    g.recycle();
    like.recycle();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tensor::testing::{
        assert_adjoint, assert_close, inner, numeric_vjp, random, random_shape, rng,
    };
    use ndarray::{Array1, Array2, ArrayD, IxDyn, array, s};
    use rand::RngExt;
    use rand::rngs::StdRng;

    /// A random slice of `shape`: per axis a range (ends counted from either side, either
    /// end left open, steps of ±1 to ±3) or a single index, and now and then a new axis.
    fn random_slice(rng: &mut StdRng, shape: &[usize]) -> Vec<SliceInfoElem> {
        let mut info = Vec::new();
        for &len in shape {
            if rng.random_bool(0.15) {
                info.push(SliceInfoElem::NewAxis);
            }
            let len = len as i64;
            let position = |rng: &mut StdRng| {
                let i = rng.random_range(0..=len) as isize;
                let len = len as isize;
                if rng.random_bool(0.3) { i - len } else { i }
            };
            if rng.random_bool(0.25) {
                let i = rng.random_range(0..len);
                let i = if rng.random_bool(0.3) { i - len } else { i };
                info.push(SliceInfoElem::Index(i as isize));
            } else {
                let start = position(rng);
                let end = rng.random_bool(0.7).then(|| position(rng));
                let step = rng.random_range(1..=3_i64) * if rng.random_bool(0.4) { -1 } else { 1 };
                let step = step as isize;
                info.push(SliceInfoElem::Slice { start, end, step });
            }
        }
        info
    }

    #[test]
    fn slices_with_steps_negative_steps_and_indices_match_ndarray() {
        let x = Array2::from_shape_fn((5, 6), |(i, j)| (10 * i + j) as f64);
        assert_eq!(slice(&x, s![0..3, ..]), x.slice(s![0..3, ..]));
        assert_eq!(slice(&x, s![0..;2, ..]), x.slice(s![0..;2, ..]));
        assert_eq!(slice(&x, s![..;-1, 1..;-2]), x.slice(s![..;-1, 1..;-2]));
        assert_eq!(slice(&x, s![.., 3]), x.slice(s![.., 3]));
        assert_eq!(slice(&x, s![-1, -3..]), x.slice(s![-1, -3..]));
        assert_eq!(
            slice(&x, s![1..4, ndarray::NewAxis, 2]),
            x.slice(s![1..4, ndarray::NewAxis, 2])
        );
        // An owned operand and a view serve as well as a reference, and so does a
        // strided (transposed) one; the result is row-major.
        assert_eq!(slice(x.clone(), s![2.., ..2]), x.slice(s![2.., ..2]));
        let t = slice(x.t(), s![..;2, 1..3]);
        assert_eq!(t, x.t().slice(s![..;2, 1..3]));
        assert!(t.is_standard_layout());
    }

    #[test]
    fn slice_vjp_puts_g_where_each_kind_of_slice_read_its_values() {
        let like = Array2::<f64>::zeros((4, 5));
        let cases = [
            s![0..;2, ..],
            s![..;-1, 1..4],
            s![-2.., ..;-2],
            s![1..3, 3..3], // empty
        ];
        for info in cases {
            let region = like.slice(info);
            let g = Array2::from_shape_fn(region.raw_dim(), |(i, j)| (1 + i * 7 + j) as f64);
            let dx = slice_vjp(&g, &like, info);
            let mut expected = like.clone();
            expected.slice_mut(info).assign(&g);
            assert_eq!(dx, expected, "{info:?}");
        }
        // A single index removes an axis: g is one rank lower.
        let dx = slice_vjp(&array![1.0, 2.0, 3.0, 4.0], &like, s![.., 3]);
        assert_eq!(dx.column(3), array![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(dx.sum(), 10.0);
        // `like` may be just a shape.
        let dx = slice_vjp(
            &array![5.0],
            crate::ops::tensor::shape_of(&like),
            s![2, 1..2],
        );
        assert_eq!(dx[[2, 1]], 5.0);
        assert_eq!(dx.sum(), 5.0);
    }

    #[test]
    fn slice_vjp_agrees_with_finite_differences_and_is_the_adjoint_of_slice() {
        let mut rng = rng(1);
        for case in 0..200 {
            let shape = random_shape(&mut rng, 1, 4);
            let info = random_slice(&mut rng, &shape);
            let x = random(&mut rng, &shape);
            let y = slice(&x, info.as_slice());
            assert_eq!(y, x.slice(info.as_slice()), "case {case}: {info:?}");
            let g = random(&mut rng, y.shape());
            let dx = slice_vjp(&g, &x, info.as_slice());
            let numeric = numeric_vjp(|x| slice(x, info.as_slice()), &x, &g);
            assert_close(
                &dx,
                &numeric,
                1e-8,
                &format!("case {case}: {}", slice_text(&info)),
            );
            let v = random(&mut rng, &shape);
            let jv = slice(&v, info.as_slice());
            assert_adjoint(inner(&g, &jv), inner(&dx, &v), &format!("case {case}"));
        }
    }

    #[test]
    fn index_axis_and_its_vjp_agree_with_finite_differences_and_the_adjoint_identity() {
        let mut rng = rng(2);
        for case in 0..100 {
            let shape = random_shape(&mut rng, 1, 4);
            let axis = Axis(rng.random_range(0..shape.len()));
            let index = rng.random_range(0..shape[axis.index()]);
            let x = random(&mut rng, &shape);
            let y = index_axis(&x, axis, index);
            assert_eq!(y, x.index_axis(axis, index), "case {case}");
            let g = random(&mut rng, y.shape());
            let dx = index_axis_vjp(&g, axis, &x, index);
            let numeric = numeric_vjp(|x| index_axis(x, axis, index), &x, &g);
            assert_close(&dx, &numeric, 1e-8, &format!("case {case}"));
            let v = random(&mut rng, &shape);
            let jv = index_axis(&v, axis, index);
            assert_adjoint(inner(&g, &jv), inner(&dx, &v), &format!("case {case}"));
        }
    }

    #[test]
    fn select_vjp_adds_the_gradients_of_a_repeated_id() {
        let table = Array2::<f64>::zeros((4, 3));
        let g = array![[1.0, 2.0, 3.0], [10.0, 20.0, 30.0], [100.0, 200.0, 300.0]];
        let dtable = select_vjp(&g, Axis(0), &table, &[1, 3, 1]);
        assert_eq!(
            dtable,
            array![
                [0.0, 0.0, 0.0],
                [101.0, 202.0, 303.0],
                [0.0, 0.0, 0.0],
                [10.0, 20.0, 30.0]
            ]
        );
        // Along another axis, and with ids that read nothing.
        let dt = select_vjp(&g.t(), Axis(1), &Array2::<f64>::zeros((3, 4)), &[2, 2, 2]);
        assert_eq!(dt.column(2), array![111.0, 222.0, 333.0]);
        assert_eq!(dt.sum(), 666.0);
        let none = select_vjp(Array2::<f64>::zeros((0, 3)), Axis(0), &table, &[]);
        assert_eq!(none, table);
    }

    #[test]
    fn select_and_its_vjp_agree_with_finite_differences_and_the_adjoint_identity() {
        let mut rng = rng(3);
        for case in 0..100 {
            let shape = random_shape(&mut rng, 1, 4);
            let axis = Axis(rng.random_range(0..shape.len()));
            let len = shape[axis.index()];
            // Up to twice as many ids as the axis is long, so ids repeat.
            let count = rng.random_range(0..=2 * len);
            let ids: Vec<usize> = (0..count).map(|_| rng.random_range(0..len)).collect();
            let x = random(&mut rng, &shape);
            let y = select(&x, axis, &ids);
            assert_eq!(y, x.select(axis, &ids), "case {case}");
            let g = random(&mut rng, y.shape());
            let dx = select_vjp(&g, axis, &x, &ids);
            let numeric = numeric_vjp(|x| select(x, axis, &ids), &x, &g);
            assert_close(&dx, &numeric, 1e-8, &format!("case {case}: {ids:?}"));
            let v = random(&mut rng, &shape);
            let jv = select(&v, axis, &ids);
            assert_adjoint(inner(&g, &jv), inner(&dx, &v), &format!("case {case}"));
        }
    }

    #[test]
    fn ids_may_be_a_slice_an_array_a_vec_or_an_ndarray_vector() {
        let x = array![[0.0_f32, 1.0], [2.0, 3.0], [4.0, 5.0]];
        let expected = array![[4.0, 5.0], [0.0, 1.0]];
        let slice_ids: &[usize] = &[2, 0];
        assert_eq!(select(&x, Axis(0), slice_ids), expected);
        assert_eq!(select(&x, Axis(0), &[2, 0]), expected);
        assert_eq!(select(&x, Axis(0), &vec![2, 0]), expected);
        assert_eq!(select(&x, Axis(0), &&vec![2, 0]), expected);
        assert_eq!(
            select(&x, Axis(0), &Array1::from(vec![2_usize, 0])),
            expected
        );
        // A non-contiguous vector of ids is copied.
        let strided = array![2_usize, 9, 0];
        assert_eq!(select(&x, Axis(0), &strided.slice(s![..;2])), expected);
        let g = Array2::<f32>::ones((2, 2));
        assert_eq!(
            select_vjp(&g, Axis(0), &x, &Array1::from(vec![2_usize, 2])),
            array![[0.0, 0.0], [0.0, 0.0], [2.0, 2.0]]
        );
    }

    #[test]
    fn outputs_come_from_the_pool() {
        pool::clear();
        let x = ArrayD::<f64>::ones(IxDyn(&[4, 6]));
        let first = slice(&x, s![..2, ..].as_ref());
        let address = first.as_ptr();
        pool::recycle(first);
        let again = select(&x, Axis(0), &[3, 1]);
        assert_eq!(
            again.as_ptr(),
            address,
            "the recycled buffer serves the next gather"
        );
        pool::clear();
    }

    #[test]
    #[should_panic(expected = "select: index 7 out of range for axis 0 of length 5 (x [5, 3])")]
    fn select_names_an_id_out_of_range_and_the_shape() {
        select(&Array2::<f64>::zeros((5, 3)), Axis(0), &[1, 7]);
    }

    #[test]
    #[should_panic(
        expected = "select_vjp: g [2, 3] does not fit 3 ids along axis 0 of like [5, 3]"
    )]
    fn select_vjp_names_a_gradient_of_the_wrong_shape() {
        select_vjp(
            Array2::<f64>::zeros((2, 3)),
            Axis(0),
            &Array2::<f64>::zeros((5, 3)),
            &[0, 1, 2],
        );
    }

    #[test]
    #[should_panic(
        expected = "slice: end 7 out of range for axis 1 of length 5 (x [2, 5], s![.., 2..7])"
    )]
    fn slice_names_the_shape_and_the_slice_when_they_do_not_fit() {
        slice(&Array2::<f64>::zeros((2, 5)), s![.., 2..7]);
    }

    #[test]
    #[should_panic(expected = "slice: index -4 out of range for axis 0 of length 3")]
    fn slice_names_a_negative_index_before_the_front() {
        slice(&Array1::<f64>::zeros(3), s![-4]);
    }

    #[test]
    #[should_panic(expected = "slice: step 0 on axis 0")]
    fn slice_refuses_a_zero_step() {
        let info = [SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: 0,
        }];
        slice(&ArrayD::<f64>::zeros(IxDyn(&[3])), info.as_slice());
    }

    #[test]
    #[should_panic(expected = "slice: the slice reads 1 axes, x has 2")]
    fn slice_of_a_dynamic_rank_names_a_rank_mismatch() {
        slice(&ArrayD::<f64>::zeros(IxDyn(&[3, 2])), s![1..].as_ref());
    }

    #[test]
    #[should_panic(
        expected = "slice_vjp: g [2, 2] does not fit the region [2, 3] (like [2, 5], s![.., 2..])"
    )]
    fn slice_vjp_names_a_gradient_that_does_not_fit_the_region() {
        slice_vjp(
            Array2::<f64>::zeros((2, 2)),
            &Array2::<f64>::zeros((2, 5)),
            s![.., 2..],
        );
    }

    #[test]
    #[should_panic(expected = "index_axis: index 3 out of range for axis 0 of length 2 (x [2, 3])")]
    fn index_axis_names_an_index_out_of_range() {
        index_axis(&Array2::<f64>::zeros((2, 3)), Axis(0), 3);
    }

    #[test]
    #[should_panic(
        expected = "index_axis_vjp: g [2] does not fit a sub-array [3] along axis 0 (like [2, 3])"
    )]
    fn index_axis_vjp_names_a_gradient_of_the_wrong_shape() {
        index_axis_vjp(
            Array1::<f64>::zeros(2),
            Axis(0),
            &Array2::<f64>::zeros((2, 3)),
            1,
        );
    }

    #[test]
    #[should_panic(expected = "index_axis: Axis(2) out of range for x [2, 3]")]
    fn index_axis_names_an_axis_out_of_range() {
        index_axis(&Array2::<f64>::zeros((2, 3)), Axis(2), 0);
    }
}
