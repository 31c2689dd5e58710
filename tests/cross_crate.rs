//! Calls across crates: `cadena-test-callee` (tests/callee) marks its functions
//! `#[differentiable(export)]`, and functions here call them by a path from that crate's
//! root, `::cadena_test_callee::model::logits(..)`. The callee's body is inlined as within
//! one crate, so the gradients are the one-function versions', bit for bit, and the
//! sigmoid + cross-entropy collapse sees through the call.

use cadena::gradcheck::{Tolerance, check};
use cadena::ndarray::{Array1, Array2, ArrayView2, array};
use cadena::prelude::*;
use cadena_test_callee::model::Mlp;

#[differentiable(wrt(p))]
fn split_loss(p: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    softmax_cross_entropy(::cadena_test_callee::model::logits(p, x), y)
}

/// The ordinary Rust path, without the leading `::`: `cadena_test_callee` is a dependency
/// in Cargo.toml, so the macro asks that crate for the body.
#[differentiable(wrt(p))]
fn relative_path_loss(p: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    softmax_cross_entropy(cadena_test_callee::model::logits(p, x), y)
}

#[differentiable(wrt(p))]
fn whole_loss(p: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    softmax_cross_entropy(a1.dot(&p.w2) + &p.b2, y)
}

fn network() -> Mlp {
    let ramp = |r: usize, c: usize, scale: f64| {
        Array2::from_shape_fn((r, c), |(i, j)| ((i * c + j) as f64 * 0.37).sin() * scale)
    };
    Mlp {
        w1: ramp(3, 4, 0.8),
        b1: Array1::from_vec(vec![0.1, -0.2, 0.05, 0.0]),
        w2: ramp(4, 2, 0.6),
        b2: Array1::from_vec(vec![0.3, -0.1]),
    }
}

#[test]
fn a_model_from_another_crate_gives_the_one_function_gradient() {
    let p = network();
    let x = array![[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-0.3, 0.8, 0.1]];
    let y = [0usize, 1, 1];
    let (l1, g1) = split_loss::grad(&p, x.view(), &y);
    let (l2, g2) = whole_loss::grad(&p, x.view(), &y);
    assert_eq!(l1.to_bits(), l2.to_bits());
    for (a, b) in [(&g1.p.w1, &g2.p.w1), (&g1.p.w2, &g2.p.w2)] {
        assert!(a.iter().zip(b).all(|(u, v)| u.to_bits() == v.to_bits()));
    }
    assert!(g1.p.b1.iter().zip(&g2.p.b1).all(|(u, v)| u == v));
    assert!(g1.p.b2.iter().zip(&g2.p.b2).all(|(u, v)| u == v));
    let (l3, g3) = relative_path_loss::grad(&p, x.view(), &y);
    assert_eq!(l3.to_bits(), l1.to_bits());
    assert_eq!(g3.p.w1, g1.p.w1);
    // The prediction path is the callee itself, an ordinary function.
    let z = cadena_test_callee::model::logits(&p, x.view());
    assert_eq!(z.dim(), (3, 2));
}

#[differentiable(wrt(w1, w2, b))]
fn neuron(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
    bce(::cadena_test_callee::model::predict(w1, w2, b, x1, x2), y)
}

#[test]
fn sigmoid_and_cross_entropy_collapse_across_crates() {
    assert_eq!(
        neuron::DERIVATION,
        "dL/dw1 = (predict - y) * x1\ndL/dw2 = (predict - y) * x2\ndL/db = predict - y"
    );
    for (w, y) in [(800.0, 0.0), (-800.0, 1.0)] {
        let (l, g) = neuron::grad(w, 0.0, 0.0, 1.0, 0.0, y);
        assert!((l - 800.0).abs() < 1e-9, "{l}");
        assert!((g.w1.abs() - 1.0).abs() < 1e-12, "{}", g.w1);
    }
    let args = [0.4, -0.7, 0.2];
    let (_, g) = neuron::grad(args[0], args[1], args[2], 1.5, -0.5, 1.0);
    check(
        |p| neuron(p[0], p[1], p[2], 1.5, -0.5, 1.0),
        &args,
        &[g.w1, g.w2, g.b],
        &["w1", "w2", "b"],
        &Tolerance::default(),
    )
    .unwrap();
}

#[differentiable]
fn gated(a: f64, b: f64) -> f64 {
    ::cadena_test_callee::swish(a * b) + a
}

#[test]
fn a_hand_written_derivative_from_another_crate_is_used() {
    assert_eq!(
        gated::DERIVATION,
        "dL/da = 1 + swish'(a * b) * b\ndL/db = swish'(a * b) * a"
    );
    let (_, g) = gated::grad(0.8, -1.1);
    let d = cadena_test_callee::swish_prime(0.8 * -1.1);
    assert_eq!(g.b, d * 0.8);
    check(
        |p| gated(p[0], p[1]),
        &[0.8, -1.1],
        &[g.a, g.b],
        &["a", "b"],
        &Tolerance::default(),
    )
    .unwrap();
}

#[differentiable]
fn half_square(w1: f64, w2: f64, b: f64) -> f64 {
    ::cadena_test_callee::squared_prediction(w1, w2, b, 1.5, -0.5) * 0.5
}

#[differentiable]
fn through_swish(a: f64, b: f64) -> f64 {
    ::cadena_test_callee::scaled_swish(a, b) + a
}

#[test]
fn calls_inside_another_crates_function_are_followed() {
    let (w1, w2, b) = (0.4, -0.7, 0.2);
    let (v, g) = half_square::grad(w1, w2, b);
    let p = cadena_test_callee::model::predict(w1, w2, b, 1.5, -0.5);
    assert!((v - 0.5 * p * p).abs() < 1e-15);
    // d(p²/2)/dw1 = p · p (1 - p) · x1
    assert!((g.w1 - p * p * (1.0 - p) * 1.5).abs() < 1e-12, "{}", g.w1);
    check(
        |q| half_square(q[0], q[1], q[2]),
        &[w1, w2, b],
        &[g.w1, g.w2, g.b],
        &["w1", "w2", "b"],
        &Tolerance::default(),
    )
    .unwrap();
    // The hand-written rule of the other crate's swish, called inside its own function.
    assert_eq!(
        through_swish::DERIVATION,
        "dL/da = 1 + b^2 * swish'(a * b)\ndL/db = swish(a * b) + b * swish'(a * b) * a"
    );
    let (_, g) = through_swish::grad(0.8, -1.1);
    check(
        |q| through_swish(q[0], q[1]),
        &[0.8, -1.1],
        &[g.a, g.b],
        &["a", "b"],
        &Tolerance::default(),
    )
    .unwrap();
}
