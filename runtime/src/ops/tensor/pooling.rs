//! Max and average pooling of batches of signals (`_pool1d`) and images (`_pool2d`) in
//! PyTorch's layouts, without padding and rounding the output size down (PyTorch's
//! `ceil_mode=False`), and their VJPs. A signal is an image one row high, so both ranks
//! share one set of loops over `(batch × channels)` planes. (The buffer pool is
//! [`pool`](super::pool); this is the layer.)

use ndarray::{Array3, Array4, Dimension, Ix3, Ix4};

use super::conv::with_row_major;
use super::operand::Operand;
use super::pool;
use crate::Float;

/// A pooling's sizes, as an image's (a signal is one row high), over `planes`
/// independent `h × w` planes.
#[derive(Clone, Copy, Debug)]
struct Window {
    planes: usize,
    h: usize,
    w: usize,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
    oh: usize,
    ow: usize,
}

/// `2` for one spatial axis, `(2, 2)` for two: the caller's spelling of a size.
fn spelled(values: &[usize]) -> String {
    match values {
        [v] => v.to_string(),
        [a, b] => format!("({a}, {b})"),
        _ => format!("{values:?}"),
    }
}

/// Checks a pooling's shape as the caller passed it (`x` of rank 3 for `_pool1d`, 4 for
/// `_pool2d`; `kernel` and `stride` one per spatial axis) and gives its geometry.
#[track_caller]
fn window(op: &str, x: &[usize], kernel: &[usize], stride: &[usize]) -> Window {
    let names: &[&str] = if x.len() == 3 {
        &["length"]
    } else {
        &["height", "width"]
    };
    assert!(
        kernel.iter().all(|&k| k > 0),
        "{op}: the kernel size must be positive, got {} (x {x:?})",
        spelled(kernel)
    );
    assert!(
        stride.iter().all(|&s| s > 0),
        "{op}: the stride must be positive, got {} (x {x:?})",
        spelled(stride)
    );
    let mut out = [1; 2];
    for (axis, name) in names.iter().enumerate() {
        let (n, k) = (x[2 + axis], kernel[axis]);
        assert!(
            k <= n,
            "{op}: the kernel {name} {k} exceeds the input {name} {n} (x {x:?}, kernel {})",
            spelled(kernel)
        );
        out[axis] = (n - k) / stride[axis] + 1;
    }
    let planes = x[0] * x[1];
    if x.len() == 3 {
        Window {
            planes,
            h: 1,
            w: x[2],
            kh: 1,
            kw: kernel[0],
            sh: 1,
            sw: stride[0],
            oh: 1,
            ow: out[0],
        }
    } else {
        Window {
            planes,
            h: x[2],
            w: x[3],
            kh: kernel[0],
            kw: kernel[1],
            sh: stride[0],
            sw: stride[1],
            oh: out[0],
            ow: out[1],
        }
    }
}

impl Window {
    /// The output's shape at the caller's rank, for batch and channels `x[..2]`.
    fn output_shape(&self, x: &[usize]) -> OutputShape {
        if x.len() == 3 {
            OutputShape([x[0], x[1], self.ow, 0], 3)
        } else {
            OutputShape([x[0], x[1], self.oh, self.ow], 4)
        }
    }

    /// Calls `f(input, output)` for every window: `input` is the offset of its top-left
    /// element in the (row-major) input, `output` the offset of its output.
    fn each(&self, mut f: impl FnMut(usize, usize)) {
        let (plane, out_plane) = (self.h * self.w, self.oh * self.ow);
        for p in 0..self.planes {
            for oy in 0..self.oh {
                for ox in 0..self.ow {
                    f(
                        p * plane + oy * self.sh * self.w + ox * self.sw,
                        p * out_plane + oy * self.ow + ox,
                    );
                }
            }
        }
    }

    /// Calls `f(input, output)` for every output row: `input` is the offset of the
    /// top-left element of its first window in the (row-major) input, `output` the
    /// offset of its first output.
    fn each_row(&self, mut f: impl FnMut(usize, usize)) {
        let (plane, out_plane) = (self.h * self.w, self.oh * self.ow);
        for p in 0..self.planes {
            for oy in 0..self.oh {
                f(
                    p * plane + oy * self.sh * self.w,
                    p * out_plane + oy * self.ow,
                );
            }
        }
    }

    /// The sum of the window at `start` in `x` (row-major).
    fn sum<A: Float>(&self, x: &[A], start: usize) -> A {
        (0..self.kh).fold(A::zero(), |s, i| {
            let row = start + i * self.w;
            x[row..row + self.kw].iter().fold(s, |s, &v| s + v)
        })
    }
}

/// An output's shape without a heap allocation (a step allocates nothing): the sizes
/// and how many of them are used.
struct OutputShape([usize; 4], usize);

impl OutputShape {
    fn as_slice(&self) -> &[usize] {
        &self.0[..self.1]
    }
}

#[track_caller]
fn check_gradient(
    op: &str,
    g: &[usize],
    win: &Window,
    x: &[usize],
    kernel: &[usize],
    stride: &[usize],
) {
    let expected = win.output_shape(x);
    let expected = expected.as_slice();
    assert!(
        g == expected,
        "{op}: g has shape {g:?} but pooling x {x:?} with kernel {} and stride {} gives {expected:?}",
        spelled(kernel),
        spelled(stride)
    );
}

/// Each window's maximum of `x` (row-major) into `out`. Output rows are filled a whole
/// row at a time, one window element after another (in row-major order, so the first of
/// equal maxima stands), which keeps the inner loop a branch-free pass over memory.
fn max_forward<A: Float>(x: &[A], win: &Window, out: &mut [A]) {
    win.each_row(|input, output| {
        let out_row = &mut out[output..output + win.ow];
        for i in 0..win.kh {
            let row = &x[input + i * win.w..];
            for j in 0..win.kw {
                let taps = row[j..].iter().step_by(win.sw);
                if i == 0 && j == 0 {
                    out_row.iter_mut().zip(taps).for_each(|(o, &v)| *o = v);
                } else {
                    out_row
                        .iter_mut()
                        .zip(taps)
                        .for_each(|(o, &v)| *o = if v > *o || v.is_nan() { v } else { *o });
                }
            }
        }
    });
}

thread_local! {
    /// Where each window of an output row has its maximum, for [`max_backward`]: kept
    /// per thread so a step allocates nothing after the first.
    static ARGMAX: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Each window's mean of `x` (row-major) into `out`.
fn avg_forward<A: Float>(x: &[A], win: &Window, out: &mut [A]) {
    let scale = A::of((win.kh * win.kw) as f64).recip();
    win.each(|i, o| out[o] = win.sum(x, i) * scale);
}

/// Where each window of `x` (row-major) has its first maximum (a NaN is the maximum):
/// `at` gets each output row's offset and the flat index into `x` of every window's
/// maximum, a row at a time.
fn argmax_rows<A: Float>(x: &[A], win: &Window, mut at: impl FnMut(usize, &[usize])) {
    let mut best = super::pool::take::<A>(win.ow);
    ARGMAX.with_borrow_mut(|places_of| {
        places_of.clear();
        places_of.resize(win.ow, 0);
        win.each_row(|input, output| {
            for i in 0..win.kh {
                let start = input + i * win.w;
                for j in 0..win.kw {
                    let taps = x[start + j..].iter().step_by(win.sw);
                    let places = (start + j..).step_by(win.sw);
                    let lanes = best
                        .iter_mut()
                        .zip(places_of.iter_mut())
                        .zip(taps.zip(places));
                    if i == 0 && j == 0 {
                        lanes.for_each(|((b, a), (&v, k))| (*b, *a) = (v, k));
                    } else {
                        lanes.for_each(|((b, a), (&v, k))| {
                            if v > *b || v.is_nan() {
                                (*b, *a) = (v, k);
                            }
                        });
                    }
                }
            }
            at(output, places_of);
        });
    });
    super::pool::give(best);
}

/// `dL/dx` of max pooling: each window's gradient onto its first maximum, accumulating
/// where windows overlap.
fn max_backward<A: Float>(g: &[A], x: &[A], win: &Window, dx: &mut [A]) {
    argmax_rows(x, win, |output, places| {
        for (&k, &d) in places.iter().zip(&g[output..output + win.ow]) {
            dx[k] += d;
        }
    });
}

/// The values of `c` (shaped as `x`) at each window's first maximum of `x`: the adjoint
/// of [`max_backward`] with respect to its gradient.
fn max_gather<A: Float>(c: &[A], x: &[A], win: &Window, out: &mut [A]) {
    argmax_rows(x, win, |output, places| {
        for (o, &k) in out[output..output + win.ow].iter_mut().zip(places) {
            *o = c[k];
        }
    });
}

/// `dL/dx` of average pooling: each window's gradient spread evenly over it,
/// accumulating where windows overlap.
fn avg_backward<A: Float>(g: &[A], win: &Window, dx: &mut [A]) {
    let scale = A::of((win.kh * win.kw) as f64).recip();
    win.each(|i, o| {
        let share = g[o] * scale;
        for r in 0..win.kh {
            let row = i + r * win.w;
            dx[row..row + win.kw].iter_mut().for_each(|d| *d += share);
        }
    });
}

/// Runs a forward kernel over `x` into a pool array of the output's shape.
fn pooled<A: Float, D: Dimension>(
    x: ndarray::ArrayView<'_, A, D>,
    win: &Window,
    kernel: impl FnOnce(&[A], &Window, &mut [A]),
) -> ndarray::Array<A, D> {
    let shape = win.output_shape(x.shape());
    let mut dim = D::zeros(shape.1);
    dim.slice_mut().copy_from_slice(shape.as_slice());
    let mut out = pool::array::<A, D>(dim);
    let values = out.as_slice_mut().expect("a pool array is row-major");
    with_row_major(x, |x| kernel(x, win, values));
    out
}

/// Runs a backward kernel of `g` into a pool array of zeros shaped as `x`.
fn unpooled<A: Float, D: Dimension>(
    g: ndarray::ArrayView<'_, A, D>,
    x_dim: D,
    win: &Window,
    kernel: impl FnOnce(&[A], &Window, &mut [A]),
) -> ndarray::Array<A, D> {
    let mut dx = pool::zeros::<A, D>(x_dim);
    let values = dx.as_slice_mut().expect("a pool array is row-major");
    with_row_major(g, |g| kernel(g, win, values));
    dx
}

/// Max pooling of a batch of signals `x` (`batch × channels × length`): the maximum of
/// each window of `kernel` elements, windows `stride` apart, no padding.
///
/// ```text
/// y[n, c, t] = max_{j < kernel} x[n, c, t·stride + j]
/// shape: batch × channels × ((length - kernel) / stride + 1)
/// ```
///
/// A NaN in a window is its maximum, as in PyTorch.
///
/// # Panics
///
/// If `kernel` or `stride` is 0, or `kernel` exceeds the length.
///
/// ```
/// use cadena::ops::tensor::max_pool1d;
/// use ndarray::array;
///
/// let x = array![[[1.0_f32, 3.0, 2.0, 5.0, 4.0]]];
/// assert_eq!(max_pool1d(&x, 2, 2), array![[[3.0, 5.0]]]);
/// assert_eq!(max_pool1d(&x, 3, 1), array![[[3.0, 5.0, 5.0]]]);
/// ```
#[track_caller]
pub fn max_pool1d<X>(x: X, kernel: usize, stride: usize) -> Array3<X::Elem>
where
    X: Operand<Dim = Ix3>,
{
    let xv = x.view();
    let win = window("max_pool1d", xv.shape(), &[kernel], &[stride]);
    let y = pooled(xv, &win, max_forward);
    x.recycle();
    y
}

/// `dL/dx` for `y = max_pool1d(x, kernel, stride)` given `g = dL/dy`: each window's
/// gradient goes to the element that was its maximum. `x` is the forward input (its
/// values pick the maxima). When several elements of a window tie for its maximum, the
/// first gets the gradient, as in PyTorch; where windows overlap (`stride < kernel`) an
/// element that is the maximum of several collects all their gradients.
///
/// # Panics
///
/// As [`max_pool1d`] for `x`, and if `g` does not have the shape of the output.
///
/// ```
/// use cadena::ops::tensor::max_pool1d_vjp;
/// use ndarray::array;
///
/// let x = array![[[1.0_f64, 3.0, 3.0, 2.0]]];
/// let g = array![[[10.0, 20.0, 30.0]]];
/// // Windows [1, 3], [3, 3] (a tie: the first 3 wins) and [3, 2].
/// assert_eq!(max_pool1d_vjp(&g, &x, 2, 1), array![[[0.0, 30.0, 30.0, 0.0]]]);
/// ```
#[track_caller]
pub fn max_pool1d_vjp<G, X>(g: G, x: X, kernel: usize, stride: usize) -> Array3<G::Elem>
where
    G: Operand<Dim = Ix3>,
    X: Operand<Elem = G::Elem, Dim = Ix3>,
{
    let (gv, xv) = (g.view(), x.view());
    let win = window("max_pool1d_vjp", xv.shape(), &[kernel], &[stride]);
    check_gradient(
        "max_pool1d_vjp",
        gv.shape(),
        &win,
        xv.shape(),
        &[kernel],
        &[stride],
    );
    let dx = with_row_major(xv.view(), |x| {
        unpooled(gv, xv.raw_dim(), &win, |g, win, dx| {
            max_backward(g, x, win, dx)
        })
    });
    g.recycle();
    x.recycle();
    dx
}

/// The values of `c` (shaped as `x`) at each window's maximum of `x`, in the shape of
/// `max_pool1d(x, kernel, stride)`: the adjoint of [`max_pool1d_vjp`] with respect to its
/// gradient, which a Hessian-vector product through a max pool takes (the first of tied
/// maxima, and a NaN as the maximum, as there).
///
/// # Panics
///
/// As [`max_pool1d`] for `x`, and if `c` does not have `x`'s shape.
///
/// ```
/// use cadena::ops::tensor::max_pool1d_gather;
/// use ndarray::array;
///
/// let x = array![[[1.0_f64, 3.0, 3.0, 2.0]]];
/// let c = array![[[10.0, 20.0, 30.0, 40.0]]];
/// // Windows [1, 3], [3, 3] (the first 3) and [3, 2].
/// assert_eq!(max_pool1d_gather(&c, &x, 2, 1), array![[[20.0, 20.0, 30.0]]]);
/// ```
#[track_caller]
pub fn max_pool1d_gather<C, X>(c: C, x: X, kernel: usize, stride: usize) -> Array3<C::Elem>
where
    C: Operand<Dim = Ix3>,
    X: Operand<Elem = C::Elem, Dim = Ix3>,
{
    let (cv, xv) = (c.view(), x.view());
    let win = window("max_pool1d_gather", xv.shape(), &[kernel], &[stride]);
    assert_eq!(
        cv.shape(),
        xv.shape(),
        "max_pool1d_gather: c and x differ in shape"
    );
    let out = with_row_major(cv, |c| {
        pooled(xv.view(), &win, |x, win, out| max_gather(c, x, win, out))
    });
    c.recycle();
    x.recycle();
    out
}

/// Average pooling of a batch of signals `x` (`batch × channels × length`): the mean of
/// each window of `kernel` elements, windows `stride` apart, no padding.
///
/// ```text
/// y[n, c, t] = (1 / kernel) Σ_{j < kernel} x[n, c, t·stride + j]
/// shape: batch × channels × ((length - kernel) / stride + 1)
/// ```
///
/// # Panics
///
/// If `kernel` or `stride` is 0, or `kernel` exceeds the length.
///
/// ```
/// use cadena::ops::tensor::avg_pool1d;
/// use ndarray::array;
///
/// let x = array![[[1.0_f32, 3.0, 2.0, 6.0, 4.0]]];
/// assert_eq!(avg_pool1d(&x, 2, 2), array![[[2.0, 4.0]]]);
/// ```
#[track_caller]
pub fn avg_pool1d<X>(x: X, kernel: usize, stride: usize) -> Array3<X::Elem>
where
    X: Operand<Dim = Ix3>,
{
    let xv = x.view();
    let win = window("avg_pool1d", xv.shape(), &[kernel], &[stride]);
    let y = pooled(xv, &win, avg_forward);
    x.recycle();
    y
}

/// `dL/dx` for `y = avg_pool1d(x, kernel, stride)` given `g = dL/dy`: each window's
/// gradient divided evenly among its elements, summed where windows overlap. Only `x`'s
/// shape is read, so `x` may be a [`Shape`](super::Shape).
///
/// # Panics
///
/// As [`avg_pool1d`] for `x`, and if `g` does not have the shape of the output.
///
/// ```
/// use cadena::ops::tensor::avg_pool1d_vjp;
/// use ndarray::{Array3, array};
///
/// let x = Array3::<f64>::zeros((1, 1, 4));
/// let g = array![[[2.0, 4.0, 6.0]]];
/// // Windows of 2, one apart: the middle elements are in two windows each.
/// assert_eq!(avg_pool1d_vjp(&g, &x, 2, 1), array![[[1.0, 3.0, 5.0, 3.0]]]);
/// ```
#[track_caller]
pub fn avg_pool1d_vjp<G, X>(g: G, x: X, kernel: usize, stride: usize) -> Array3<G::Elem>
where
    G: Operand<Dim = Ix3>,
    X: Operand<Elem = G::Elem, Dim = Ix3>,
{
    let gv = g.view();
    let x_dim = x.view().raw_dim();
    let win = window("avg_pool1d_vjp", x_dim.slice(), &[kernel], &[stride]);
    check_gradient(
        "avg_pool1d_vjp",
        gv.shape(),
        &win,
        x_dim.slice(),
        &[kernel],
        &[stride],
    );
    let dx = unpooled(gv, x_dim, &win, avg_backward);
    g.recycle();
    x.recycle();
    dx
}

/// Max pooling of a batch of images `x` (`batch × channels × h × w`): the maximum of each
/// `kernel.0 × kernel.1` window, windows `stride.0` rows and `stride.1` columns apart, no
/// padding.
///
/// ```text
/// y[n, c, r, s] = max_{i < kernel.0, j < kernel.1} x[n, c, r·stride.0 + i, s·stride.1 + j]
/// shape: batch × channels × ((h - kernel.0) / stride.0 + 1) × ((w - kernel.1) / stride.1 + 1)
/// ```
///
/// A NaN in a window is its maximum, as in PyTorch.
///
/// # Panics
///
/// If a kernel size or stride is 0, or the kernel exceeds the image.
///
/// ```
/// use cadena::ops::tensor::max_pool2d;
/// use ndarray::{Array4, array};
///
/// let x = array![[[[1.0_f32, 2.0, 5.0, 6.0], [3.0, 4.0, 7.0, 8.0]]]];
/// assert_eq!(max_pool2d(&x, (2, 2), (2, 2)), array![[[[4.0, 8.0]]]]);
///
/// // As a forward pass reads it: halves a feature map.
/// let h = Array4::<f32>::ones((32, 16, 64, 64));
/// assert_eq!(max_pool2d(&h, (2, 2), (2, 2)).shape(), &[32, 16, 32, 32]);
/// ```
#[track_caller]
pub fn max_pool2d<X>(x: X, kernel: (usize, usize), stride: (usize, usize)) -> Array4<X::Elem>
where
    X: Operand<Dim = Ix4>,
{
    let xv = x.view();
    let win = window(
        "max_pool2d",
        xv.shape(),
        &[kernel.0, kernel.1],
        &[stride.0, stride.1],
    );
    let y = pooled(xv, &win, max_forward);
    x.recycle();
    y
}

/// `dL/dx` for `y = max_pool2d(x, kernel, stride)` given `g = dL/dy`: each window's
/// gradient goes to the element that was its maximum. `x` is the forward input (its
/// values pick the maxima). When several elements of a window tie for its maximum, the
/// first in row-major order gets the gradient, as in PyTorch; where windows overlap an
/// element that is the maximum of several collects all their gradients.
///
/// # Panics
///
/// As [`max_pool2d`] for `x`, and if `g` does not have the shape of the output.
///
/// ```
/// use cadena::ops::tensor::max_pool2d_vjp;
/// use ndarray::array;
///
/// // A tie between the two 4s: the first, in row-major order, gets the gradient.
/// let x = array![[[[1.0_f64, 4.0], [4.0, 2.0]]]];
/// let g = array![[[[10.0]]]];
/// assert_eq!(max_pool2d_vjp(&g, &x, (2, 2), (2, 2)), array![[[[0.0, 10.0], [0.0, 0.0]]]]);
/// ```
#[track_caller]
pub fn max_pool2d_vjp<G, X>(
    g: G,
    x: X,
    kernel: (usize, usize),
    stride: (usize, usize),
) -> Array4<G::Elem>
where
    G: Operand<Dim = Ix4>,
    X: Operand<Elem = G::Elem, Dim = Ix4>,
{
    let (gv, xv) = (g.view(), x.view());
    let (kernel, stride) = ([kernel.0, kernel.1], [stride.0, stride.1]);
    let win = window("max_pool2d_vjp", xv.shape(), &kernel, &stride);
    check_gradient(
        "max_pool2d_vjp",
        gv.shape(),
        &win,
        xv.shape(),
        &kernel,
        &stride,
    );
    let dx = with_row_major(xv.view(), |x| {
        unpooled(gv, xv.raw_dim(), &win, |g, win, dx| {
            max_backward(g, x, win, dx)
        })
    });
    g.recycle();
    x.recycle();
    dx
}

/// The values of `c` (shaped as `x`) at each window's maximum of `x`, in the shape of
/// `max_pool2d(x, kernel, stride)`: the adjoint of [`max_pool2d_vjp`] with respect to its
/// gradient (see [`max_pool1d_gather`]).
///
/// # Panics
///
/// As [`max_pool2d`] for `x`, and if `c` does not have `x`'s shape.
///
/// ```
/// use cadena::ops::tensor::max_pool2d_gather;
/// use ndarray::array;
///
/// let x = array![[[[1.0_f64, 4.0], [4.0, 2.0]]]];
/// let c = array![[[[10.0, 20.0], [30.0, 40.0]]]];
/// // The first of the two 4s, in row-major order.
/// assert_eq!(max_pool2d_gather(&c, &x, (2, 2), (2, 2)), array![[[[20.0]]]]);
/// ```
#[track_caller]
pub fn max_pool2d_gather<C, X>(
    c: C,
    x: X,
    kernel: (usize, usize),
    stride: (usize, usize),
) -> Array4<C::Elem>
where
    C: Operand<Dim = Ix4>,
    X: Operand<Elem = C::Elem, Dim = Ix4>,
{
    let (cv, xv) = (c.view(), x.view());
    let (kernel, stride) = ([kernel.0, kernel.1], [stride.0, stride.1]);
    let win = window("max_pool2d_gather", xv.shape(), &kernel, &stride);
    assert_eq!(
        cv.shape(),
        xv.shape(),
        "max_pool2d_gather: c and x differ in shape"
    );
    let out = with_row_major(cv, |c| {
        pooled(xv.view(), &win, |x, win, out| max_gather(c, x, win, out))
    });
    c.recycle();
    x.recycle();
    out
}

/// Average pooling of a batch of images `x` (`batch × channels × h × w`): the mean of
/// each `kernel.0 × kernel.1` window, windows `stride.0` rows and `stride.1` columns
/// apart, no padding.
///
/// ```text
/// y[n, c, r, s] = (1 / (kernel.0·kernel.1)) Σ_{i, j} x[n, c, r·stride.0 + i, s·stride.1 + j]
/// shape: batch × channels × ((h - kernel.0) / stride.0 + 1) × ((w - kernel.1) / stride.1 + 1)
/// ```
///
/// # Panics
///
/// If a kernel size or stride is 0, or the kernel exceeds the image.
///
/// ```
/// use cadena::ops::tensor::avg_pool2d;
/// use ndarray::array;
///
/// let x = array![[[[1.0_f32, 2.0, 5.0, 6.0], [3.0, 4.0, 7.0, 8.0]]]];
/// assert_eq!(avg_pool2d(&x, (2, 2), (2, 2)), array![[[[2.5, 6.5]]]]);
/// ```
#[track_caller]
pub fn avg_pool2d<X>(x: X, kernel: (usize, usize), stride: (usize, usize)) -> Array4<X::Elem>
where
    X: Operand<Dim = Ix4>,
{
    let xv = x.view();
    let win = window(
        "avg_pool2d",
        xv.shape(),
        &[kernel.0, kernel.1],
        &[stride.0, stride.1],
    );
    let y = pooled(xv, &win, avg_forward);
    x.recycle();
    y
}

/// `dL/dx` for `y = avg_pool2d(x, kernel, stride)` given `g = dL/dy`: each window's
/// gradient divided evenly among its elements, summed where windows overlap. Only `x`'s
/// shape is read, so `x` may be a [`Shape`](super::Shape).
///
/// # Panics
///
/// As [`avg_pool2d`] for `x`, and if `g` does not have the shape of the output.
///
/// ```
/// use cadena::ops::tensor::avg_pool2d_vjp;
/// use ndarray::{Array4, array};
///
/// let x = Array4::<f64>::zeros((1, 1, 2, 4));
/// let g = array![[[[4.0, 8.0]]]];
/// assert_eq!(
///     avg_pool2d_vjp(&g, &x, (2, 2), (2, 2)),
///     array![[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]]]
/// );
/// ```
#[track_caller]
pub fn avg_pool2d_vjp<G, X>(
    g: G,
    x: X,
    kernel: (usize, usize),
    stride: (usize, usize),
) -> Array4<G::Elem>
where
    G: Operand<Dim = Ix4>,
    X: Operand<Elem = G::Elem, Dim = Ix4>,
{
    let gv = g.view();
    let x_dim = x.view().raw_dim();
    let (kernel, stride) = ([kernel.0, kernel.1], [stride.0, stride.1]);
    let win = window("avg_pool2d_vjp", x_dim.slice(), &kernel, &stride);
    check_gradient(
        "avg_pool2d_vjp",
        gv.shape(),
        &win,
        x_dim.slice(),
        &kernel,
        &stride,
    );
    let dx = unpooled(gv, x_dim, &win, avg_backward);
    g.recycle();
    x.recycle();
    dx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::seeded;
    use crate::ops::tensor::shape_of;
    use ndarray::{Array, IntoDimension, array, s};
    use rand::RngExt;
    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;

    /// Distinct values at least 0.01 apart, shuffled: no window has a tie, and a step of
    /// 1e-5 changes no window's maximum.
    fn distinct<D: Dimension>(
        shape: impl IntoDimension<Dim = D>,
        rng: &mut StdRng,
    ) -> Array<f64, D> {
        let dim = shape.into_dimension();
        let mut values: Vec<f64> = (0..dim.size()).map(|i| i as f64 * 0.01 - 0.3).collect();
        values.shuffle(rng);
        Array::from_shape_vec(dim, values).expect("size")
    }

    fn random<D: Dimension>(shape: impl IntoDimension<Dim = D>, rng: &mut StdRng) -> Array<f64, D> {
        Array::from_shape_simple_fn(shape, || rng.random::<f64>() * 2.0 - 1.0)
    }

    fn dot_all<D: Dimension>(a: &Array<f64, D>, b: &Array<f64, D>) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// The oracle: each window's maximum or mean, one output at a time.
    fn naive_pool2d(
        x: &Array4<f64>,
        kernel: (usize, usize),
        stride: (usize, usize),
        max: bool,
    ) -> Array4<f64> {
        let (batch, c, h, w) = x.dim();
        let (oh, ow) = ((h - kernel.0) / stride.0 + 1, (w - kernel.1) / stride.1 + 1);
        Array4::from_shape_fn((batch, c, oh, ow), |(n, c, r, q)| {
            let window = x.slice(s![
                n,
                c,
                r * stride.0..r * stride.0 + kernel.0,
                q * stride.1..q * stride.1 + kernel.1
            ]);
            if max {
                window.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v))
            } else {
                window.sum() / window.len() as f64
            }
        })
    }

    fn naive_pool1d(x: &Array3<f64>, kernel: usize, stride: usize, max: bool) -> Array3<f64> {
        let (batch, c, len) = x.dim();
        Array3::from_shape_fn((batch, c, (len - kernel) / stride + 1), |(n, c, t)| {
            let window = x.slice(s![n, c, t * stride..t * stride + kernel]);
            if max {
                window.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v))
            } else {
                window.sum() / kernel as f64
            }
        })
    }

    /// `(batch, channels, (h, w), kernel, stride)`: the corners (kernel as large as the
    /// input, batch 1, stride past the kernel, overlapping windows) and random sizes.
    type Case = (usize, usize, (usize, usize), (usize, usize), (usize, usize));

    fn cases(rng: &mut StdRng, random_cases: usize) -> Vec<Case> {
        let mut cases = vec![
            (1, 1, (4, 5), (4, 5), (1, 1)),
            (2, 3, (6, 6), (2, 2), (2, 2)),
            (1, 2, (7, 9), (2, 3), (4, 5)),
            (2, 1, (5, 5), (3, 3), (1, 1)),
            (1, 1, (1, 7), (1, 3), (1, 2)),
        ];
        while cases.len() < 5 + random_cases {
            let (h, w) = (rng.random_range(1..8), rng.random_range(1..8));
            cases.push((
                rng.random_range(1..3),
                rng.random_range(1..3),
                (h, w),
                (rng.random_range(1..=h), rng.random_range(1..=w)),
                (rng.random_range(1..4), rng.random_range(1..4)),
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
    fn pool2d_matches_a_naive_loop() {
        let mut rng = seeded(11);
        for (batch, c, (h, w), kernel, stride) in cases(&mut rng, 40) {
            let x = random((batch, c, h, w), &mut rng);
            let what = format!("x {:?} kernel {kernel:?} stride {stride:?}", x.shape());
            assert_close(
                &max_pool2d(&x, kernel, stride),
                &naive_pool2d(&x, kernel, stride, true),
                0.0,
                &what,
            );
            assert_close(
                &avg_pool2d(&x, kernel, stride),
                &naive_pool2d(&x, kernel, stride, false),
                1e-15,
                &what,
            );
        }
    }

    #[test]
    fn pool1d_matches_a_naive_loop() {
        let mut rng = seeded(12);
        for (batch, c, (_, len), (_, kernel), (_, stride)) in cases(&mut rng, 40) {
            let x = random((batch, c, len), &mut rng);
            let what = format!("x {:?} kernel {kernel} stride {stride}", x.shape());
            assert_close(
                &max_pool1d(&x, kernel, stride),
                &naive_pool1d(&x, kernel, stride, true),
                0.0,
                &what,
            );
            assert_close(
                &avg_pool1d(&x, kernel, stride),
                &naive_pool1d(&x, kernel, stride, false),
                1e-15,
                &what,
            );
        }
    }

    #[test]
    fn pool2d_vjps_match_central_differences() {
        let mut rng = seeded(13);
        for (batch, c, (h, w), kernel, stride) in cases(&mut rng, 25) {
            let x = distinct((batch, c, h, w), &mut rng);
            let r = random(max_pool2d(&x, kernel, stride).raw_dim(), &mut rng);
            let what = format!("x {:?} kernel {kernel:?} stride {stride:?}", x.shape());
            let max = central_differences(&x, |x| dot_all(&max_pool2d(x, kernel, stride), &r));
            let avg = central_differences(&x, |x| dot_all(&avg_pool2d(x, kernel, stride), &r));
            assert_close(&max_pool2d_vjp(&r, &x, kernel, stride), &max, 1e-8, &what);
            assert_close(&avg_pool2d_vjp(&r, &x, kernel, stride), &avg, 1e-8, &what);
        }
    }

    #[test]
    fn pool1d_vjps_match_central_differences() {
        let mut rng = seeded(14);
        for (batch, c, (_, len), (_, kernel), (_, stride)) in cases(&mut rng, 25) {
            let x = distinct((batch, c, len), &mut rng);
            let r = random(max_pool1d(&x, kernel, stride).raw_dim(), &mut rng);
            let what = format!("x {:?} kernel {kernel} stride {stride}", x.shape());
            let max = central_differences(&x, |x| dot_all(&max_pool1d(x, kernel, stride), &r));
            let avg = central_differences(&x, |x| dot_all(&avg_pool1d(x, kernel, stride), &r));
            assert_close(&max_pool1d_vjp(&r, &x, kernel, stride), &max, 1e-8, &what);
            assert_close(&avg_pool1d_vjp(&r, &x, kernel, stride), &avg, 1e-8, &what);
        }
    }

    /// Average pooling is linear, so its VJP is exactly its transpose; max pooling is
    /// linear near an input without ties (it picks elements), and its VJP is the
    /// transpose of that selection: `<g, J v> == <Jᵀ g, v>`.
    #[test]
    fn pool_vjps_are_the_transposes_of_the_forward() {
        let mut rng = seeded(15);
        for (batch, c, (h, w), kernel, stride) in cases(&mut rng, 60) {
            let x = distinct((batch, c, h, w), &mut rng);
            let v = random(x.raw_dim(), &mut rng);
            let g = random(avg_pool2d(&x, kernel, stride).raw_dim(), &mut rng);
            let forward = dot_all(&g, &avg_pool2d(&v, kernel, stride));
            let backward = dot_all(&avg_pool2d_vjp(&g, shape_of(&x), kernel, stride), &v);
            assert!((forward - backward).abs() <= 1e-12 * forward.abs().max(1.0));
            // A step small enough to keep every window's maximum where it is: J v exactly.
            let t = 1e-4;
            let moved = |sign: f64| max_pool2d(&x + &(sign * t * &v), kernel, stride);
            let jv = (moved(1.0) - moved(-1.0)) / (2.0 * t);
            let forward = dot_all(&g, &jv);
            let backward = dot_all(&max_pool2d_vjp(&g, &x, kernel, stride), &v);
            assert!(
                (forward - backward).abs() <= 1e-9 * forward.abs().max(1.0),
                "{forward} vs {backward}"
            );
        }
    }

    #[test]
    fn max_pool_gathers_are_the_transposes_of_the_vjps() {
        let mut rng = seeded(23);
        for (batch, c, (h, w), kernel, stride) in cases(&mut rng, 60) {
            // Ties included: integers from a small range repeat within windows.
            let x = random((batch, c, h, w), &mut rng).mapv(|v| (v * 3.0).round());
            let cv = random(x.raw_dim(), &mut rng);
            let g = random(max_pool2d(&x, kernel, stride).raw_dim(), &mut rng);
            let a = dot_all(&max_pool2d_vjp(&g, &x, kernel, stride), &cv);
            let b = dot_all(&g, &max_pool2d_gather(&cv, &x, kernel, stride));
            assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
            // The 1-D form on the first row of each image.
            let x1 = x.index_axis(ndarray::Axis(2), 0).to_owned();
            let c1 = cv.index_axis(ndarray::Axis(2), 0).to_owned();
            let g1 = random(max_pool1d(&x1, kernel.1, stride.1).raw_dim(), &mut rng);
            let a = dot_all(&max_pool1d_vjp(&g1, &x1, kernel.1, stride.1), &c1);
            let b = dot_all(&g1, &max_pool1d_gather(&c1, &x1, kernel.1, stride.1));
            assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn max_pool_gives_a_tied_window_gradient_to_its_first_maximum() {
        // Windows of 3, one apart, over [2, 5, 5, 1, 5]: [2, 5, 5], [5, 5, 1], [5, 1, 5]
        // pick elements 1, 1 and 2.
        let x = array![[[2.0_f64, 5.0, 5.0, 1.0, 5.0]]];
        let g = array![[[1.0, 10.0, 100.0]]];
        assert_eq!(
            max_pool1d_vjp(&g, &x, 3, 1),
            array![[[0.0, 11.0, 100.0, 0.0, 0.0]]]
        );
        // All equal: the top-left of each 2×2 window, in row-major order.
        let x = Array4::<f64>::ones((1, 1, 3, 3));
        let g = array![[[[1.0, 2.0], [3.0, 4.0]]]];
        assert_eq!(
            max_pool2d_vjp(&g, &x, (2, 2), (1, 1)),
            array![[[[1.0, 2.0, 0.0], [3.0, 4.0, 0.0], [0.0, 0.0, 0.0]]]]
        );
        // A tie across rows: row-major order, so the first row's element wins.
        let x = array![[[[0.0_f64, 7.0], [7.0, 0.0]]]];
        assert_eq!(
            max_pool2d_vjp(array![[[[1.0]]]], &x, (2, 2), (2, 2)),
            array![[[[0.0, 1.0], [0.0, 0.0]]]]
        );
    }

    #[test]
    fn overlapping_windows_accumulate_gradients() {
        let x = array![[[[1.0_f64, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]]]];
        let g = array![[[[1.0, 2.0], [3.0, 4.0]]]];
        // Every 2×2 window holds the 9.
        let mut expected = Array4::zeros((1, 1, 3, 3));
        expected[[0, 0, 1, 1]] = 10.0;
        assert_eq!(max_pool2d_vjp(&g, &x, (2, 2), (1, 1)), expected);
        // The centre is in all four windows: (1 + 2 + 3 + 4) / 4.
        assert_eq!(avg_pool2d_vjp(&g, &x, (2, 2), (1, 1))[[0, 0, 1, 1]], 2.5);
    }

    #[test]
    fn nan_is_the_maximum_of_its_window() {
        let x = array![[[1.0_f64, f64::NAN, 3.0, 2.0]]];
        let y = max_pool1d(&x, 2, 2);
        assert!(y[[0, 0, 0]].is_nan());
        assert_eq!(y[[0, 0, 1]], 3.0);
        assert_eq!(
            max_pool1d_vjp(array![[[1.0, 1.0]]], &x, 2, 2),
            array![[[0.0, 1.0, 1.0, 0.0]]]
        );
    }

    #[test]
    fn strided_views_and_owned_operands_give_the_same_results() {
        let mut rng = seeded(16);
        let x = distinct((2, 3, 6, 8), &mut rng);
        let mut wide = random((2, 3, 6, 16), &mut rng);
        wide.slice_mut(s![.., .., .., ..;2]).assign(&x);
        let spread = wide.slice(s![.., .., .., ..;2]);
        let expected = max_pool2d(&x, (2, 3), (2, 2));
        assert_eq!(max_pool2d(spread, (2, 3), (2, 2)), expected);
        assert_eq!(max_pool2d(x.clone(), (2, 3), (2, 2)), expected);
        let g = random(expected.raw_dim(), &mut rng);
        let mut g_t = g
            .clone()
            .permuted_axes([0, 1, 3, 2])
            .as_standard_layout()
            .to_owned();
        g_t.swap_axes(2, 3);
        assert!(!g_t.is_standard_layout());
        assert_eq!(
            max_pool2d_vjp(&g_t, spread, (2, 3), (2, 2)),
            max_pool2d_vjp(&g, &x, (2, 3), (2, 2))
        );
        assert_eq!(
            avg_pool2d_vjp(g_t.clone(), shape_of(&x), (2, 3), (2, 2)),
            avg_pool2d_vjp(&g, &x, (2, 3), (2, 2))
        );
        let x1 = x.index_axis(ndarray::Axis(2), 0);
        assert_eq!(avg_pool1d(x1, 3, 2), avg_pool1d(&x1.to_owned(), 3, 2));
    }

    /// As for the convolutions: after one step, a step's results come out of the pool and
    /// go back to it.
    #[test]
    fn later_steps_take_their_results_from_the_pool() {
        let x = distinct((2, 3, 8, 8), &mut seeded(17)).mapv(|v| v as f32);
        pool::clear();
        let mut held = None;
        for _ in 0..3 {
            let y = max_pool2d(&x, (2, 2), (2, 2));
            let dx = max_pool2d_vjp(&y, &x, (2, 2), (2, 2));
            let a = avg_pool2d(&x, (2, 2), (2, 2));
            let da = avg_pool2d_vjp(&a, &x, (2, 2), (2, 2));
            let bytes = 4 * (y.len() + dx.len() + a.len() + da.len());
            if let Some(held) = held {
                assert!(pool::held_bytes() + bytes <= held);
            }
            for r in [y, dx, a, da] {
                pool::recycle(r);
            }
            assert_eq!(*held.get_or_insert(pool::held_bytes()), pool::held_bytes());
        }
        pool::clear();
    }

    #[test]
    #[should_panic(
        expected = "max_pool2d: the kernel width 5 exceeds the input width 4 (x [1, 2, 6, 4], kernel (2, 5))"
    )]
    fn a_kernel_larger_than_the_input_panics() {
        max_pool2d(&Array4::<f32>::zeros((1, 2, 6, 4)), (2, 5), (1, 1));
    }

    #[test]
    #[should_panic(expected = "avg_pool1d: the kernel size must be positive, got 0 (x [1, 2, 6])")]
    fn a_zero_kernel_panics() {
        avg_pool1d(&Array3::<f32>::zeros((1, 2, 6)), 0, 1);
    }

    #[test]
    #[should_panic(expected = "max_pool1d: the stride must be positive, got 0 (x [1, 2, 6])")]
    fn a_zero_stride_panics() {
        max_pool1d(&Array3::<f32>::zeros((1, 2, 6)), 2, 0);
    }

    #[test]
    #[should_panic(
        expected = "avg_pool2d_vjp: g has shape [1, 2, 3, 4] but pooling x [1, 2, 6, 6] with kernel (2, 2) and stride (2, 2) gives [1, 2, 3, 3]"
    )]
    fn a_gradient_of_the_wrong_shape_panics() {
        avg_pool2d_vjp(
            &Array4::<f32>::zeros((1, 2, 3, 4)),
            &Array4::<f32>::zeros((1, 2, 6, 6)),
            (2, 2),
            (2, 2),
        );
    }
}
