//! Convolutions of batches of signals ([`conv1d`]) and images ([`conv2d`]) in PyTorch's
//! layouts, and their VJPs.
//!
//! Both lower onto the matrix product of `gemm.rs`. The input windows of a few batch
//! elements are unrolled into the columns of a matrix (im2col), which the weights, read
//! as a `c_out × c_in·kh·kw` matrix, multiply; the gradient wrt the weights is the
//! output gradient times that matrix transposed, and the gradient wrt the input is the
//! weights transposed times the output gradient, folded back onto the input (col2im).
//! A signal is an image one row high, so `conv1d` runs as `conv2d` with a `1 × k` kernel.
//! The column matrix and the products come from the buffer [`pool`]: after the first
//! step a convolution allocates nothing.

use std::ops::Range;

use ndarray::{
    Array1, Array2, Array3, Array4, ArrayView, ArrayView1, ArrayView2, ArrayView4, Axis, Dimension,
    Ix1, Ix3, Ix4,
};

use super::gemm::matmul;
use super::operand::Operand;
use super::pool;
use crate::Float;

/// A product covers at least this many output positions (batch elements × positions per
/// element) when the batch has them: a product of a few dozen columns (a late layer's
/// 7×7 maps) spends more time starting than computing.
const MIN_COLUMNS: usize = 1024;

/// A convolution's sizes, as an image's (a signal is one row high).
#[derive(Clone, Copy, Debug)]
struct Geometry {
    batch: usize,
    c_in: usize,
    h: usize,
    w: usize,
    c_out: usize,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
    ph: usize,
    pw: usize,
    oh: usize,
    ow: usize,
}

impl Geometry {
    /// Rows of the column matrix: one per weight of an output channel.
    fn taps(&self) -> usize {
        self.c_in * self.kh * self.kw
    }

    /// Output positions of one batch element and channel.
    fn positions(&self) -> usize {
        self.oh * self.ow
    }

    /// How many batch elements one product covers (see [`MIN_COLUMNS`]).
    fn chunk(&self) -> usize {
        MIN_COLUMNS
            .div_ceil(self.positions().max(1))
            .clamp(1, self.batch.max(1))
    }

    /// Elements of the scratch that gathers the output gradient of several batch elements
    /// into one matrix ([`gradient_matrix`]); none when a product covers one element.
    fn gathered(&self) -> usize {
        if self.chunk() > 1 {
            self.c_out * self.chunk() * self.positions()
        } else {
            0
        }
    }

    /// The batch elements of each product: `(first, count)`.
    fn chunks(&self) -> impl Iterator<Item = (usize, usize)> {
        let (batch, chunk) = (self.batch, self.chunk());
        (0..batch)
            .step_by(chunk)
            .map(move |n0| (n0, chunk.min(batch - n0)))
    }

    /// The output's shape at the caller's rank (3 for conv1d, 4 for conv2d), and the
    /// rank: an array, so checking a gradient's shape allocates nothing.
    fn output_shape(&self, rank: usize) -> ([usize; 4], usize) {
        if rank == 3 {
            ([self.batch, self.c_out, self.ow, 0], 3)
        } else {
            ([self.batch, self.c_out, self.oh, self.ow], 4)
        }
    }
}

/// `1` for one spatial axis, `(1, 2)` for two: the caller's spelling of a stride.
fn spelled(values: &[usize]) -> String {
    match values {
        [v] => v.to_string(),
        [a, b] => format!("({a}, {b})"),
        _ => format!("{values:?}"),
    }
}

/// Checks a convolution's shapes as the caller passed them (`x` and `w` of rank 3 for
/// conv1d, 4 for conv2d; `stride` and `padding` one per spatial axis) and gives its
/// geometry.
#[track_caller]
fn geometry(op: &str, x: &[usize], w: &[usize], stride: &[usize], padding: &[usize]) -> Geometry {
    let names: &[&str] = if x.len() == 3 {
        &["length"]
    } else {
        &["height", "width"]
    };
    assert!(
        x[1] == w[1],
        "{op}: input has {} channels but the weight expects {} (x {x:?}, w {w:?})",
        x[1],
        w[1]
    );
    assert!(
        stride.iter().all(|&s| s > 0),
        "{op}: the stride must be positive, got {} (x {x:?}, w {w:?})",
        spelled(stride)
    );
    let mut out = [1; 2];
    for (axis, name) in names.iter().enumerate() {
        let (n, k, p) = (x[2 + axis], w[2 + axis], padding[axis]);
        assert!(k > 0, "{op}: the kernel {name} is 0 (x {x:?}, w {w:?})");
        let padded = n.saturating_add(p.saturating_mul(2));
        assert!(
            k <= padded,
            "{op}: the kernel {name} {k} exceeds the padded input {name} {padded} \
             ({n} + 2 × padding {p}) (x {x:?}, w {w:?})"
        );
        out[axis] = (padded - k) / stride[axis] + 1;
    }
    let common = Geometry {
        batch: x[0],
        c_in: x[1],
        c_out: w[0],
        h: 1,
        w: 0,
        kh: 1,
        kw: 0,
        sh: 1,
        sw: 0,
        ph: 0,
        pw: 0,
        oh: 1,
        ow: 0,
    };
    if x.len() == 3 {
        Geometry {
            w: x[2],
            kw: w[2],
            sw: stride[0],
            pw: padding[0],
            ow: out[0],
            ..common
        }
    } else {
        Geometry {
            h: x[2],
            w: x[3],
            kh: w[2],
            kw: w[3],
            sh: stride[0],
            sw: stride[1],
            ph: padding[0],
            pw: padding[1],
            oh: out[0],
            ow: out[1],
            ..common
        }
    }
}

#[track_caller]
fn check_bias(op: &str, b: &[usize], w: &[usize]) {
    assert!(
        b[0] == w[0],
        "{op}: the bias has {} elements but the weight has {} output channels (w {w:?}, b {b:?})",
        b[0],
        w[0]
    );
}

#[track_caller]
fn check_gradient(op: &str, g: &[usize], geo: &Geometry, x: &[usize], w: &[usize]) {
    let (sizes, rank) = geo.output_shape(g.len());
    let expected = &sizes[..rank];
    assert!(
        g == expected,
        "{op}: g has shape {g:?} but the output of x {x:?} and w {w:?} has shape {expected:?}"
    );
}

/// Runs `f` on `v`'s elements in row-major order: `v`'s own when it is laid out so,
/// otherwise a copy from the pool.
pub(super) fn with_row_major<A: Float, D: Dimension, R>(
    v: ArrayView<'_, A, D>,
    f: impl FnOnce(&[A]) -> R,
) -> R {
    if let Some(values) = v.as_slice() {
        return f(values);
    }
    let copy = pool::copy(&v);
    let result = f(copy.as_slice().expect("a pool copy is row-major"));
    pool::recycle(copy);
    result
}

/// A scratch buffer of `len` elements from the pool; an empty one takes nothing (the
/// pool would hand out any small buffer for it).
fn take_scratch<A: Float>(len: usize) -> Vec<A> {
    if len == 0 {
        Vec::new()
    } else {
        pool::take(len)
    }
}

/// The output positions `o < outputs` whose input index `o·stride + offset` lies in
/// `0..len`: the rest read padding.
fn inside(offset: isize, stride: usize, len: usize, outputs: usize) -> Range<usize> {
    let s = stride as isize;
    let first = if offset >= 0 {
        0
    } else {
        (-offset + s - 1) / s
    };
    let past = len as isize - offset;
    let end = if past <= 0 { 0 } else { (past + s - 1) / s };
    let end = (end as usize).min(outputs);
    (first as usize).min(end)..end
}

/// Calls `f(tap, element, oy, input_row, xs, x0)` for every tap (row of the column
/// matrix), batch element of the chunk and output row whose input row is not padding:
/// `xs` are the output columns that read the input, from column `x0` on, `stride` apart.
/// Rows of padding are left to the caller (their columns are all zero).
fn taps(geo: &Geometry, mut f: impl FnMut(usize, usize, usize, usize, &Range<usize>, usize)) {
    let mut tap = 0;
    for c in 0..geo.c_in {
        for i in 0..geo.kh {
            let ys = inside(i as isize - geo.ph as isize, geo.sh, geo.h, geo.oh);
            for j in 0..geo.kw {
                let xs = inside(j as isize - geo.pw as isize, geo.sw, geo.w, geo.ow);
                if xs.is_empty() {
                    // This tap reads padding at every output column.
                    tap += 1;
                    continue;
                }
                // Input column of the first output column that reads the input.
                let x0 = (xs.start * geo.sw + j).saturating_sub(geo.pw);
                for oy in ys.clone() {
                    let iy = oy * geo.sh + i - geo.ph;
                    f(tap, c, oy, iy, &xs, x0);
                }
                tap += 1;
            }
        }
    }
}

/// Writes the column matrix of batch elements `n0..n0 + count` of `x` (row-major) into
/// `cols`: row `(c, i, j)`, column `(n, oy, ox)` holds `x[n, c, oy·sh + i - ph, ox·sw + j
/// - pw]`, zero in the padding.
fn im2col<A: Float>(x: &[A], geo: &Geometry, n0: usize, count: usize, cols: &mut [A]) {
    let (plane, p) = (geo.h * geo.w, geo.positions());
    let width = count * p;
    // Padding is zero; writing it first, whole, keeps the copy below branch-free.
    if geo.ph > 0 || geo.pw > 0 {
        cols.fill(A::zero());
    }
    taps(geo, |tap, c, oy, iy, xs, x0| {
        for nn in 0..count {
            let line = &x[((n0 + nn) * geo.c_in + c) * plane + iy * geo.w..][..geo.w];
            let dst = &mut cols[tap * width + nn * p + oy * geo.ow..][..geo.ow];
            let dst = &mut dst[xs.clone()];
            if geo.sw == 1 {
                dst.copy_from_slice(&line[x0..x0 + dst.len()]);
            } else {
                for (d, &v) in dst.iter_mut().zip(line[x0..].iter().step_by(geo.sw)) {
                    *d = v;
                }
            }
        }
    });
}

/// Adds the column matrix `cols` of batch elements `n0..n0 + count` back onto `dx`
/// (row-major), each entry onto the input element [`im2col`] read it from: the adjoint of
/// `im2col`. Overlapping windows accumulate.
fn col2im<A: Float>(cols: &[A], geo: &Geometry, n0: usize, count: usize, dx: &mut [A]) {
    let (plane, p) = (geo.h * geo.w, geo.positions());
    let width = count * p;
    taps(geo, |tap, c, oy, iy, xs, x0| {
        for nn in 0..count {
            let line = &mut dx[((n0 + nn) * geo.c_in + c) * plane + iy * geo.w..][..geo.w];
            let src = &cols[tap * width + nn * p + oy * geo.ow..][..geo.ow];
            let src = &src[xs.clone()];
            if geo.sw == 1 {
                for (d, &v) in line[x0..x0 + src.len()].iter_mut().zip(src) {
                    *d += v;
                }
            } else {
                for (d, &v) in line[x0..].iter_mut().step_by(geo.sw).zip(src) {
                    *d += v;
                }
            }
        }
    });
}

/// The output gradient of batch elements `n0..n0 + count` as a `c_out × count·positions`
/// matrix (columns ordered as [`im2col`]'s): `g`'s own rows for one element, gathered
/// into `scratch` for several.
fn gradient_matrix<'a, A: Float>(
    g: &'a [A],
    geo: &Geometry,
    n0: usize,
    count: usize,
    scratch: &'a mut [A],
) -> ArrayView2<'a, A> {
    let (c_out, p) = (geo.c_out, geo.positions());
    let block = c_out * p;
    if count == 1 {
        return ArrayView2::from_shape((c_out, p), &g[n0 * block..][..block])
            .expect("one element's gradient");
    }
    let width = count * p;
    let scratch = &mut scratch[..c_out * width];
    for nn in 0..count {
        for co in 0..c_out {
            scratch[co * width + nn * p..][..p]
                .copy_from_slice(&g[(n0 + nn) * block + co * p..][..p]);
        }
    }
    ArrayView2::from_shape((c_out, width), &*scratch).expect("the gathered gradient")
}

/// The convolution of `x` by `w` plus `b`, for a checked geometry.
fn forward<A: Float>(
    x: ArrayView4<'_, A>,
    w: ArrayView4<'_, A>,
    b: ArrayView1<'_, A>,
    geo: &Geometry,
) -> Array4<A> {
    let mut out = pool::array::<A, _>((geo.batch, geo.c_out, geo.oh, geo.ow));
    let (p, taps) = (geo.positions(), geo.taps());
    let mut cols = take_scratch::<A>(taps * geo.chunk() * p);
    let values = out.as_slice_mut().expect("a pool array is row-major");
    with_row_major(x, |x| {
        with_row_major(w, |w| {
            let w = ArrayView2::from_shape((geo.c_out, taps), w).expect("the weight matrix");
            for (n0, count) in geo.chunks() {
                let cols = &mut cols[..taps * count * p];
                im2col(x, geo, n0, count, cols);
                let cols = ArrayView2::from_shape((taps, count * p), &*cols).expect("columns");
                let y = matmul(w, cols);
                let y_values = y.as_slice().expect("a product is row-major");
                for nn in 0..count {
                    for (co, &bias) in b.iter().enumerate() {
                        let dst = &mut values[((n0 + nn) * geo.c_out + co) * p..][..p];
                        let src = &y_values[co * count * p + nn * p..][..p];
                        for (d, &s) in dst.iter_mut().zip(src) {
                            *d = s + bias;
                        }
                    }
                }
                pool::recycle(y);
            }
        })
    });
    pool::give(cols);
    out
}

/// `dL/dx` of the convolution by `w`, given `g = dL/dy`, for a checked geometry.
fn backward_x<A: Float>(g: ArrayView4<'_, A>, w: ArrayView4<'_, A>, geo: &Geometry) -> Array4<A> {
    let mut dx = pool::zeros::<A, _>((geo.batch, geo.c_in, geo.h, geo.w));
    let taps = geo.taps();
    let mut scratch = take_scratch::<A>(geo.gathered());
    let values = dx.as_slice_mut().expect("a pool array is row-major");
    with_row_major(g, |g| {
        with_row_major(w, |w| {
            let w = ArrayView2::from_shape((geo.c_out, taps), w).expect("the weight matrix");
            for (n0, count) in geo.chunks() {
                let g = gradient_matrix(g, geo, n0, count, &mut scratch);
                let cols = matmul(w.t(), g);
                col2im(
                    cols.as_slice().expect("a product is row-major"),
                    geo,
                    n0,
                    count,
                    values,
                );
                pool::recycle(cols);
            }
        })
    });
    pool::give(scratch);
    dx
}

/// `dL/dw` of the convolution of `x`, given `g = dL/dy`, for a checked geometry.
fn backward_w<A: Float>(g: ArrayView4<'_, A>, x: ArrayView4<'_, A>, geo: &Geometry) -> Array4<A> {
    let (p, taps) = (geo.positions(), geo.taps());
    let mut cols = take_scratch::<A>(taps * geo.chunk() * p);
    let mut scratch = take_scratch::<A>(geo.gathered());
    let mut sum: Option<Array2<A>> = None;
    with_row_major(g, |g| {
        with_row_major(x, |x| {
            for (n0, count) in geo.chunks() {
                let cols = &mut cols[..taps * count * p];
                im2col(x, geo, n0, count, cols);
                let cols = ArrayView2::from_shape((taps, count * p), &*cols).expect("columns");
                let g = gradient_matrix(g, geo, n0, count, &mut scratch);
                let dw = matmul(g, cols.t());
                match &mut sum {
                    None => sum = Some(dw),
                    Some(sum) => {
                        *sum += &dw;
                        pool::recycle(dw);
                    }
                }
            }
        })
    });
    pool::give(cols);
    pool::give(scratch);
    let sum = sum.unwrap_or_else(|| pool::zeros((geo.c_out, taps)));
    sum.into_shape_with_order((geo.c_out, geo.c_in, geo.kh, geo.kw))
        .expect("a product is row-major")
}

/// `dL/db`: `g` summed over every axis but the channel (axis 1).
fn backward_b<A: Float, D: Dimension>(g: ArrayView<'_, A, D>, channels: usize) -> Array1<A> {
    let mut db = pool::zeros::<A, _>(channels);
    let block = g.len() / g.shape()[0].max(1);
    let p = block / channels.max(1);
    with_row_major(g, |g| {
        for element in g.chunks_exact(block.max(1)) {
            for (d, row) in db.iter_mut().zip(element.chunks_exact(p.max(1))) {
                *d += ArrayView1::from(row).sum();
            }
        }
    });
    db
}

/// The 1-D convolution (cross-correlation, as PyTorch's `conv1d`) of a batch of
/// signals `x` (`batch × c_in × length`) by the kernels `w` (`c_out × c_in × k`), plus
/// the bias `b` (`c_out`), with zero padding on both ends.
///
/// ```text
/// y[n, o, t] = b[o] + Σ_c Σ_j w[o, c, j] · x[n, c, t·stride + j - padding]
///              (x is 0 outside 0..length)
/// shape: batch × c_out × ((length + 2·padding - k) / stride + 1)
/// ```
///
/// # Panics
///
/// If `x` and `w` have different numbers of input channels, `b` is not `c_out` long,
/// `stride` or `k` is 0, or the kernel is longer than the padded input.
///
/// ```
/// use cadena::ops::tensor::conv1d;
/// use ndarray::{Array1, Array3, array};
///
/// // One signal of one channel; the kernel [1, 0, -1] takes differences two apart.
/// let x = array![[[1.0_f64, 2.0, 4.0, 8.0]]];
/// let w = array![[[1.0, 0.0, -1.0]]];
/// let b = array![0.5];
/// assert_eq!(conv1d(&x, &w, &b, 1, 0), array![[[-2.5, -5.5]]]);
/// // Padded with a zero on each end, every other position.
/// assert_eq!(conv1d(&x, &w, &b, 2, 1), array![[[-1.5, -5.5]]]);
///
/// // As a layer's forward pass reads it.
/// struct Conv {
///     w: Array3<f32>,
///     b: Array1<f32>,
/// }
/// let p = Conv { w: Array3::ones((8, 3, 3)), b: Array1::zeros(8) };
/// let x = Array3::<f32>::ones((2, 3, 10));
/// let y = conv1d(&x, &p.w, &p.b, 1, 1);
/// assert_eq!(y.shape(), &[2, 8, 10]);
/// assert_eq!(y[[0, 0, 5]], 9.0);
/// ```
#[track_caller]
pub fn conv1d<X, W, B>(x: X, w: W, b: B, stride: usize, padding: usize) -> Array3<X::Elem>
where
    X: Operand<Dim = Ix3>,
    W: Operand<Elem = X::Elem, Dim = Ix3>,
    B: Operand<Elem = X::Elem, Dim = Ix1>,
{
    let (xv, wv, bv) = (x.view(), w.view(), b.view());
    let geo = geometry("conv1d", xv.shape(), wv.shape(), &[stride], &[padding]);
    check_bias("conv1d", bv.shape(), wv.shape());
    let y = forward(xv.insert_axis(Axis(2)), wv.insert_axis(Axis(2)), bv, &geo);
    x.recycle();
    w.recycle();
    b.recycle();
    y.remove_axis(Axis(2))
}

/// `dL/dx` for `y = conv1d(x, w, b, stride, padding)` given `g = dL/dy`: the transposed
/// convolution of `g` by `w`. Only `x`'s shape is read, so `x` may be a
/// [`Shape`](super::Shape).
///
/// ```text
/// dL/dx[n, c, i] = Σ_o Σ_j Σ_{t : t·stride + j - padding = i} w[o, c, j] · g[n, o, t]
/// ```
///
/// # Panics
///
/// As [`conv1d`] for `x` and `w`, and if `g` does not have the shape of the output.
///
/// ```
/// use cadena::ops::tensor::{conv1d_vjp_x, shape_of};
/// use ndarray::{Array3, array};
///
/// let w = array![[[1.0_f64, 0.0, -1.0]]];
/// let x = Array3::<f64>::zeros((1, 1, 4));
/// let g = array![[[1.0, 10.0]]];
/// // Each output spreads its gradient over its window, weighted by the kernel.
/// assert_eq!(conv1d_vjp_x(&g, &w, &x, 1, 0), array![[[1.0, 10.0, -1.0, -10.0]]]);
/// assert_eq!(conv1d_vjp_x(&g, &w, shape_of(&x), 1, 0), array![[[1.0, 10.0, -1.0, -10.0]]]);
/// ```
#[track_caller]
pub fn conv1d_vjp_x<G, W, X>(g: G, w: W, x: X, stride: usize, padding: usize) -> Array3<G::Elem>
where
    G: Operand<Dim = Ix3>,
    W: Operand<Elem = G::Elem, Dim = Ix3>,
    X: Operand<Elem = G::Elem, Dim = Ix3>,
{
    let (gv, wv) = (g.view(), w.view());
    let x_dim = x.view().raw_dim();
    let geo = geometry(
        "conv1d_vjp_x",
        x_dim.slice(),
        wv.shape(),
        &[stride],
        &[padding],
    );
    check_gradient("conv1d_vjp_x", gv.shape(), &geo, x_dim.slice(), wv.shape());
    let dx = backward_x(gv.insert_axis(Axis(2)), wv.insert_axis(Axis(2)), &geo);
    g.recycle();
    w.recycle();
    x.recycle();
    dx.remove_axis(Axis(2))
}

/// `dL/dw` for `y = conv1d(x, w, b, stride, padding)` given `g = dL/dy`: the correlation
/// of `g` with the padded input, summed over the batch. Only `w`'s shape is read.
///
/// ```text
/// dL/dw[o, c, j] = Σ_n Σ_t g[n, o, t] · x[n, c, t·stride + j - padding]
/// ```
///
/// # Panics
///
/// As [`conv1d`] for `x` and `w`, and if `g` does not have the shape of the output.
///
/// ```
/// use cadena::ops::tensor::conv1d_vjp_w;
/// use ndarray::{Array3, array};
///
/// let x = array![[[1.0_f64, 2.0, 4.0, 8.0]]];
/// let w = Array3::<f64>::zeros((1, 1, 3));
/// let g = array![[[1.0, 10.0]]];
/// // Tap j sees x[j] at the first output and x[j + 1] at the second.
/// assert_eq!(conv1d_vjp_w(&g, &x, &w, 1, 0), array![[[21.0, 42.0, 84.0]]]);
/// ```
#[track_caller]
pub fn conv1d_vjp_w<G, X, W>(g: G, x: X, w: W, stride: usize, padding: usize) -> Array3<G::Elem>
where
    G: Operand<Dim = Ix3>,
    X: Operand<Elem = G::Elem, Dim = Ix3>,
    W: Operand<Elem = G::Elem, Dim = Ix3>,
{
    let (gv, xv) = (g.view(), x.view());
    let w_dim = w.view().raw_dim();
    let geo = geometry(
        "conv1d_vjp_w",
        xv.shape(),
        w_dim.slice(),
        &[stride],
        &[padding],
    );
    check_gradient("conv1d_vjp_w", gv.shape(), &geo, xv.shape(), w_dim.slice());
    let dw = backward_w(gv.insert_axis(Axis(2)), xv.insert_axis(Axis(2)), &geo);
    g.recycle();
    x.recycle();
    w.recycle();
    dw.remove_axis(Axis(2))
}

/// `dL/db` for `y = conv1d(x, w, b, ..)` given `g = dL/dy`: `g` summed over the batch and
/// the length. Only `b`'s shape is read.
///
/// # Panics
///
/// If `g` does not have one channel per element of `b`.
///
/// ```
/// use cadena::ops::tensor::conv1d_vjp_b;
/// use ndarray::{Array1, array};
///
/// let g = array![[[1.0_f64, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]];
/// assert_eq!(conv1d_vjp_b(&g, &Array1::zeros(2)), array![14.0, 22.0]);
/// ```
#[track_caller]
pub fn conv1d_vjp_b<G, B>(g: G, b: B) -> Array1<G::Elem>
where
    G: Operand<Dim = Ix3>,
    B: Operand<Elem = G::Elem, Dim = Ix1>,
{
    let channels = b.view().len();
    let gv = g.view();
    assert!(
        gv.shape()[1] == channels,
        "conv1d_vjp_b: g has {} channels but the bias has {channels} elements (g {:?}, b [{channels}])",
        gv.shape()[1],
        gv.shape()
    );
    let db = backward_b(gv, channels);
    g.recycle();
    b.recycle();
    db
}

/// The 2-D convolution (cross-correlation, as PyTorch's `conv2d`) of a batch of images
/// `x` (`batch × c_in × h × w`) by the kernels `w` (`c_out × c_in × kh × kw`), plus the
/// bias `b` (`c_out`), with zero padding on every side. `stride` and `padding` are
/// `(rows, columns)`.
///
/// ```text
/// y[n, o, r, s] = b[o] + Σ_c Σ_i Σ_j w[o, c, i, j]
///                        · x[n, c, r·stride.0 + i - padding.0, s·stride.1 + j - padding.1]
///                 (x is 0 outside the image)
/// shape: batch × c_out × ((h + 2·padding.0 - kh) / stride.0 + 1)
///                      × ((w + 2·padding.1 - kw) / stride.1 + 1)
/// ```
///
/// # Panics
///
/// If `x` and `w` have different numbers of input channels, `b` is not `c_out` long, a
/// stride or kernel size is 0, or the kernel is larger than the padded input.
///
/// ```
/// use cadena::ops::tensor::conv2d;
/// use ndarray::{Array1, Array4, array};
///
/// // A 2×2 kernel summing each window of a 3×3 image.
/// let x = array![[[[1.0_f64, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]];
/// let w = Array4::ones((1, 1, 2, 2));
/// let b = array![0.0];
/// assert_eq!(conv2d(&x, &w, &b, (1, 1), (0, 0)), array![[[[12.0, 16.0], [24.0, 28.0]]]]);
///
/// // As a layer's forward pass reads it: a 3×3 kernel with padding 1 keeps the size.
/// struct Conv {
///     w: Array4<f32>,
///     b: Array1<f32>,
/// }
/// let p = Conv { w: Array4::ones((16, 1, 3, 3)), b: Array1::ones(16) };
/// let x = Array4::<f32>::ones((2, 1, 8, 8));
/// let y = conv2d(&x, &p.w, &p.b, (1, 1), (1, 1));
/// assert_eq!(y.shape(), &[2, 16, 8, 8]);
/// assert_eq!((y[[0, 0, 0, 0]], y[[0, 0, 4, 4]]), (5.0, 10.0));
/// ```
#[track_caller]
pub fn conv2d<X, W, B>(
    x: X,
    w: W,
    b: B,
    stride: (usize, usize),
    padding: (usize, usize),
) -> Array4<X::Elem>
where
    X: Operand<Dim = Ix4>,
    W: Operand<Elem = X::Elem, Dim = Ix4>,
    B: Operand<Elem = X::Elem, Dim = Ix1>,
{
    let (xv, wv, bv) = (x.view(), w.view(), b.view());
    let geo = geometry(
        "conv2d",
        xv.shape(),
        wv.shape(),
        &[stride.0, stride.1],
        &[padding.0, padding.1],
    );
    check_bias("conv2d", bv.shape(), wv.shape());
    let y = forward(xv, wv, bv, &geo);
    x.recycle();
    w.recycle();
    b.recycle();
    y
}

/// `dL/dx` for `y = conv2d(x, w, b, stride, padding)` given `g = dL/dy`: the transposed
/// convolution of `g` by `w`. Only `x`'s shape is read, so `x` may be a
/// [`Shape`](super::Shape).
///
/// ```text
/// dL/dx[n, c, u, v] = Σ_o Σ_i Σ_j w[o, c, i, j] · g[n, o, r, s]
///     over the r, s with r·stride.0 + i - padding.0 = u and s·stride.1 + j - padding.1 = v
/// ```
///
/// # Panics
///
/// As [`conv2d`] for `x` and `w`, and if `g` does not have the shape of the output.
///
/// ```
/// use cadena::ops::tensor::conv2d_vjp_x;
/// use ndarray::{Array4, array};
///
/// let w = array![[[[1.0_f64, 2.0], [3.0, 4.0]]]];
/// let x = Array4::<f64>::zeros((1, 1, 2, 2));
/// // One output: its gradient lands on the window, weighted by the kernel.
/// let g = array![[[[10.0]]]];
/// assert_eq!(conv2d_vjp_x(&g, &w, &x, (1, 1), (0, 0)), array![[[[10.0, 20.0], [30.0, 40.0]]]]);
/// ```
#[track_caller]
pub fn conv2d_vjp_x<G, W, X>(
    g: G,
    w: W,
    x: X,
    stride: (usize, usize),
    padding: (usize, usize),
) -> Array4<G::Elem>
where
    G: Operand<Dim = Ix4>,
    W: Operand<Elem = G::Elem, Dim = Ix4>,
    X: Operand<Elem = G::Elem, Dim = Ix4>,
{
    let (gv, wv) = (g.view(), w.view());
    let x_dim = x.view().raw_dim();
    let geo = geometry(
        "conv2d_vjp_x",
        x_dim.slice(),
        wv.shape(),
        &[stride.0, stride.1],
        &[padding.0, padding.1],
    );
    check_gradient("conv2d_vjp_x", gv.shape(), &geo, x_dim.slice(), wv.shape());
    let dx = backward_x(gv, wv, &geo);
    g.recycle();
    w.recycle();
    x.recycle();
    dx
}

/// `dL/dw` for `y = conv2d(x, w, b, stride, padding)` given `g = dL/dy`: the correlation
/// of `g` with the padded input, summed over the batch. Only `w`'s shape is read.
///
/// ```text
/// dL/dw[o, c, i, j] = Σ_n Σ_r Σ_s g[n, o, r, s]
///                     · x[n, c, r·stride.0 + i - padding.0, s·stride.1 + j - padding.1]
/// ```
///
/// # Panics
///
/// As [`conv2d`] for `x` and `w`, and if `g` does not have the shape of the output.
///
/// ```
/// use cadena::ops::tensor::conv2d_vjp_w;
/// use ndarray::{Array4, array};
///
/// let x = array![[[[1.0_f64, 2.0], [3.0, 4.0]]]];
/// let w = Array4::<f64>::zeros((1, 1, 2, 2));
/// // One output, whose window is the whole image.
/// let g = array![[[[10.0]]]];
/// assert_eq!(conv2d_vjp_w(&g, &x, &w, (1, 1), (0, 0)), array![[[[10.0, 20.0], [30.0, 40.0]]]]);
/// ```
#[track_caller]
pub fn conv2d_vjp_w<G, X, W>(
    g: G,
    x: X,
    w: W,
    stride: (usize, usize),
    padding: (usize, usize),
) -> Array4<G::Elem>
where
    G: Operand<Dim = Ix4>,
    X: Operand<Elem = G::Elem, Dim = Ix4>,
    W: Operand<Elem = G::Elem, Dim = Ix4>,
{
    let (gv, xv) = (g.view(), x.view());
    let w_dim = w.view().raw_dim();
    let geo = geometry(
        "conv2d_vjp_w",
        xv.shape(),
        w_dim.slice(),
        &[stride.0, stride.1],
        &[padding.0, padding.1],
    );
    check_gradient("conv2d_vjp_w", gv.shape(), &geo, xv.shape(), w_dim.slice());
    let dw = backward_w(gv, xv, &geo);
    g.recycle();
    x.recycle();
    w.recycle();
    dw
}

/// `dL/db` for `y = conv2d(x, w, b, ..)` given `g = dL/dy`: `g` summed over the batch,
/// the rows and the columns. Only `b`'s shape is read.
///
/// # Panics
///
/// If `g` does not have one channel per element of `b`.
///
/// ```
/// use cadena::ops::tensor::conv2d_vjp_b;
/// use ndarray::{Array1, Array4};
///
/// let g = Array4::<f32>::ones((2, 3, 4, 5));
/// assert_eq!(conv2d_vjp_b(&g, &Array1::zeros(3)), Array1::from_elem(3, 40.0));
/// ```
#[track_caller]
pub fn conv2d_vjp_b<G, B>(g: G, b: B) -> Array1<G::Elem>
where
    G: Operand<Dim = Ix4>,
    B: Operand<Elem = G::Elem, Dim = Ix1>,
{
    let channels = b.view().len();
    let gv = g.view();
    assert!(
        gv.shape()[1] == channels,
        "conv2d_vjp_b: g has {} channels but the bias has {channels} elements (g {:?}, b [{channels}])",
        gv.shape()[1],
        gv.shape()
    );
    let db = backward_b(gv, channels);
    g.recycle();
    b.recycle();
    db
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::seeded;
    use crate::ops::tensor::shape_of;
    use ndarray::{Array, Array3, IntoDimension, s};
    use rand::RngExt;
    use rand::rngs::StdRng;

    fn random<D: Dimension>(shape: impl IntoDimension<Dim = D>, rng: &mut StdRng) -> Array<f64, D> {
        Array::from_shape_simple_fn(shape, || rng.random::<f64>() * 2.0 - 1.0)
    }

    fn dot_all<D: Dimension>(a: &Array<f64, D>, b: &Array<f64, D>) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// The oracle: PyTorch's definition, one output at a time.
    fn naive_conv1d(
        x: &Array3<f64>,
        w: &Array3<f64>,
        b: &Array1<f64>,
        stride: usize,
        padding: usize,
    ) -> Array3<f64> {
        let ((batch, c_in, len), (c_out, _, k)) = (x.dim(), w.dim());
        let out = (len + 2 * padding - k) / stride + 1;
        Array3::from_shape_fn((batch, c_out, out), |(n, o, t)| {
            let mut y = b[o];
            for c in 0..c_in {
                for j in 0..k {
                    let i = (t * stride + j) as isize - padding as isize;
                    if i >= 0 && (i as usize) < len {
                        y += w[[o, c, j]] * x[[n, c, i as usize]];
                    }
                }
            }
            y
        })
    }

    fn naive_conv2d(
        x: &Array4<f64>,
        w: &Array4<f64>,
        b: &Array1<f64>,
        stride: (usize, usize),
        padding: (usize, usize),
    ) -> Array4<f64> {
        let ((batch, c_in, h, wd), (c_out, _, kh, kw)) = (x.dim(), w.dim());
        let oh = (h + 2 * padding.0 - kh) / stride.0 + 1;
        let ow = (wd + 2 * padding.1 - kw) / stride.1 + 1;
        Array4::from_shape_fn((batch, c_out, oh, ow), |(n, o, r, q)| {
            let mut y = b[o];
            for c in 0..c_in {
                for i in 0..kh {
                    for j in 0..kw {
                        let u = (r * stride.0 + i) as isize - padding.0 as isize;
                        let v = (q * stride.1 + j) as isize - padding.1 as isize;
                        if u >= 0 && v >= 0 && (u as usize) < h && (v as usize) < wd {
                            y += w[[o, c, i, j]] * x[[n, c, u as usize, v as usize]];
                        }
                    }
                }
            }
            y
        })
    }

    /// A conv1d's sizes: `(batch, c_in, c_out, length, k, stride, padding)`.
    type Case1 = (usize, usize, usize, usize, usize, usize, usize);

    /// The corners (kernel as long as the input, as long as the padded input, batch 1,
    /// stride past the kernel, padding past the kernel) and random sizes.
    fn cases1(rng: &mut StdRng, random_cases: usize) -> Vec<Case1> {
        let mut cases = vec![
            (1, 1, 1, 5, 5, 1, 0),
            (2, 2, 3, 4, 6, 1, 1),
            (1, 3, 2, 9, 2, 4, 0),
            (2, 1, 2, 3, 2, 1, 3),
            (3, 2, 1, 7, 3, 2, 1),
            (1, 1, 1, 1, 1, 1, 0),
        ];
        while cases.len() < 6 + random_cases {
            let (len, padding) = (rng.random_range(1..12), rng.random_range(0..3));
            let k = rng.random_range(1..=len + 2 * padding);
            cases.push((
                rng.random_range(1..4),
                rng.random_range(1..4),
                rng.random_range(1..4),
                len,
                k,
                rng.random_range(1..4),
                padding,
            ));
        }
        cases
    }

    /// A conv2d's sizes: `(batch, c_in, c_out, (h, w), (kh, kw), stride, padding)`.
    type Case2 = (
        usize,
        usize,
        usize,
        (usize, usize),
        (usize, usize),
        (usize, usize),
        (usize, usize),
    );

    fn cases2(rng: &mut StdRng, random_cases: usize) -> Vec<Case2> {
        let mut cases = vec![
            (1, 1, 1, (3, 3), (3, 3), (1, 1), (0, 0)),
            (2, 2, 3, (4, 5), (3, 3), (1, 1), (1, 1)),
            (1, 2, 2, (6, 7), (2, 3), (3, 4), (0, 1)),
            (2, 1, 2, (2, 3), (4, 5), (2, 1), (1, 1)),
            (2, 3, 2, (5, 4), (1, 1), (2, 2), (3, 0)),
            (1, 1, 1, (1, 6), (1, 3), (1, 2), (0, 1)),
        ];
        while cases.len() < 6 + random_cases {
            let (h, w) = (rng.random_range(1..8), rng.random_range(1..8));
            let padding = (rng.random_range(0..3), rng.random_range(0..3));
            let kernel = (
                rng.random_range(1..=(h + 2 * padding.0).min(5)),
                rng.random_range(1..=(w + 2 * padding.1).min(5)),
            );
            cases.push((
                rng.random_range(1..3),
                rng.random_range(1..4),
                rng.random_range(1..4),
                (h, w),
                kernel,
                (rng.random_range(1..4), rng.random_range(1..4)),
                padding,
            ));
        }
        cases
    }

    fn assert_close<D: Dimension>(
        got: &Array<f64, D>,
        expected: &Array<f64, D>,
        tol: f64,
        what: &str,
    ) {
        assert_eq!(got.shape(), expected.shape(), "{what}");
        for (i, (g, e)) in got.iter().zip(expected).enumerate() {
            assert!(
                (g - e).abs() <= tol * e.abs().max(1.0),
                "{what}: element {i}: {g} vs {e}"
            );
        }
    }

    /// The gradient of `f` at `x` by central differences, one element at a time.
    fn central_differences<D: Dimension>(
        x: &Array<f64, D>,
        f: impl Fn(&Array<f64, D>) -> f64,
    ) -> Array<f64, D> {
        let eps = 1e-5;
        let mut grad = Array::zeros(x.raw_dim());
        let mut probe = x.clone();
        for (i, d) in grad.iter_mut().enumerate() {
            let v = x.iter().nth(i).copied().expect("in range");
            *probe.iter_mut().nth(i).expect("in range") = v + eps;
            let up = f(&probe);
            *probe.iter_mut().nth(i).expect("in range") = v - eps;
            let down = f(&probe);
            *probe.iter_mut().nth(i).expect("in range") = v;
            *d = (up - down) / (2.0 * eps);
        }
        grad
    }

    #[test]
    fn conv1d_matches_a_naive_loop_with_stride_and_padding() {
        let mut rng = seeded(1);
        for (batch, c_in, c_out, len, k, stride, padding) in cases1(&mut rng, 40) {
            let x = random((batch, c_in, len), &mut rng);
            let w = random((c_out, c_in, k), &mut rng);
            let b = random(c_out, &mut rng);
            let what = format!(
                "x {:?} w {:?} stride {stride} padding {padding}",
                x.shape(),
                w.shape()
            );
            let expected = naive_conv1d(&x, &w, &b, stride, padding);
            assert_close(
                &conv1d(&x, &w, &b, stride, padding),
                &expected,
                1e-12,
                &what,
            );
        }
    }

    #[test]
    fn conv2d_matches_a_naive_loop_with_strides_and_paddings() {
        let mut rng = seeded(2);
        for (batch, c_in, c_out, (h, wd), (kh, kw), stride, padding) in cases2(&mut rng, 40) {
            let x = random((batch, c_in, h, wd), &mut rng);
            let w = random((c_out, c_in, kh, kw), &mut rng);
            let b = random(c_out, &mut rng);
            let what = format!(
                "x {:?} w {:?} stride {stride:?} padding {padding:?}",
                x.shape(),
                w.shape()
            );
            let expected = naive_conv2d(&x, &w, &b, stride, padding);
            assert_close(
                &conv2d(&x, &w, &b, stride, padding),
                &expected,
                1e-12,
                &what,
            );
        }
    }

    #[test]
    fn conv1d_vjps_match_central_differences() {
        let mut rng = seeded(3);
        for (batch, c_in, c_out, len, k, stride, padding) in cases1(&mut rng, 20) {
            let x = random((batch, c_in, len), &mut rng);
            let w = random((c_out, c_in, k), &mut rng);
            let b = random(c_out, &mut rng);
            let y = conv1d(&x, &w, &b, stride, padding);
            // L = Σ r·y for a random r, so dL/dy = r.
            let r = random(y.raw_dim(), &mut rng);
            let what = format!(
                "x {:?} w {:?} stride {stride} padding {padding}",
                x.shape(),
                w.shape()
            );
            let loss = |x: &Array3<f64>, w: &Array3<f64>, b: &Array1<f64>| {
                dot_all(&conv1d(x, w, b, stride, padding), &r)
            };
            let dx = central_differences(&x, |x| loss(x, &w, &b));
            let dw = central_differences(&w, |w| loss(&x, w, &b));
            let db = central_differences(&b, |b| loss(&x, &w, b));
            assert_close(&conv1d_vjp_x(&r, &w, &x, stride, padding), &dx, 1e-8, &what);
            assert_close(&conv1d_vjp_w(&r, &x, &w, stride, padding), &dw, 1e-8, &what);
            assert_close(&conv1d_vjp_b(&r, &b), &db, 1e-8, &what);
        }
    }

    #[test]
    fn conv2d_vjps_match_central_differences() {
        let mut rng = seeded(4);
        for (batch, c_in, c_out, (h, wd), (kh, kw), stride, padding) in cases2(&mut rng, 20) {
            let x = random((batch, c_in, h, wd), &mut rng);
            let w = random((c_out, c_in, kh, kw), &mut rng);
            let b = random(c_out, &mut rng);
            let y = conv2d(&x, &w, &b, stride, padding);
            let r = random(y.raw_dim(), &mut rng);
            let what = format!(
                "x {:?} w {:?} stride {stride:?} padding {padding:?}",
                x.shape(),
                w.shape()
            );
            let loss = |x: &Array4<f64>, w: &Array4<f64>, b: &Array1<f64>| {
                dot_all(&conv2d(x, w, b, stride, padding), &r)
            };
            let dx = central_differences(&x, |x| loss(x, &w, &b));
            let dw = central_differences(&w, |w| loss(&x, w, &b));
            let db = central_differences(&b, |b| loss(&x, &w, b));
            assert_close(&conv2d_vjp_x(&r, &w, &x, stride, padding), &dx, 1e-8, &what);
            assert_close(&conv2d_vjp_w(&r, &x, &w, stride, padding), &dw, 1e-8, &what);
            assert_close(&conv2d_vjp_b(&r, &b), &db, 1e-8, &what);
        }
    }

    /// The convolution is linear in `x` (at `b = 0`), in `w` and in `b`, so each VJP is
    /// exactly the transpose of the forward map: `<g, J v> == <Jᵀ g, v>` for any `g`, `v`.
    #[test]
    fn conv_vjps_are_the_transposes_of_the_forward() {
        let mut rng = seeded(5);
        for (batch, c_in, c_out, len, k, stride, padding) in cases1(&mut rng, 60) {
            let x = random((batch, c_in, len), &mut rng);
            let w = random((c_out, c_in, k), &mut rng);
            let zero = Array1::zeros(c_out);
            let g = random(conv1d(&x, &w, &zero, stride, padding).raw_dim(), &mut rng);
            let (vx, vw, vb) = (
                random(x.raw_dim(), &mut rng),
                random(w.raw_dim(), &mut rng),
                random(c_out, &mut rng),
            );
            let pairs = [
                (
                    dot_all(&g, &conv1d(&vx, &w, &zero, stride, padding)),
                    dot_all(&conv1d_vjp_x(&g, &w, &x, stride, padding), &vx),
                ),
                (
                    dot_all(&g, &conv1d(&x, &vw, &zero, stride, padding)),
                    dot_all(&conv1d_vjp_w(&g, &x, &w, stride, padding), &vw),
                ),
                (
                    dot_all(&g, &conv1d(x.mapv(|_| 0.0), &w, &vb, stride, padding)),
                    dot_all(&conv1d_vjp_b(&g, &vb), &vb),
                ),
            ];
            for (forward, backward) in pairs {
                assert!(
                    (forward - backward).abs() <= 1e-12 * forward.abs().max(1.0),
                    "x {:?} w {:?}: {forward} vs {backward}",
                    x.shape(),
                    w.shape()
                );
            }
        }
        for (batch, c_in, c_out, (h, wd), (kh, kw), stride, padding) in cases2(&mut rng, 60) {
            let x = random((batch, c_in, h, wd), &mut rng);
            let w = random((c_out, c_in, kh, kw), &mut rng);
            let zero = Array1::zeros(c_out);
            let g = random(conv2d(&x, &w, &zero, stride, padding).raw_dim(), &mut rng);
            let (vx, vw, vb) = (
                random(x.raw_dim(), &mut rng),
                random(w.raw_dim(), &mut rng),
                random(c_out, &mut rng),
            );
            let pairs = [
                (
                    dot_all(&g, &conv2d(&vx, &w, &zero, stride, padding)),
                    dot_all(&conv2d_vjp_x(&g, &w, &x, stride, padding), &vx),
                ),
                (
                    dot_all(&g, &conv2d(&x, &vw, &zero, stride, padding)),
                    dot_all(&conv2d_vjp_w(&g, &x, &w, stride, padding), &vw),
                ),
                (
                    dot_all(&g, &conv2d(x.mapv(|_| 0.0), &w, &vb, stride, padding)),
                    dot_all(&conv2d_vjp_b(&g, &vb), &vb),
                ),
            ];
            for (forward, backward) in pairs {
                assert!(
                    (forward - backward).abs() <= 1e-12 * forward.abs().max(1.0),
                    "x {:?} w {:?}: {forward} vs {backward}",
                    x.shape(),
                    w.shape()
                );
            }
        }
    }

    /// Small maps put many batch elements in one product ([`MIN_COLUMNS`]), the last
    /// product covering fewer than the others.
    #[test]
    fn batches_split_across_several_products_agree_with_the_naive_loop() {
        let mut rng = seeded(6);
        let (len, k, padding) = (40, 3, 1);
        let chunk = MIN_COLUMNS.div_ceil(len);
        let batch = 2 * chunk + 3;
        let x = random((batch, 2, len), &mut rng);
        let w = random((3, 2, k), &mut rng);
        let b = random(3, &mut rng);
        assert_close(
            &conv1d(&x, &w, &b, 1, padding),
            &naive_conv1d(&x, &w, &b, 1, padding),
            1e-12,
            "forward",
        );
        let g = random((batch, 3, len), &mut rng);
        let (vx, vw) = (random(x.raw_dim(), &mut rng), random(w.raw_dim(), &mut rng));
        let zero = Array1::zeros(3);
        let forward = dot_all(&g, &naive_conv1d(&vx, &w, &zero, 1, padding));
        let backward = dot_all(&conv1d_vjp_x(&g, &w, &x, 1, padding), &vx);
        assert!((forward - backward).abs() <= 1e-10 * forward.abs().max(1.0));
        let forward = dot_all(&g, &naive_conv1d(&x, &vw, &zero, 1, padding));
        let backward = dot_all(&conv1d_vjp_w(&g, &x, &w, 1, padding), &vw);
        assert!((forward - backward).abs() <= 1e-10 * forward.abs().max(1.0));
    }

    #[test]
    fn strided_views_and_owned_operands_give_the_same_results() {
        let mut rng = seeded(7);
        let x = random((2, 3, 5, 6), &mut rng);
        let w = random((4, 3, 3, 2), &mut rng);
        let b = random(4, &mut rng);
        let expected = naive_conv2d(&x, &w, &b, (1, 2), (1, 0));
        // The same values behind other strides: every other element of a larger array,
        // and axes swapped twice.
        let mut big = random((2, 3, 10, 6), &mut rng);
        big.slice_mut(s![.., .., ..;2, ..]).assign(&x);
        let spread = big.slice(s![.., .., ..;2, ..]);
        let mut swapped = x
            .clone()
            .permuted_axes([0, 1, 3, 2])
            .as_standard_layout()
            .to_owned();
        swapped.swap_axes(2, 3);
        assert!(!swapped.is_standard_layout());
        for got in [
            conv2d(spread, &w, &b, (1, 2), (1, 0)),
            conv2d(&swapped, w.view(), b.clone(), (1, 2), (1, 0)),
            conv2d(x.clone(), w.clone(), &b, (1, 2), (1, 0)),
        ] {
            assert_close(&got, &expected, 1e-12, "forward");
        }
        let g = random(expected.raw_dim(), &mut rng);
        let mut g_t = g
            .clone()
            .permuted_axes([1, 0, 2, 3])
            .as_standard_layout()
            .to_owned();
        g_t.swap_axes(0, 1);
        let dx = conv2d_vjp_x(&g, &w, &x, (1, 2), (1, 0));
        let dw = conv2d_vjp_w(&g, &x, &w, (1, 2), (1, 0));
        let db = conv2d_vjp_b(&g, &b);
        assert_close(
            &conv2d_vjp_x(&g_t, &w, shape_of(&x), (1, 2), (1, 0)),
            &dx,
            1e-12,
            "dx",
        );
        assert_close(
            &conv2d_vjp_w(g_t.view(), spread, shape_of(&w), (1, 2), (1, 0)),
            &dw,
            1e-12,
            "dw",
        );
        assert_close(&conv2d_vjp_b(g_t.clone(), shape_of(&b)), &db, 1e-12, "db");
    }

    #[test]
    fn single_precision_agrees_with_the_double_precision_oracle() {
        let mut rng = seeded(8);
        let x = random((2, 3, 20, 18), &mut rng);
        let w = random((8, 3, 3, 3), &mut rng);
        let b = random(8, &mut rng);
        let expected = naive_conv2d(&x, &w, &b, (1, 1), (1, 1));
        let single = |a: &Array4<f64>| a.mapv(|v| v as f32);
        let got = conv2d(single(&x), single(&w), b.mapv(|v| v as f32), (1, 1), (1, 1));
        assert_close(&got.mapv(f64::from), &expected, 1e-5, "f32 forward");
        let g = random(expected.raw_dim(), &mut rng);
        let dx = conv2d_vjp_x(single(&g), single(&w), shape_of(single(&x)), (1, 1), (1, 1))
            .mapv(f64::from);
        let dw = conv2d_vjp_w(single(&g), single(&x), shape_of(single(&w)), (1, 1), (1, 1))
            .mapv(f64::from);
        assert_close(
            &dx,
            &conv2d_vjp_x(&g, &w, &x, (1, 1), (1, 1)),
            1e-5,
            "f32 dx",
        );
        assert_close(
            &dw,
            &conv2d_vjp_w(&g, &x, &w, (1, 1), (1, 1)),
            1e-4,
            "f32 dw",
        );
    }

    /// After one step the pool holds every buffer a later step needs: a step's results
    /// come out of the pool (which holds at least that much less while they are out; a
    /// result may take a larger buffer), and what a step gives back is what it took.
    #[test]
    fn later_steps_take_their_results_from_the_pool() {
        let mut rng = seeded(9);
        let x = random((3, 2, 9, 9), &mut rng).mapv(|v| v as f32);
        let w = random((4, 2, 3, 3), &mut rng).mapv(|v| v as f32);
        let b = Array1::<f32>::zeros(4);
        pool::clear();
        let mut held = None;
        for _ in 0..3 {
            let y = conv2d(&x, &w, &b, (1, 1), (1, 1));
            let dx = conv2d_vjp_x(&y, &w, &x, (1, 1), (1, 1));
            let dw = conv2d_vjp_w(&y, &x, &w, (1, 1), (1, 1));
            let db = conv2d_vjp_b(&y, &b);
            let bytes = 4 * (y.len() + dx.len() + dw.len() + db.len());
            if let Some(held) = held {
                assert!(pool::held_bytes() + bytes <= held);
            }
            for r in [y, dx, dw] {
                pool::recycle(r);
            }
            pool::recycle(db);
            assert_eq!(*held.get_or_insert(pool::held_bytes()), pool::held_bytes());
        }
        pool::clear();
    }

    #[test]
    fn conv_outputs_as_pytorch_computes_them() {
        // torch.nn.functional.conv1d(torch.arange(1., 7.).view(1, 1, 6),
        //     torch.tensor([[[1., -1., 2.]]]), torch.tensor([0.5]), stride=2, padding=1)
        let x = Array3::from_shape_fn((1, 1, 6), |(_, _, i)| (i + 1) as f64);
        let w = ndarray::array![[[1.0, -1.0, 2.0]]];
        let y = conv1d(&x, &w, &ndarray::array![0.5], 2, 1);
        // Windows [0, 1, 2], [2, 3, 4], [4, 5, 6]: 0 - 1 + 4, 2 - 3 + 8, 4 - 5 + 12.
        assert_eq!(y, ndarray::array![[[3.5, 7.5, 11.5]]]);
    }

    #[test]
    #[should_panic(
        expected = "conv1d: input has 3 channels but the weight expects 4 (x [2, 3, 10], w [8, 4, 3])"
    )]
    fn conv1d_with_mismatched_channels_panics_naming_both_shapes() {
        conv1d(
            &Array3::<f32>::zeros((2, 3, 10)),
            &Array3::zeros((8, 4, 3)),
            &Array1::zeros(8),
            1,
            0,
        );
    }

    #[test]
    #[should_panic(
        expected = "conv2d: the kernel width 6 exceeds the padded input width 5 (3 + 2 × padding 1) (x [1, 1, 4, 3], w [2, 1, 3, 6])"
    )]
    fn conv2d_with_a_kernel_larger_than_the_padded_input_panics() {
        conv2d(
            &Array4::<f32>::zeros((1, 1, 4, 3)),
            &Array4::zeros((2, 1, 3, 6)),
            &Array1::zeros(2),
            (1, 1),
            (1, 1),
        );
    }

    #[test]
    #[should_panic(expected = "conv2d: the stride must be positive, got (1, 0)")]
    fn conv2d_with_a_zero_stride_panics() {
        conv2d(
            &Array4::<f32>::zeros((1, 1, 4, 4)),
            &Array4::zeros((2, 1, 3, 3)),
            &Array1::zeros(2),
            (1, 0),
            (0, 0),
        );
    }

    #[test]
    #[should_panic(expected = "conv1d: the kernel length is 0 (x [1, 1, 4], w [2, 1, 0])")]
    fn conv1d_with_an_empty_kernel_panics() {
        conv1d(
            &Array3::<f32>::zeros((1, 1, 4)),
            &Array3::zeros((2, 1, 0)),
            &Array1::zeros(2),
            1,
            0,
        );
    }

    #[test]
    #[should_panic(
        expected = "conv2d: the bias has 3 elements but the weight has 2 output channels (w [2, 1, 3, 3], b [3])"
    )]
    fn conv2d_with_a_bias_of_the_wrong_length_panics() {
        conv2d(
            &Array4::<f32>::zeros((1, 1, 4, 4)),
            &Array4::zeros((2, 1, 3, 3)),
            &Array1::zeros(3),
            (1, 1),
            (0, 0),
        );
    }

    #[test]
    #[should_panic(
        expected = "conv1d_vjp_w: g has shape [2, 8, 9] but the output of x [2, 3, 10] and w [8, 3, 3] has shape [2, 8, 8]"
    )]
    fn a_gradient_of_the_wrong_shape_panics() {
        conv1d_vjp_w(
            &Array3::<f64>::zeros((2, 8, 9)),
            &Array3::zeros((2, 3, 10)),
            &Array3::zeros((8, 3, 3)),
            1,
            0,
        );
    }

    #[test]
    #[should_panic(expected = "conv2d_vjp_b: g has 4 channels but the bias has 3 elements")]
    fn a_bias_gradient_of_the_wrong_channels_panics() {
        conv2d_vjp_b(&Array4::<f64>::zeros((2, 4, 3, 3)), &Array1::zeros(3));
    }

    /// Forward and backward of the two convolutions of a small image network, in f32,
    /// each result going back to the pool as a training step's would. Prints, never
    /// asserts: `cargo test --release -p cadena --lib conv -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing: run in release with --ignored --nocapture"]
    fn conv2d_timings_at_batch_32() {
        use std::time::Instant;
        fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
            for _ in 0..3 {
                f();
            }
            let mut times: Vec<f64> = (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    f();
                    start.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times[runs / 2]
        }
        let mut rng = seeded(10);
        for (x_shape, w_shape) in [
            ((32, 1, 64, 64), (16, 1, 3, 3)),
            ((32, 16, 32, 32), (32, 16, 3, 3)),
        ] {
            let x = random(x_shape, &mut rng).mapv(|v| v as f32);
            let w = random(w_shape, &mut rng).mapv(|v| v as f32);
            let b = random(w_shape.0, &mut rng).mapv(|v| v as f32);
            let g =
                random((x_shape.0, w_shape.0, x_shape.2, x_shape.3), &mut rng).mapv(|v| v as f32);
            let (stride, padding) = ((1, 1), (1, 1));
            let forward = median_ms(20, || pool::recycle(conv2d(&x, &w, &b, stride, padding)));
            let dx = median_ms(20, || {
                pool::recycle(conv2d_vjp_x(&g, &w, &x, stride, padding))
            });
            let dw = median_ms(20, || {
                pool::recycle(conv2d_vjp_w(&g, &x, &w, stride, padding))
            });
            let db = median_ms(20, || pool::recycle(conv2d_vjp_b(&g, &b)));
            let gmacs = (g.len() * w_shape.1 * 9) as f64 / 1e9;
            println!(
                "conv2d x {x_shape:?} w {w_shape:?} f32: forward {forward:.2} ms ({:.1} GFLOP/s), \
                 vjp_x {dx:.2} ms, vjp_w {dw:.2} ms, vjp_b {db:.3} ms; \
                 forward + backward (w, b) {:.2} ms, with x {:.2} ms",
                2.0 * gmacs / forward * 1e3,
                forward + dw + db,
                forward + dx + dw + db,
            );
        }
    }
}
