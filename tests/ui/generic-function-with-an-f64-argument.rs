// A function generic over its float type reading an argument of `f64`, or an array of
// them: one error on its type, none inside the generated code (fuzzer findings). The
// advice followed compiles (`tests/generic_floats.rs`).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;
use cadena::Float;

#[differentiable(wrt(w, b))]
pub fn layer<T>(w: &Array2<T>, b: &Array1<f64>, x: &Array2<T>, y: &Array2<T>) -> T
where
    T: Float,
{
    let h = tanh(x.dot(w) + b);
    mse(h, y)
}

#[differentiable(wrt(w1, w2, b))]
pub fn neuron<T: Float>(w1: std::primitive::f64, w2: T, b: T, x1: T, x2: T, y: T) -> T {
    let z = w1 * x1 + w2 * x2 + b;
    bce(sigmoid(z), y)
}

fn main() {}
