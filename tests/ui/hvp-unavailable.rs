// `hvp` on a tensor function whose gradient has no derivative of its own (a convolution's).
use cadena::ndarray::{Array1, Array3};
use cadena::prelude::*;

#[differentiable(wrt(w), hvp)]
fn f(x: &Array3<f64>, w: &Array3<f64>, b: &Array1<f64>) -> f64 {
    mean(tanh(conv1d(x, w, b, 1, 0)))
}

fn main() {}
