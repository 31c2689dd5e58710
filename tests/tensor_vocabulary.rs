//! The tensor vocabulary of `#[differentiable]` bodies, in ndarray's and PyTorch's
//! spellings: slices, rows and columns, gathers, joins, reductions along an axis,
//! elementwise extrema, convolution and pooling. Every gradient is checked against
//! central finite differences of the forward function as written, and a small CNN is
//! trained to a loss threshold.

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::{Array, Array1, Array2, Array3, Array4, Axis, Dimension, ShapeBuilder, s};
use cadena::prelude::*;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn array<Sh: ShapeBuilder>(&mut self, shape: Sh) -> Array<f64, Sh::Dim> {
        Array::from_shape_simple_fn(shape, || 2.0 * self.uniform() - 1.0)
    }
}

fn tight() -> Tolerance {
    Tolerance {
        rtol: 1e-5,
        atol: 1e-7,
        ..Tolerance::default()
    }
}

/// Checks `grad` (the analytic gradient of `f` at `x`) against finite differences.
fn check<D: Dimension>(
    what: &str,
    x: &Array<f64, D>,
    grad: &Array<f64, D>,
    f: impl Fn(&Array<f64, D>) -> f64,
) {
    if let Err(e) = check_params(|x: &Array<f64, D>| f(x), x, grad, &tight()) {
        panic!("{what}: {e}");
    }
}

#[differentiable(wrt(x))]
fn sliced(x: &Array2<f64>, w: &Array2<f64>, a: usize, b: usize) -> f64 {
    let top = x.slice(s![a..b, ..]);
    let even = x.slice(s![0..;2, ..]);
    let col = x.slice(s![.., 1]);
    sum(top.dot(w)) + sum(even * even) + sum(col * col * col)
}

#[test]
fn slices_with_ranges_steps_and_single_indices_scatter_their_gradient_back() {
    let mut r = Rng(1);
    let (x, w) = (r.array((6, 3)), r.array((3, 2)));
    let (value, g) = sliced::grad(&x, &w, 1, 4);
    assert!((value - sliced(&x, &w, 1, 4)).abs() < 1e-12);
    check("slice", &x, &g.x, |x| sliced(x, &w, 1, 4));
}

/// The loop's index in integer operands: the next frame (`t + 1`), a window of frames
/// (`s![.., t..t + 2, ..]`) and `t as f64`.
#[differentiable(wrt(x, w))]
fn windows(x: &Array3<f64>, w: &Array2<f64>, h0: &Array2<f64>) -> f64 {
    let mut h = h0.to_owned();
    let mut acc = 0.0;
    for t in 0..x.len_of(Axis(1)) - 2 {
        let next = x.index_axis(Axis(1), t + 1);
        let window = x.slice(s![.., t..t + 2, ..]).sum_axis(Axis(1));
        h = tanh(next.dot(w) + window.dot(w) * 0.5 + &h * 0.3);
        acc = acc + sum(&h) * (t as f64 + 1.0);
    }
    acc + sum(&h * &h)
}

#[test]
fn the_loop_index_reads_in_slices_and_indices() {
    let mut r = Rng(9);
    let (x, w, h0) = (r.array((3, 5, 4)), r.array((4, 2)), r.array((3, 2)));
    let (value, g) = windows::grad(&x, &w, &h0);
    assert!((value - windows(&x, &w, &h0)).abs() < 1e-12);
    check("x", &x, &g.x, |x| windows(x, &w, &h0));
    check("w", &w, &g.w, |w| windows(&x, w, &h0));
}

/// Softmax and log-softmax along either axis of a matrix, and along the middle one of a
/// rank-3 array.
#[differentiable(wrt(x, z))]
fn softmaxes(x: &Array2<f64>, z: &Array3<f64>, y: &Array2<f64>) -> f64 {
    let down = softmax(&x, Axis(0));
    let across = log_softmax(&x, Axis(1));
    let middle = log_softmax(&z, Axis(1));
    sum(&down * y) + sum(&across * y) + sum(middle.index_axis(Axis(2), 0)) * 0.3
}

#[test]
fn softmax_and_log_softmax_along_any_axis() {
    let mut r = Rng(12);
    let (x, z, y) = (r.array((4, 3)) * 5.0, r.array((2, 3, 2)), r.array((4, 3)));
    let (value, g) = softmaxes::grad(&x, &z, &y);
    assert!((value - softmaxes(&x, &z, &y)).abs() < 1e-12);
    check("x", &x, &g.x, |x| softmaxes(x, &z, &y));
    check("z", &z, &g.z, |z| softmaxes(&x, z, &y));
    // Along the last axis it is the one-argument form.
    let lhs = cadena::ops::tensor::softmax(&x);
    let e = x.mapv(f64::exp);
    let rhs = &e / &e.sum_axis(Axis(1)).insert_axis(Axis(1));
    assert!((&lhs - &rhs).iter().all(|d| d.abs() < 1e-12));
    assert!(log_softmax_rows_finite(&(&x * 800.0)));
}

#[differentiable]
fn log_softmax_rows_total(x: &Array2<f64>) -> f64 {
    sum(log_softmax(&x, Axis(0)))
}

/// Stable at ±800: no overflow to NaN or infinity.
fn log_softmax_rows_finite(x: &Array2<f64>) -> bool {
    log_softmax_rows_total(x).is_finite()
}

#[differentiable(wrt(x))]
fn rows_and_columns(x: &Array2<f64>, i: usize) -> f64 {
    let r = x.row(i);
    let c = x.column(0);
    let last = x.index_axis(Axis(0), x.nrows() - 1);
    let flipped = x.to_owned().reversed_axes();
    sum(r * r) + sum(tanh(c)) + sum(last * 3.0) + sum(flipped.dot(x) * 0.1)
}

#[test]
fn rows_columns_and_index_axis_work_outside_loops() {
    let x = Rng(2).array((4, 3));
    let (_, g) = rows_and_columns::grad(&x, 2);
    check("row/column", &x, &g.x, |x| rows_and_columns(x, 2));
}

#[derive(Parameters, Clone, Debug)]
pub struct Embedding {
    pub e: Array2<f64>,
    pub w: Array2<f64>,
}

#[differentiable(wrt(p))]
fn embed(p: &Embedding, ids: &[usize], y: &Array2<f64>) -> f64 {
    let h = p.e.select(Axis(0), ids);
    softmax_cross_entropy(tanh(h).dot(&p.w), y)
}

#[test]
fn select_scatter_adds_repeated_ids() {
    let mut r = Rng(3);
    let p = Embedding {
        e: r.array((5, 4)),
        w: r.array((4, 3)),
    };
    let ids = [1, 3, 1, 0, 1];
    let y = cadena::ndarray::array![
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0]
    ];
    let (_, g) = embed::grad(&p, &ids, &y);
    assert!(
        g.p.e.row(2).iter().all(|&v| v == 0.0),
        "an unused row gets no gradient"
    );
    assert!(g.p.e.row(4).iter().all(|&v| v == 0.0));
    check_params(|p: &Embedding| embed(p, &ids, &y), &p, &g.p, &tight()).unwrap();
}

#[differentiable(wrt(a, b))]
fn joined(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    let c = concatenate![Axis(1), a, b];
    let s = stack![Axis(0), a, b];
    let f = concatenate(Axis(0), &[a.view(), tanh(b).view()]);
    let t = stack(Axis(2), &[a.view(), b.view()]);
    sum(c.dot(&c.t())) + sum(s * s * s) + sum(f * f) + sum(sigmoid(t))
}

#[test]
fn concatenate_and_stack_hand_each_part_its_slab() {
    let mut r = Rng(4);
    let (a, b) = (r.array((3, 2)), r.array((3, 2)));
    let (value, g) = joined::grad(&a, &b);
    assert!((value - joined(&a, &b)).abs() < 1e-9);
    check("join a", &a, &g.a, |a| joined(a, &b));
    check("join b", &b, &g.b, |b| joined(&a, b));
}

#[differentiable(wrt(x))]
fn extrema(x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let m = max_axis(&x, Axis(1));
    let n = min_axis(&x, Axis(0));
    let l = logsumexp(&x, Axis(1));
    let top = maximum(&x, &y);
    let low = minimum(&x, &y);
    sum(m * m) + sum(n) + sum(l) + sum(top * top) - sum(low)
}

#[test]
fn axis_extrema_logsumexp_and_elementwise_maximum_have_their_gradients() {
    let mut r = Rng(5);
    let (x, y) = (r.array((4, 5)), r.array((4, 5)));
    let (_, g) = extrema::grad(&x, &y);
    check("extrema", &x, &g.x, |x| extrema(x, &y));
}

#[differentiable(wrt(x))]
fn lse(x: &Array2<f64>) -> f64 {
    sum(logsumexp(&x, Axis(1)))
}

#[test]
fn logsumexp_is_finite_at_plus_and_minus_800() {
    let x = cadena::ndarray::array![[800.0, 799.0, -800.0], [-800.0, -801.0, -800.0]];
    let (value, g) = lse::grad(&x);
    let want = (800.0 + (1.0 + (-1.0_f64).exp()).ln()) + (-800.0 + (2.0 + (-1.0_f64).exp()).ln());
    assert!((value - want).abs() < 1e-9, "{value} vs {want}");
    assert!(g.x.iter().all(|v| v.is_finite()));
    for row in g.x.rows() {
        assert!(
            (row.sum() - 1.0).abs() < 1e-12,
            "each row's gradient is a softmax"
        );
    }
}

#[differentiable(wrt(x))]
fn cast_sizes(x: &Array2<f64>, n: usize) -> f64 {
    sum(x * x) / (n as f64) + sum(x) * (x.ncols() as f64)
}

#[test]
fn integer_arguments_and_sizes_cast_to_floats_are_constants() {
    let x = Rng(6).array((3, 4));
    let (value, g) = cast_sizes::grad(&x, 7);
    assert!((value - cast_sizes(&x, 7)).abs() < 1e-12);
    check("cast", &x, &g.x, |x| cast_sizes(x, 7));
}

#[derive(Parameters, Clone, Debug)]
pub struct Conv1 {
    pub w: Array3<f64>,
    pub b: Array1<f64>,
    pub v: Array2<f64>,
}

#[differentiable(wrt(p))]
fn conv1_loss(p: &Conv1, x: &Array3<f64>, y: &Array2<f64>, stride: usize) -> f64 {
    let h = relu(conv1d(x, &p.w, &p.b, stride, 1));
    let pooled = max_pool1d(&h, 2, 2);
    let avg = avg_pool1d(&h, 3, 1);
    let feat = pooled.sum_axis(Axis(2)) + avg.sum_axis(Axis(2));
    softmax_cross_entropy(feat.dot(&p.v), y)
}

#[test]
fn conv1d_and_1d_pools_match_finite_differences() {
    let mut r = Rng(7);
    let p = Conv1 {
        w: r.array((4, 2, 3)),
        b: r.array(4),
        v: r.array((4, 3)),
    };
    let x = r.array((2, 2, 11));
    let y = cadena::ndarray::array![[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
    for stride in [1, 2] {
        let (value, g) = conv1_loss::grad(&p, &x, &y, stride);
        assert!((value - conv1_loss(&p, &x, &y, stride)).abs() < 1e-12);
        check_params(
            |p: &Conv1| conv1_loss(p, &x, &y, stride),
            &p,
            &g.p,
            &tight(),
        )
        .unwrap();
    }
}

#[derive(Parameters, Clone, Debug)]
pub struct Cnn {
    pub w1: Array4<f64>,
    pub b1: Array1<f64>,
    pub w2: Array4<f64>,
    pub b2: Array1<f64>,
    pub v: Array2<f64>,
    pub c: Array1<f64>,
}

#[differentiable(wrt(p))]
fn cnn_loss(p: &Cnn, x: &Array4<f64>, y: &Array2<f64>) -> f64 {
    let h1 = relu(conv2d(x, &p.w1, &p.b1, (1, 1), (1, 1)));
    let h1 = max_pool2d(&h1, (2, 2), (2, 2));
    let h2 = relu(conv2d(&h1, &p.w2, &p.b2, (1, 1), (1, 1)));
    let h2 = avg_pool2d(&h2, (2, 2), (2, 2));
    let feat = h2.mean_axis(Axis(3)).mean_axis(Axis(2));
    softmax_cross_entropy(feat.dot(&p.v) + &p.c, y)
}

fn small_cnn(r: &mut Rng) -> Cnn {
    Cnn {
        w1: r.array((3, 1, 3, 3)) * 0.5,
        b1: r.array(3) * 0.1,
        w2: r.array((4, 3, 3, 3)) * 0.3,
        b2: r.array(4) * 0.1,
        v: r.array((4, 2)),
        c: Array1::zeros(2),
    }
}

#[test]
fn conv2d_and_2d_pools_match_finite_differences() {
    let mut r = Rng(8);
    let p = small_cnn(&mut r);
    let x = r.array((2, 1, 8, 8));
    let y = cadena::ndarray::array![[1.0, 0.0], [0.0, 1.0]];
    let (value, g) = cnn_loss::grad(&p, &x, &y);
    assert!((value - cnn_loss(&p, &x, &y)).abs() < 1e-12);
    check_params(|p: &Cnn| cnn_loss(p, &x, &y), &p, &g.p, &tight()).unwrap();
}

/// Vertical against horizontal bars: a task a CNN learns from a handful of images.
fn bars(r: &mut Rng, n: usize) -> (Array4<f64>, Array2<f64>) {
    let mut x = Array4::zeros((n, 1, 8, 8));
    let mut y = Array2::zeros((n, 2));
    for i in 0..n {
        let at = 1 + (r.uniform() * 6.0) as usize;
        let vertical = i % 2 == 0;
        for k in 0..8 {
            let (row, col) = if vertical { (k, at) } else { (at, k) };
            x[[i, 0, row, col]] = 1.0;
        }
        x.slice_mut(s![i, .., .., ..])
            .mapv_inplace(|v| v + 0.1 * (r.uniform() - 0.5));
        y[[i, usize::from(!vertical)]] = 1.0;
    }
    (x, y)
}

#[test]
fn a_small_cnn_learns_bars_to_a_low_loss() {
    let mut r = Rng(9);
    let mut p = small_cnn(&mut r);
    let (x, y) = bars(&mut r, 16);
    let start = cnn_loss(&p, &x, &y);
    let mut opt = cadena::optim::Adam::new(0.05).unwrap();
    for _ in 0..150 {
        let (_, g) = cnn_loss::grad(&p, &x, &y);
        opt.step(&mut p, &g.p).unwrap();
    }
    let end = cnn_loss(&p, &x, &y);
    assert!(end < 0.1 && end < start / 5.0, "loss {start} -> {end}");
}

/// Elementwise powers and extrema of two arrays, methods on the first (`x.powf(w)`,
/// `x.max(w)`): the dialect's float methods on arrays, their operand an array too
/// (ndarray's `powf` takes one float).
#[differentiable(wrt(x, w))]
fn powers(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let base = &x * &x + 0.5;
    sum(base.powf(w)) + sum(x.max(w)) + sum(base.powf(1.5))
}

#[test]
fn powers_and_extrema_of_two_arrays_are_elementwise() {
    let mut r = Rng(7);
    let (x, w) = (r.array((3, 4)), r.array((3, 4)));
    let (value, g) = powers::grad(&x, &w);
    let plain = |x: &Array2<f64>, w: &Array2<f64>| {
        let base = x.mapv(|v| v * v + 0.5);
        let pow = ndarray::Zip::from(&base)
            .and(w)
            .map_collect(|b, e| b.powf(*e));
        let max = ndarray::Zip::from(x).and(w).map_collect(|a, b| a.max(*b));
        pow.sum() + max.sum() + base.mapv(|b| b.powf(1.5)).sum()
    };
    assert!((value - plain(&x, &w)).abs() < 1e-12 * value.abs().max(1.0));
    check("powf of arrays, x", &x, &g.x, |x| plain(x, &w));
    check("powf of arrays, w", &w, &g.w, |w| plain(&x, w));
}
