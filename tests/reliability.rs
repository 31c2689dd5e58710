//! Bodies the macro once accepted and then emitted code that did not compile, panicked
//! on, or differentiated wrongly (issue 26): each now compiles and is checked.

use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(c))]
fn loop_over_a_wrt_array(c: &[f64; 5], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in 0..5 {
        acc = acc + c[i] * x;
    }
    acc
}

#[test]
fn a_loop_reading_a_wrt_array_beside_a_float_outside_wrt_compiles() {
    let c = [1.0, 2.0, 3.0, 4.0, 5.0];
    let (value, g) = loop_over_a_wrt_array::grad(&c, 2.0);
    assert_eq!(value, 30.0);
    assert_eq!(g.c, [2.0; 5]);
}

#[differentiable]
fn folded_past_f32(x: f32) -> f32 {
    (x * 1e20).powi(2)
}

#[test]
fn a_folded_constant_that_overflows_f32_is_infinite_as_the_arithmetic_would_be() {
    let (value, g) = folded_past_f32::grad(1.0);
    assert_eq!(value, f32::INFINITY);
    assert_eq!(g.x, f32::INFINITY);
}

// The body the fuzzer found, as written; clippy rightly finds it odd.
#[allow(clippy::eq_op)]
#[differentiable]
fn over_a_cancelling_sum(x: f64) -> f64 {
    x / (x - x)
}

#[test]
fn a_quotient_by_a_cancelling_sum_has_a_derivation() {
    assert!(over_a_cancelling_sum::DERIVATION.starts_with("dL/dx = "));
    assert!(over_a_cancelling_sum(1.0).is_infinite());
}

#[differentiable]
fn max_of_a_nan(x: f64) -> f64 {
    x.max(x.ln())
}

#[differentiable]
fn min_of_a_nan(x: f64) -> f64 {
    x.ln().min(x)
}

#[test]
fn the_derivative_of_max_and_min_follows_the_operand_a_nan_left_standing() {
    // ln(-0.5) is NaN; Rust's max and min return the other operand, x.
    let (value, g) = max_of_a_nan::grad(-0.5);
    assert_eq!((value, g.x), (-0.5, 1.0));
    let (value, g) = min_of_a_nan::grad(-0.5);
    assert_eq!((value, g.x), (-0.5, 1.0));
}

#[differentiable(wrt(w))]
fn tensor_abs_in_a_loop(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let mut acc = x.clone();
    for _ in 0..3 {
        acc = (acc.dot(w)).abs() + 0.5;
    }
    sum(acc)
}

#[test]
fn abs_inside_a_tensor_loop_compiles() {
    let w = cadena::ndarray::array![[0.5, -0.2], [0.1, 0.3]];
    let x = cadena::ndarray::array![[1.0, -2.0]];
    let (value, _) = tensor_abs_in_a_loop::grad(&w, &x);
    assert!((value - tensor_abs_in_a_loop(&w, &x)).abs() < 1e-12);
}

#[differentiable]
fn logistic_loss(z: f64, y: f64) -> f64 {
    bce(sigmoid(z), y)
}

#[test]
fn the_fused_logistic_loss_and_its_gradient_stay_accurate_at_large_logits() {
    // References: log1p(e^-z) and -1/(1 + e^z), from mpmath at 60 digits, rounded to
    // f64 (runtime/tools/loss_references.py computes the same family).
    for (z, loss, grad) in [
        (30.0, 9.357622968839737e-14, -9.357622968839299e-14),
        (36.0, 2.319522830243569e-16, -2.3195228302435686e-16),
        (700.0, 9.85967654375977e-305, -9.85967654375977e-305),
    ] {
        let (value, g) = logistic_loss::grad(z, 1.0);
        assert!(
            ((value - loss) / loss).abs() < 4e-16,
            "loss at {z}: {value}"
        );
        assert!(
            ((g.z - grad) / grad).abs() < 4e-16,
            "gradient at {z}: {}",
            g.z
        );
    }
    assert_eq!(
        logistic_loss::DERIVATION.lines().next(),
        Some("dL/dz = sigmoid(z) - y")
    );
}

#[allow(unused_variables)]
#[differentiable]
fn an_unused_shadowing_let(a: f64, b: f64) -> f64 {
    let v = a * 2.0;
    let a = b;
    v
}

#[test]
fn an_unused_let_shadowing_an_argument_leaves_the_argument_alone_before_it() {
    let (value, g) = an_unused_shadowing_let::grad(1.5, 4.0);
    assert_eq!((value, g.a, g.b), (3.0, 2.0, 0.0));
}
