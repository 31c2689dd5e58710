// A body whose value is an array where the function returns a float: rustc's type error
// points at the body's final expression, not at the attribute.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable]
pub fn unit(w1: f64, w2: Array2<f64>, b: f64, x1: f64, x2: f64) -> f64 {
    w1 * x1 + w2 * x2 + b
}

fn main() {}
