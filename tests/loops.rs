//! `for` loops in `#[differentiable]` bodies: a stack of layers of run-time depth, a
//! recurrent network over time, Horner's rule over a float array. Every form is checked
//! against finite differences, at depths and lengths including zero.

use cadena::gradcheck::{Tolerance, check, check_params};
use cadena::ndarray::{Array1, Array2, ArrayView2, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Layer {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Deep {
    pub layers: Vec<Layer>,
    pub out: Layer,
}

#[differentiable(wrt(p))]
pub fn deep_loss(p: &Deep, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    let mut h = x.to_owned();
    for l in &p.layers {
        h = tanh(h.dot(&l.w) + &l.b);
    }
    softmax_cross_entropy(h.dot(&p.out.w) + &p.out.b, y)
}

fn layer(i: usize, o: usize, seed: f64) -> Layer {
    let w = Array2::from_shape_fn((i, o), |(r, c)| {
        ((r * o + c) as f64 * 0.37 + seed).sin() * 0.6
    });
    let b = Array1::from_shape_fn(o, |k| (k as f64 + seed).cos() * 0.1);
    Layer { w, b }
}

fn inputs(n: usize, d: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, d), |(r, c)| ((r * d + c) as f64 * 0.71).sin())
}

#[test]
fn a_stack_of_layers_of_any_depth_gets_its_gradient() {
    let x = inputs(5, 3);
    let y = [0, 1, 1, 0, 1];
    for depth in 0..=6 {
        let mut layers = vec![layer(3, 4, 0.1)];
        for k in 1..depth {
            layers.push(layer(4, 4, 0.3 * k as f64));
        }
        layers.truncate(depth);
        let d_out = if depth == 0 { 3 } else { 4 };
        let p = Deep {
            layers,
            out: layer(d_out, 2, 1.3),
        };
        let (l, g) = deep_loss::grad(&p, x.view(), &y);
        assert_eq!(l, deep_loss(&p, x.view(), &y));
        assert_eq!(g.p.layers.len(), depth);
        check_params(
            |q: &Deep| deep_loss(q, x.view(), &y),
            &p,
            &g.p,
            &Tolerance::default(),
        )
        .unwrap_or_else(|e| panic!("depth {depth}: {e}"));
    }
}

/// Horner's rule over the coefficients, highest first.
#[differentiable]
pub fn poly(c: &[f64; 6], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..6).rev() {
        acc = acc * x + c[i];
    }
    acc
}

/// `v` is the polynomial with coefficients `c` at `x`, and `gc` its gradient with
/// respect to them (`x^k`), to 1e-12.
fn assert_polynomial(c: &[f64], x: f64, v: f64, gc: &[f64]) {
    let direct: f64 = c
        .iter()
        .enumerate()
        .map(|(k, ck)| ck * x.powi(k as i32))
        .sum();
    assert!((v - direct).abs() < 1e-12);
    assert_eq!(gc.len(), c.len());
    for (k, g) in gc.iter().enumerate() {
        assert!((g - x.powi(k as i32)).abs() < 1e-12, "{k}: {g}");
    }
}

#[test]
fn horner_in_a_loop() {
    let c = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5];
    let x = 0.8_f64;
    let (v, g) = poly::grad(&c, x);
    assert_polynomial(&c, x, v, &g.c);
    let dx: f64 = (1..6).map(|k| k as f64 * c[k] * x.powi(k as i32 - 1)).sum();
    assert!((g.x - dx).abs() < 1e-12);
}

#[derive(Parameters, Clone, Debug)]
pub struct Rnn {
    pub wx: Array2<f64>,
    pub wh: Array2<f64>,
    pub b: Array1<f64>,
    pub out: Array2<f64>,
}

/// An Elman network over the time axis of `x` (batch × time × features as
/// time-major columns: `x` is batch × time, one feature per step).
#[differentiable(wrt(p))]
pub fn rnn_loss(p: &Rnn, x: ArrayView2<f64>, h0: ArrayView2<f64>, y: ArrayView2<f64>) -> f64 {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        h = tanh(h.dot(&p.wh) + xt.insert_axis(Axis(1)).dot(&p.wx) + &p.b);
    }
    mse(h.dot(&p.out), y)
}

#[test]
fn backpropagation_through_time() {
    let hidden = 3;
    let p = Rnn {
        wx: Array2::from_shape_fn((1, hidden), |(_, c)| (c as f64 * 0.9).sin()),
        wh: Array2::from_shape_fn((hidden, hidden), |(r, c)| {
            ((r * 3 + c) as f64 * 0.4).cos() * 0.5
        }),
        b: Array1::from_shape_fn(hidden, |k| k as f64 * 0.1 - 0.1),
        out: Array2::from_shape_fn((hidden, 2), |(r, c)| ((r + c) as f64).sin()),
    };
    let h0 = Array2::zeros((4, hidden));
    let y = Array2::from_shape_fn((4, 2), |(r, c)| (r as f64 - c as f64) * 0.2);
    for steps in [0, 1, 2, 7, 20] {
        let x = inputs(4, steps);
        let (l, g) = rnn_loss::grad(&p, x.view(), h0.view(), y.view());
        assert_eq!(l, rnn_loss(&p, x.view(), h0.view(), y.view()));
        check_params(
            |q: &Rnn| rnn_loss(q, x.view(), h0.view(), y.view()),
            &p,
            &g.p,
            &Tolerance::default(),
        )
        .unwrap_or_else(|e| panic!("{steps} steps: {e}"));
    }
}

#[derive(Parameters, Clone, Debug)]
pub struct Scaled {
    pub w: Array2<f64>,
    pub s: f64,
}

/// A loop carrying a float that starts as a struct's float field: the macro cannot see a
/// field's type, so the loop reads its carried value as it reads an array's, and it read
/// a float as a 0-axis view, turning it into an array (an error on the step, though the
/// body is plain Rust).
#[differentiable(wrt(p))]
pub fn from_a_float_field(p: &Scaled, x: &Array2<f64>) -> f64 {
    let h = tanh(x.dot(&p.w)) * p.s;
    let mut acc = p.s;
    for _ in 0..3 {
        acc = acc * p.s + h.sum() * acc * 0.1;
    }
    acc + sum(h * h)
}

#[test]
fn a_loop_started_from_a_float_field() {
    let p = Scaled {
        w: Array2::from_shape_fn((2, 3), |(r, c)| ((r * 3 + c) as f64 * 0.7).sin()),
        s: 0.8,
    };
    let x = Array2::from_shape_fn((4, 2), |(r, c)| (r as f64 - c as f64) * 0.3);
    let (l, g) = from_a_float_field::grad(&p, &x);
    assert_eq!(l, from_a_float_field(&p, &x));
    check_params(
        |q: &Scaled| from_a_float_field(q, &x),
        &p,
        &g.p,
        &Tolerance::default(),
    )
    .unwrap();
}

/// A scalar loop: gradient descent on x² unrolled at run time.
#[differentiable]
pub fn descend(x0: f64, rate: f64) -> f64 {
    let mut x = x0;
    for _ in 0..5 {
        x = x - rate * 2.0 * x;
    }
    x * x
}

#[test]
fn a_scalar_loop() {
    let (v, g) = descend::grad(1.5, 0.1);
    assert!((v - descend(1.5, 0.1)).abs() < 1e-15);
    check(
        |p| descend(p[0], p[1]),
        &[1.5, 0.1],
        &[g.x0, g.rate],
        &["x0", "rate"],
        &Tolerance::default(),
    )
    .unwrap();
}

#[test]
fn derivations_print_the_body_once_with_the_iteration_as_an_index() {
    assert_eq!(
        deep_loss::DERIVATION,
        "dL/dp.layers = (each dL/dp.layers[i] below)
dL/dp.out.w = h^T · (softmax(h · p.out.w + p.out.b) - y) / n
dL/dp.out.b = (softmax(h · p.out.w + p.out.b) - y) / n
δh[end] = (softmax(h · p.out.w + p.out.b) - y) / n · p.out.w^T
for l in &p.layers, last to first:
  δh[i-1] = δh[i] * (1 - h[i]^2) · p.layers[i].w^T
  dL/dp.layers[i].w = h[i-1]^T · (δh[i] * (1 - h[i]^2))
  dL/dp.layers[i].b = δh[i] * (1 - h[i]^2)"
    );
    // A shared weight's gradient sums over the steps; a reversed range steps down.
    assert!(
        rnn_loss::DERIVATION.contains("dL/dp.wh = Σi δp.wh[i]"),
        "{}",
        rnn_loss::DERIVATION
    );
    assert!(rnn_loss::DERIVATION.contains("  δp.wh[i] = h[i-1]^T · (δh[i] * (1 - h[i]^2))"));
    assert!(
        poly::DERIVATION.contains("  δacc[i+1] = δacc[i] * x\n"),
        "{}",
        poly::DERIVATION
    );
    assert!(poly::DERIVATION.contains("  dL/dc[i] = δacc[i]"));
}

/// Issue 13's code block, as written there (f32, views, class labels).
mod as_in_the_issue {
    use cadena::gradcheck::{Tolerance, check_params};
    use cadena::ndarray::{Array1, Array2, ArrayView2};
    use cadena::prelude::*;

    #[derive(Parameters, Clone)]
    pub struct Layer {
        pub w: Array2<f32>,
        pub b: Array1<f32>,
    }
    #[derive(Parameters, Clone)]
    pub struct Deep {
        pub layers: Vec<Layer>,
        pub out: Layer,
    }

    #[differentiable(wrt(p))]
    pub fn loss(p: &Deep, x: ArrayView2<f32>, y: &[usize]) -> f32 {
        let mut h = x.to_owned();
        for l in &p.layers {
            h = tanh(h.dot(&l.w) + &l.b);
        }
        softmax_cross_entropy(h.dot(&p.out.w) + &p.out.b, y)
    }

    fn layer(i: usize, o: usize, seed: f32) -> Layer {
        Layer {
            w: Array2::from_shape_fn((i, o), |(r, c)| {
                ((r * o + c) as f32 * 0.37 + seed).sin() * 0.6
            }),
            b: Array1::from_shape_fn(o, |k| (k as f32 + seed).cos() * 0.1),
        }
    }

    #[test]
    fn the_gradient_is_a_deep_of_the_same_shapes_at_a_run_time_depth() {
        let x = Array2::from_shape_fn((4, 3), |(r, c)| ((r * 3 + c) as f32 * 0.7).sin());
        let y = [0, 1, 2, 1];
        for depth in [0, 3] {
            let mut layers = vec![layer(3, 5, 0.2)];
            layers.extend((1..depth).map(|k| layer(5, 5, k as f32)));
            layers.truncate(depth);
            let p = Deep {
                layers,
                out: layer(if depth == 0 { 3 } else { 5 }, 3, 0.9),
            };
            let (l, g) = loss::grad(&p, x.view(), &y);
            assert_eq!(l, loss(&p, x.view(), &y));
            for (gl, pl) in g.p.layers.iter().zip(&p.layers) {
                assert_eq!(gl.w.shape(), pl.w.shape());
            }
            // Central differences in f32: a larger step, looser bounds.
            let f32_tolerance = Tolerance {
                eps: 1e-2,
                rtol: 2e-2,
                atol: 2e-3,
            };
            check_params(|q: &Deep| loss(q, x.view(), &y), &p, &g.p, &f32_tolerance)
                .unwrap_or_else(|e| panic!("depth {depth}: {e}"));
        }
    }
}

/// Horner's rule as people write it: the leading coefficient read before the loop.
#[differentiable]
pub fn horner(c: &[f64; 8], x: f64) -> f64 {
    let mut acc = c[7];
    for i in (0..c.len() - 1).rev() {
        acc = acc * x + c[i];
    }
    acc
}

#[test]
fn a_coefficient_read_before_the_loop_and_in_it() {
    let c = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5, 0.1, -0.3];
    let x = -0.7_f64;
    let (v, g) = horner::grad(&c, x);
    assert_polynomial(&c, x, v, &g.c);
}
