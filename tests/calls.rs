//! `#[differentiable]` functions calling each other: the callee's body is inlined into
//! the caller's graph, so simplification and fusion see through the call, and the
//! forward function users call for prediction is the one the loss differentiates.

use cadena::gradcheck::{Tolerance, check, check_params};
use cadena::ndarray::{Array1, Array2, ArrayView2, array};
use cadena::prelude::*;

/// The course's neuron split in two: the prediction ...
#[differentiable]
pub fn predict(w1: f64, w2: f64, b: f64, x1: f64, x2: f64) -> f64 {
    let z = w1 * x1 + w2 * x2 + b;
    sigmoid(z)
}

/// ... and the loss that calls it.
#[differentiable(wrt(w1, w2, b))]
pub fn neuron_loss(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
    bce(predict(w1, w2, b, x1, x2), y)
}

#[test]
fn sigmoid_and_cross_entropy_still_collapse_across_a_call() {
    assert_eq!(
        neuron_loss::DERIVATION,
        "dL/dw1 = (predict - y) * x1\ndL/dw2 = (predict - y) * x2\ndL/db = predict - y"
    );
    let (l, g) = neuron_loss::grad(0.5, -0.5, 0.1, 1.0, 2.0, 1.0);
    assert!((l - neuron_loss(0.5, -0.5, 0.1, 1.0, 2.0, 1.0)).abs() < 1e-15);
    let a = predict(0.5, -0.5, 0.1, 1.0, 2.0);
    assert!((g.b - (a - 1.0)).abs() < 1e-15);
    // Stable where the unfused form is not: z = ±800.
    for (w, y) in [(800.0, 0.0), (-800.0, 1.0)] {
        let (l, g) = neuron_loss::grad(w, 0.0, 0.0, 1.0, 0.0, y);
        assert!(l.is_finite() && (l - 800.0).abs() < 1e-9, "{l}");
        assert!((g.w1.abs() - 1.0).abs() < 1e-12, "{}", g.w1);
    }
}

/// A helper activation: no `wrt`, a building block for others.
#[differentiable]
pub fn swish(x: f64) -> f64 {
    x * sigmoid(x)
}

#[differentiable]
pub fn two_swishes(a: f64, b: f64) -> f64 {
    swish(a * b) + swish(a - b) * 2.0
}

#[test]
fn helpers_are_callable_and_differentiated() {
    let (v, g) = two_swishes::grad(0.7, -1.3);
    assert_eq!(v, two_swishes(0.7, -1.3));
    check(
        |p| two_swishes(p[0], p[1]),
        &[0.7, -1.3],
        &[g.a, g.b],
        &["a", "b"],
        &Tolerance::default(),
    )
    .unwrap();
}

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Mlp {
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
}

/// The network's forward pass, as users call it to predict.
#[differentiable]
pub fn logits(p: &Mlp, x: ArrayView2<f64>) -> Array2<f64> {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    a1.dot(&p.w2) + &p.b2
}

#[differentiable(wrt(p))]
pub fn mlp_loss(p: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    softmax_cross_entropy(logits(p, x), y)
}

/// The same network written in one function.
#[differentiable(wrt(p))]
pub fn mlp_loss_inline(p: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    softmax_cross_entropy(a1.dot(&p.w2) + &p.b2, y)
}

/// A small network and a batch of three examples with class labels.
fn network_and_batch() -> (Mlp, Array2<f64>, [usize; 3]) {
    let p = Mlp {
        w1: array![[0.2, -0.4, 0.1], [0.5, 0.3, -0.2]],
        b1: array![0.01, -0.02, 0.03],
        w2: array![[0.3, -0.1], [0.2, 0.4], [-0.5, 0.1]],
        b2: array![0.05, -0.05],
    };
    let x = array![[1.0, -0.5], [0.25, 2.0], [-1.5, 0.75]];
    (p, x, [0, 1, 1])
}

#[test]
fn a_loss_calling_the_forward_pass_is_the_one_written_inline() {
    let (p, x, y) = network_and_batch();
    let (l, g) = mlp_loss::grad(&p, x.view(), &y);
    let (li, gi) = mlp_loss_inline::grad(&p, x.view(), &y);
    assert_eq!(l.to_bits(), li.to_bits());
    assert_eq!(g.p, gi.p);
    check_params(
        |q: &Mlp| mlp_loss(q, x.view(), &y),
        &p,
        &g.p,
        &Tolerance::default(),
    )
    .unwrap();
    // Prediction is the same function the loss differentiates.
    let z = logits(&p, x.view());
    assert_eq!(z.dim(), (3, 2));
}

#[test]
fn a_function_returning_an_array_has_a_pullback() {
    let (p, x, y) = network_and_batch();
    let (z, pullback) = logits::vjp(&p, x.view());
    assert_eq!(z, logits(&p, x.view()));
    // The cotangent softmax cross-entropy sends back, (softmax(z) - y) / n, pulled back
    // through the logits, is the loss's gradient.
    let mut cotangent = softmax(&z);
    for (row, &label) in y.iter().enumerate() {
        cotangent[[row, label]] -= 1.0;
    }
    let cotangent = cotangent / 3.0;
    let g = pullback(cotangent);
    let (_, whole) = mlp_loss::grad(&p, x.view(), &y);
    for (a, b) in g.p.w1.iter().zip(whole.p.w1.iter()) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
    for (a, b) in g.p.b2.iter().zip(whole.p.b2.iter()) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
    // And with respect to the input, by finite differences of <cotangent, logits>.
    let ct = array![[0.3, -0.2], [0.1, 0.4], [-0.5, 0.25]];
    let (_, pullback) = logits::vjp(&p, x.view());
    let gx = pullback(ct.clone()).x;
    check_params(
        |x: &Array2<f64>| (&logits(&p, x.view()) * &ct).sum(),
        &x,
        &gx,
        &Tolerance::default(),
    )
    .unwrap();
}

/// The scalar helper `swish`, applied to every hidden unit of a tensor body.
#[differentiable(wrt(p))]
pub fn swish_mlp_loss(p: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    let h = swish(x.dot(&p.w1) + &p.b1);
    softmax_cross_entropy(h.dot(&p.w2) + &p.b2, y)
}

#[test]
fn a_scalar_helper_maps_over_arrays_in_tensor_code() {
    let (p, x, y) = network_and_batch();
    let (l, g) = swish_mlp_loss::grad(&p, x.view(), &y);
    let h = (x.dot(&p.w1) + &p.b1).mapv(swish);
    assert!((l - softmax_cross_entropy(h.dot(&p.w2) + &p.b2, &y)).abs() < 1e-12);
    check_params(
        |q: &Mlp| swish_mlp_loss(q, x.view(), &y),
        &p,
        &g.p,
        &Tolerance::default(),
    )
    .unwrap();
}

/// A function named like a standard macro is callable: its export takes another name,
/// so `line!()` and `format!` in this module are untouched.
#[differentiable]
pub fn line(x: f64) -> f64 {
    x * 2.0
}

#[differentiable]
pub fn through_line(x: f64) -> f64 {
    line(x) * x
}

#[test]
fn a_function_named_like_a_std_macro_is_callable() {
    let (v, g) = through_line::grad(3.0);
    assert_eq!((v, g.x), (18.0, 12.0));
    assert!(format!("{}", line!()).parse::<u32>().is_ok());
}

/// A function of one's own named like one of the table's methods, called by a path.
#[differentiable]
pub fn recip(x: f64) -> f64 {
    1.0 / (1.0 + x * x)
}

#[differentiable]
pub fn through_own_recip(x: f64) -> f64 {
    self::recip(x) * 2.0
}

#[test]
fn a_function_named_like_a_method_is_called_through_self() {
    let (v, g) = through_own_recip::grad(1.0);
    assert_eq!(v, 1.0);
    assert!((g.x - -1.0).abs() < 1e-15, "{}", g.x);
}
