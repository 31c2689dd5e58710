//! Float arrays as parameters of a function (`c: &[f64; 4]`, `w: [f64; 3]`), read by a
//! literal index: the gradient is an array of the same type.

use cadena::gradcheck::{Tolerance, check};
use cadena::prelude::*;

/// A cubic, its coefficients in one argument.
#[differentiable(wrt(c))]
pub fn cubic(c: &[f64; 4], x: f64) -> f64 {
    c[0] + x * (c[1] + x * (c[2] + x * c[3]))
}

/// A neuron whose weights come as an array, by value.
#[differentiable(wrt(w))]
pub fn neuron(w: [f64; 3], x1: f64, x2: f64, y: f64) -> f64 {
    bce(sigmoid(w[0] * x1 + w[1] * x2 + w[2]), y)
}

#[test]
fn the_gradient_of_an_array_is_an_array() {
    let c = [0.5, -1.0, 0.25, 2.0];
    let x = 1.5;
    let (v, g) = cubic::grad(&c, x);
    assert_eq!(v, cubic(&c, x));
    let expected = [1.0, x, x * x, x * x * x];
    for (a, b) in g.c.iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{:?}", g.c);
    }
    let w = [0.3, -0.2, 0.1];
    let (_, g) = neuron::grad(w, 1.0, 2.0, 1.0);
    let gw: [f64; 3] = g.w;
    check(
        |p| neuron([p[0], p[1], p[2]], 1.0, 2.0, 1.0),
        &w,
        &gw,
        &["w0", "w1", "w2"],
        &Tolerance::default(),
    )
    .unwrap();
    assert!(
        neuron::DERIVATION.contains("dL/dw[0] = "),
        "{}",
        neuron::DERIVATION
    );
}
