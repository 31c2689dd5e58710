//! `DERIVATION` and `EXPLAIN` as a person reads them: like terms collected, factors
//! cancelled, shadowed bindings numbered, repeated subexpressions of long formulas named
//! once. Printing only: the gradients themselves are checked elsewhere.

use cadena::ndarray::{Array1, Array2, Axis};
use cadena::prelude::*;

#[differentiable(wrt(x))]
fn cube_ish(a: f64, x: f64) -> f64 {
    a * x * x
}

#[differentiable(wrt(x))]
fn over_exp(s: f64, x: f64) -> f64 {
    s / x.exp()
}

#[differentiable(wrt(u))]
fn over_sqrt(s: f64, u: f64) -> f64 {
    s / u.sqrt()
}

#[test]
fn like_terms_are_collected_and_factors_cancelled() {
    assert_eq!(cube_ish::DERIVATION, "dL/dx = 2 * a * x");
    assert_eq!(over_exp::DERIVATION, "dL/dx = -s / exp(x)");
    assert_eq!(over_sqrt::DERIVATION, "dL/du = -s / (2 * sqrt(u)^3)");
    let (_, g) = over_sqrt::grad(3.0, 4.0);
    assert!((g.u - -3.0 / (2.0 * 8.0)).abs() < 1e-15);
}

#[differentiable]
fn horner(x: f64) -> f64 {
    let acc = x * 0.5 + 1.0;
    let acc = acc * x + 2.0;
    let acc = acc * x + 3.0;
    acc
}

#[test]
fn shadowed_bindings_are_numbered() {
    let d = horner::DERIVATION;
    assert!(d.contains("acc₁") && d.contains("acc₂"), "{d}");
    assert!(!d.contains("acc "), "every acc is numbered: {d}");
    assert!(
        horner::GRAPH_DOT.contains("acc₂ = +"),
        "{}",
        horner::GRAPH_DOT
    );
    let (v, g) = horner::grad(2.0);
    assert_eq!(v, horner(2.0));
    // d/dx of ((x/2 + 1) x + 2) x + 3 = 1.5 x^2 + 2 x + 2
    assert!((g.x - (1.5 * 4.0 + 4.0 + 2.0)).abs() < 1e-12);
}

#[differentiable]
fn composite(x: f64) -> f64 {
    x.powi(2).sin().exp()
}

#[test]
fn explain_for_one_variable_has_no_empty_chain() {
    let e = composite::EXPLAIN;
    assert!(!e.contains("dL/dx = dL/dx"), "{e}");
    assert!(e.starts_with("dL/dx = "), "{e}");
}

/// Batch normalisation of a layer's output, written in ndarray.
#[differentiable(wrt(gamma, beta, x))]
fn batch_norm(gamma: &Array1<f64>, beta: &Array1<f64>, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let mu = x.mean_axis(Axis(0));
    let d = x - &mu;
    let var = (&d * &d).mean_axis(Axis(0));
    let xhat = &d / sqrt(var + 1e-5);
    let out = xhat * gamma + beta;
    mse(out, y)
}

#[test]
fn long_formulas_name_their_repeated_parts_once() {
    let d = batch_norm::DERIVATION;
    for line in d.lines() {
        assert!(line.chars().count() <= 100, "long line in\n{d}");
    }
    assert!(d.lines().any(|l| l.starts_with("δ₁ = ")), "{d}");
    let last = d.lines().last().unwrap_or_default();
    assert!(last.starts_with("dL/dx = "), "{d}");
    // The names are defined in EXPLAIN too.
    assert!(
        batch_norm::EXPLAIN.contains("δ₁ = "),
        "{}",
        batch_norm::EXPLAIN
    );
}
