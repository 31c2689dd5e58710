//! Hand-written derivatives: `#[differentiable(derivative(rule))]` on a function whose
//! body the macro does not read. Callers use the rule, derivations show it (`swish'(x)`),
//! and `cadena::gradcheck` is how to check a rule: it catches a wrong one.

use cadena::gradcheck::{Tolerance, check};
use cadena::prelude::*;

/// d/dx x·σ(x) = σ(x) + x·σ(x)(1 - σ(x)).
fn swish_prime(x: f64) -> f64 {
    let s = cadena::ops::scalar::sigmoid(x);
    s + x * s * (1.0 - s)
}

/// The body loops, which the macro would refuse to read: the rule stands in for it.
#[differentiable(derivative(swish_prime))]
pub fn swish(x: f64) -> f64 {
    let mut s = 0.0;
    for _ in 0..1 {
        s = x * cadena::ops::scalar::sigmoid(x);
    }
    s
}

/// A rule of two arguments returns a tuple of partials.
fn hypot_partials(a: f64, b: f64) -> (f64, f64) {
    let h = a.hypot(b);
    (a / h, b / h)
}

#[differentiable(derivative(hypot_partials))]
pub fn hypot(a: f64, b: f64) -> f64 {
    a.hypot(b)
}

#[differentiable]
pub fn uses_both(x: f64, y: f64) -> f64 {
    let u = swish(x * y);
    hypot(u, y) * 2.0
}

/// A deliberately wrong rule (the factor 2 is missing).
fn wrong_prime(x: f64) -> f64 {
    x
}

#[differentiable(derivative(wrong_prime))]
pub fn square(x: f64) -> f64 {
    x * x
}

#[test]
fn callers_use_the_rule_and_derivations_show_it() {
    let (v, g) = uses_both::grad(0.6, -1.1);
    assert_eq!(v, uses_both(0.6, -1.1));
    check(
        |p| uses_both(p[0], p[1]),
        &[0.6, -1.1],
        &[g.x, g.y],
        &["x", "y"],
        &Tolerance::default(),
    )
    .unwrap();
    assert!(
        uses_both::DERIVATION.contains("swish'(x * y)"),
        "{}",
        uses_both::DERIVATION
    );
    assert!(
        uses_both::DERIVATION.contains("∂₁hypot(u, y)"),
        "{}",
        uses_both::DERIVATION
    );
    assert_eq!(swish::DERIVATION, "dL/dx = swish'(x)");
    assert_eq!(swish::grad(0.3).1.x, swish_prime(0.3));
    assert_eq!(hypot::grad(3.0, 4.0).1, hypot::Grad { a: 0.6, b: 0.8 });
}

#[test]
fn gradcheck_is_how_to_test_a_rule_and_it_catches_a_wrong_one() {
    let (_, g) = swish::grad(0.7);
    check(
        |p| swish(p[0]),
        &[0.7],
        &[g.x],
        &["x"],
        &Tolerance::default(),
    )
    .unwrap();
    let (_, g) = square::grad(1.5);
    let err = check(
        |p| square(p[0]),
        &[1.5],
        &[g.x],
        &["x"],
        &Tolerance::default(),
    )
    .expect_err("the rule is wrong by a factor 2");
    assert!(err.to_string().contains('x'), "{err}");
}
