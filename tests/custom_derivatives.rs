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

mod in_tensor_code {
    use super::*;
    use cadena::gradcheck::check_params;
    use cadena::ndarray::{Array1, Array2, ArrayView2, array};

    #[derive(Parameters, Clone)]
    pub struct Net {
        pub w: Array2<f64>,
        pub b: Array1<f64>,
        pub v: Array2<f64>,
    }

    /// `swish`, whose derivative is written by hand, applied to every hidden unit.
    #[differentiable(wrt(p))]
    pub fn loss(p: &Net, x: ArrayView2<f64>, y: &[usize]) -> f64 {
        let h = swish(x.dot(&p.w) + &p.b);
        softmax_cross_entropy(h.dot(&p.v), y)
    }

    #[test]
    fn a_hand_written_derivative_applies_element_by_element() {
        let p = Net {
            w: array![[0.5, -0.3, 0.8], [0.1, 0.9, -0.6]],
            b: Array1::from_vec(vec![0.1, -0.2, 0.05]),
            v: array![[0.4, -0.7], [0.2, 0.3], [-0.5, 0.6]],
        };
        let x = array![[1.0, -2.0], [0.5, 0.25], [-1.5, 0.75]];
        let y = [0usize, 1, 1];
        let (l, g) = loss::grad(&p, x.view(), &y);
        let h = (x.dot(&p.w) + &p.b).mapv(swish);
        assert!((l - softmax_cross_entropy(h.dot(&p.v), &y)).abs() < 1e-12);
        check_params(
            |q: &Net| loss(q, x.view(), &y),
            &p,
            &g.p,
            &Tolerance::default(),
        )
        .unwrap();
    }
}
