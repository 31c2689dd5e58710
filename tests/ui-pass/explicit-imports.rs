//! The functions a body calls are imported by name, as in any Rust code: the imports
//! must count as used (the emitted body calls runtime helpers instead). An intentionally
//! unused binding (`_h`) warns about nothing, not even the argument only it reads.
#![deny(unused_imports, unused_variables)]

use cadena::ndarray::{Array1, Array2, Axis};
use cadena::prelude::{Parameters, bce, differentiable, sigmoid, softmax_cross_entropy, tanh};

#[differentiable(wrt(w))]
fn neuron(w: f64, x: f64, y: f64, h: f64) -> f64 {
    let _h = h * 2.0;
    bce(sigmoid(w * x), y)
}

#[derive(Parameters, Clone)]
struct Layer {
    w: Array2<f64>,
    b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn layer(p: &Layer, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let z = tanh(x.dot(&p.w) + &p.b);
    softmax_cross_entropy(z, y) + z.sum_axis(Axis(0)).sum()
}

fn main() {
    let _ = neuron::grad(0.5, 1.0, 1.0, 3.0);
    let p = Layer { w: Array2::zeros((2, 2)), b: Array1::zeros(2) };
    let _ = layer::grad(&p, &Array2::ones((3, 2)), &Array2::ones((3, 2)));
}
