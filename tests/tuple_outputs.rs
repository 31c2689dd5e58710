//! Functions returning a tuple: `name::vjp` gives the tuple and a pullback taking one
//! cotangent per part; callers bind the parts (`let (x, y) = polar(r, t);`) or take one
//! (`polar(r, t).1`), and the parts are inlined like any call.

use cadena::gradcheck::{Tolerance, check, check_params};
use cadena::ndarray::{Array1, Array2, ArrayView2, array};
use cadena::prelude::*;

/// Polar to Cartesian coordinates: two floats.
#[differentiable]
pub fn polar(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

#[test]
fn a_float_pair_has_a_pullback_taking_a_pair() {
    let (r, t) = (1.5_f64, 0.7_f64);
    let ((x, y), pullback) = polar::vjp(r, t);
    assert_eq!((x, y), polar(r, t));
    // Each part's row of the Jacobian, by seeding one cotangent at a time.
    let (cx, cy) = (0.3, -1.2);
    let g = pullback((cx, cy));
    let dr = cx * t.cos() + cy * t.sin();
    let dt = -cx * r * t.sin() + cy * r * t.cos();
    assert!(
        (g.r - dr).abs() < 1e-15 && (g.t - dt).abs() < 1e-15,
        "{g:?}"
    );
    let only_y = polar::vjp(r, t).1((0.0, 1.0));
    assert!((only_y.r - t.sin()).abs() < 1e-15);
}

/// The squared distance from (1, 0), through the tuple's parts.
#[differentiable]
fn distance2(r: f64, t: f64) -> f64 {
    let (x, y) = polar(r, t);
    (x - 1.0) * (x - 1.0) + y * y
}

/// One part taken by index.
#[differentiable]
fn height(r: f64, t: f64) -> f64 {
    polar(r, t).1 * 2.0
}

#[test]
fn callers_bind_or_index_the_parts() {
    for (r, t) in [(1.5_f64, 0.7_f64), (0.2, -2.0), (3.0, 3.0)] {
        let (v, g) = distance2::grad(r, t);
        let expected = r * r - 2.0 * r * t.cos() + 1.0;
        assert!((v - expected).abs() < 1e-12);
        check(
            |p| distance2(p[0], p[1]),
            &[r, t],
            &[g.r, g.t],
            &["r", "t"],
            &Tolerance::default(),
        )
        .unwrap();
        let (_, g) = height::grad(r, t);
        assert!((g.r - 2.0 * t.sin()).abs() < 1e-15);
        assert!((g.t - 2.0 * r * t.cos()).abs() < 1e-12);
    }
    // The parts read as `polar.0`, `polar.1` in the derivation.
    assert_eq!(
        height::DERIVATION,
        "dL/dr = 2 * sin(t)\ndL/dt = 2 * r * cos(t)"
    );
    assert!(
        distance2::DERIVATION.contains("polar.0"),
        "{}",
        distance2::DERIVATION
    );
}

#[derive(Parameters, Clone)]
pub struct TwoHeads {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
    pub head_class: Array2<f64>,
    pub head_value: Array2<f64>,
}

/// A shared trunk with two heads: class logits and a value, as arrays.
#[differentiable]
pub fn heads(p: &TwoHeads, x: ArrayView2<f64>) -> (Array2<f64>, Array2<f64>) {
    let h = tanh(x.dot(&p.w) + &p.b);
    (h.dot(&p.head_class), h.dot(&p.head_value))
}

#[differentiable(wrt(p))]
fn joint_loss(p: &TwoHeads, x: ArrayView2<f64>, y: &[usize], target: ArrayView2<f64>) -> f64 {
    let (logits, value) = heads(p, x);
    let err = value - &target;
    softmax_cross_entropy(logits, y) + mean(&err * &err)
}

fn two_heads() -> TwoHeads {
    let ramp = |r: usize, c: usize, s: f64| {
        Array2::from_shape_fn((r, c), |(i, j)| ((i * c + j) as f64 * 0.61 + 0.3).sin() * s)
    };
    TwoHeads {
        w: ramp(3, 4, 0.9),
        b: Array1::from_vec(vec![0.1, -0.3, 0.2, 0.05]),
        head_class: ramp(4, 3, 0.7),
        head_value: ramp(4, 1, 0.5),
    }
}

#[test]
fn array_parts_are_differentiated_through_a_caller_and_a_pullback() {
    let p = two_heads();
    let x = array![[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]];
    let y = [2usize, 0];
    let target = array![[0.3], [-0.4]];
    let (_, g) = joint_loss::grad(&p, x.view(), &y, target.view());
    check_params(
        |q: &TwoHeads| joint_loss(q, x.view(), &y, target.view()),
        &p,
        &g.p,
        &Tolerance::default(),
    )
    .unwrap();
    // The pullback of `heads` with the loss's cotangents gives the same gradient.
    let ((logits, value), pullback) = heads::vjp(&p, x.view());
    let n = 2.0;
    let soft = softmax(logits.clone());
    let mut c_logits = soft.clone();
    for (i, &k) in y.iter().enumerate() {
        c_logits[[i, k]] -= 1.0;
    }
    let c_logits = c_logits / n;
    let c_value = (&value - &target) * (2.0 / value.len() as f64);
    let h = pullback((c_logits, c_value));
    for (a, b) in h.p.w.iter().zip(&g.p.w) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
    for (a, b) in h.p.head_value.iter().zip(&g.p.head_value) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
}

/// An array and a float: the logits and a weight penalty.
#[differentiable]
pub fn logits_and_penalty(p: &TwoHeads, x: ArrayView2<f64>) -> (Array2<f64>, f64) {
    let z = tanh(x.dot(&p.w) + &p.b).dot(&p.head_class);
    (z, sum(&p.w * &p.w) * 0.01)
}

#[differentiable(wrt(p))]
fn regularised(p: &TwoHeads, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    let (z, penalty) = logits_and_penalty(p, x);
    softmax_cross_entropy(z, y) + penalty
}

#[test]
fn an_array_and_a_float_make_one_tuple() {
    let p = two_heads();
    let x = array![[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [0.0, 0.3, 0.9]];
    let y = [2usize, 0, 1];
    let (l, g) = regularised::grad(&p, x.view(), &y);
    let (z, penalty) = logits_and_penalty(&p, x.view());
    assert!((l - (softmax_cross_entropy(z, &y) + penalty)).abs() < 1e-12);
    check_params(
        |q: &TwoHeads| regularised(q, x.view(), &y),
        &p,
        &g.p,
        &Tolerance::default(),
    )
    .unwrap();
    // The penalty's cotangent alone: its gradient is 0.02 w.
    let (_, pullback) = logits_and_penalty::vjp(&p, x.view());
    let only_penalty = pullback((Array2::zeros((3, 3)), 1.0));
    for (a, w) in only_penalty.p.w.iter().zip(&p.w) {
        assert!((a - 0.02 * w).abs() < 1e-15);
    }
}

/// The same value twice, an argument returned as it is, and a view returned owned.
#[differentiable]
pub fn same_twice(x: f64, y: f64) -> (f64, f64) {
    let s = x * y;
    (s, s)
}

#[differentiable]
pub fn hidden_twice(x: ArrayView2<f64>, w: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    let h = tanh(x.dot(w));
    (h.clone(), h)
}

#[differentiable]
pub fn input_and_total(x: ArrayView2<f64>, w: &Array2<f64>) -> (Array2<f64>, f64) {
    (x.to_owned(), sum(w))
}

/// A generic tuple, and a tuple-returning helper inside a loop.
#[differentiable]
pub fn product_and_sum<T: Float>(x: T, y: T) -> (T, T) {
    (x * y, x + y)
}

#[differentiable]
fn product_times_sum(x: f64, y: f64) -> f64 {
    let (p, s) = product_and_sum(x, y);
    p * s
}

#[differentiable]
fn doubled_products(c: &[f64; 4], x: f64) -> f64 {
    let mut acc = x;
    for i in 0..4 {
        let (a, b) = product_and_sum(acc, c[i]);
        acc = a + b * 0.1;
    }
    acc
}

#[test]
fn repeated_parts_arguments_generics_and_loops() {
    assert_eq!(
        same_twice::vjp(2.0, 3.0).1((1.0, 1.0)),
        same_twice::Grad { x: 6.0, y: 4.0 }
    );
    let x = array![[1.0, 2.0], [0.5, -1.0]];
    let w = array![[0.1, 0.2], [0.3, -0.4]];
    let ((a, b), pullback) = hidden_twice::vjp(x.view(), &w);
    assert_eq!(a, b);
    let g = pullback((a.clone(), Array2::zeros((2, 2))));
    let ((a2, _), pullback2) = hidden_twice::vjp(x.view(), &w);
    assert_eq!(g.w, pullback2((Array2::zeros((2, 2)), a2)).w);
    let ((copy, total), pullback) = input_and_total::vjp(x.view(), &w);
    assert_eq!(copy, x);
    assert!((total - 0.2).abs() < 1e-15);
    assert_eq!(
        pullback((Array2::ones((2, 2)), 1.0)).x,
        Array2::<f64>::ones((2, 2))
    );
    let (v, g) = product_times_sum::grad(2.0, 3.0);
    assert_eq!((v, g.x, g.y), (30.0, 21.0, 16.0));
    let c = [0.5, 1.0, 1.5, 2.0];
    let (_, g) = doubled_products::grad(&c, 1.1);
    check(
        |v| doubled_products(&[v[0], v[1], v[2], v[3]], v[4]),
        &[c[0], c[1], c[2], c[3], 1.1],
        &[g.c[0], g.c[1], g.c[2], g.c[3], g.x],
        &["c0", "c1", "c2", "c3", "x"],
        &Tolerance::default(),
    )
    .unwrap();
}
