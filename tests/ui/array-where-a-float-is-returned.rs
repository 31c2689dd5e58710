// A body whose value is an array where the function returns a float: one error on the
// final expression, saying which is which (not rustc's type errors on generated code).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable]
pub fn unit(w1: f64, w2: Array2<f64>, b: f64, x1: f64, x2: f64) -> f64 {
    w1 * x1 + w2 * x2 + b
}

fn main() {}
