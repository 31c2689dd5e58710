//! The scalar contract of DESIGN.md: what `#[differentiable]` adds to a function, the
//! derivation text, and the stable forms it evaluates.

use cadena::prelude::*;

#[differentiable(wrt(w1, w2, b))]
pub fn neuron(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    bce(a, y)
}

#[differentiable(wrt(w11, w12, b1, w2, b2))]
#[allow(clippy::too_many_arguments)]
pub fn shallow(w11: f64, w12: f64, b1: f64, w2: f64, b2: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let z1 = w11 * x1 + w12 * x2 + b1;
    let a1 = tanh(z1);
    let z2 = w2 * a1 + b2;
    let a2 = sigmoid(z2);
    bce(a2, y)
}

#[differentiable]
fn every_float_by_default(x: f32, y: f32) -> f32 {
    x * y + x.powi(3)
}

#[test]
fn neuron_derivation_is_the_courses() {
    assert_eq!(
        neuron::DERIVATION,
        "dL/dw1 = (a - y) * x1\ndL/dw2 = (a - y) * x2\ndL/db = a - y"
    );
}

#[test]
fn sigmoid_bce_gradient_is_a_minus_y() {
    let (w1, w2, b, x1, x2, y) = (0.3, -0.7, 0.1, 1.5, -2.0, 1.0);
    let (loss, g) = neuron::grad(w1, w2, b, x1, x2, y);
    let a = cadena::ops::scalar::sigmoid(w1 * x1 + w2 * x2 + b);
    assert!((loss - neuron(w1, w2, b, x1, x2, y)).abs() < 1e-15);
    assert!((g.w1 - (a - y) * x1).abs() < 1e-15);
    assert!((g.w2 - (a - y) * x2).abs() < 1e-15);
    assert!((g.b - (a - y)).abs() < 1e-15);
}

#[test]
fn shallow_derivation_reads_like_the_course() {
    let lines: Vec<&str> = shallow::DERIVATION.lines().collect();
    assert_eq!(lines[0], "dL/dw11 = (a2 - y) * w2 * (1 - a1^2) * x1");
    assert_eq!(lines[3], "dL/dw2 = (a2 - y) * a1");
    assert_eq!(lines[4], "dL/db2 = a2 - y");
}

#[test]
fn explain_shows_each_local_derivative_before_simplifying() {
    let e = neuron::EXPLAIN;
    assert!(e.contains("dL/dw1 = dL/da * da/dz * dz/dw1"), "{e}");
    assert!(e.contains("  dL/da = (a - y) / (a * (1 - a))"), "{e}");
    assert!(e.contains("  da/dz = a * (1 - a)"), "{e}");
    assert!(e.contains("  dz/dw1 = x1"), "{e}");
    assert!(e.contains("  => dL/dw1 = (a - y) * x1"), "{e}");
}

#[test]
fn graph_dot_names_every_binding() {
    let d = neuron::GRAPH_DOT;
    assert!(d.starts_with("digraph neuron {"), "{d}");
    for label in ["z = +", "a = sigmoid", "L = bce", "\"w1\""] {
        assert!(d.contains(label), "missing {label} in {d}");
    }
}

#[test]
fn extreme_logits_give_finite_exact_loss_and_gradient() {
    // z = b = 800, y = 0: the loss is softplus(800) = 800 and dL/db = sigmoid(800) - 0 = 1.
    let (loss, g) = neuron::grad(0.0, 0.0, 800.0, 1.0, 1.0, 0.0);
    assert_eq!(loss, 800.0);
    assert_eq!(g.b, 1.0);
    assert_eq!(neuron(0.0, 0.0, 800.0, 1.0, 1.0, 0.0), 800.0);
    let (loss, g) = neuron::grad(0.0, 0.0, -800.0, 1.0, 1.0, 1.0);
    assert_eq!((loss, g.b), (800.0, -1.0));
    let (loss, g) = neuron::grad(0.0, 0.0, 1e4, 1.0, 1.0, 0.0);
    assert_eq!((loss, g.b), (1e4, 1.0));
    let (loss, g) = neuron::grad(0.0, 0.0, -1e4, 1.0, 1.0, 0.0);
    assert_eq!((loss, g.b), (0.0, 0.0));
}

#[test]
fn without_wrt_every_float_argument_is_differentiated() {
    let (v, g) = every_float_by_default::grad(2.0, 3.0);
    assert_eq!(v, 14.0);
    assert_eq!(
        g,
        every_float_by_default::Grad {
            x: 3.0 + 12.0,
            y: 2.0
        }
    );
}
