// A body whose value is an array where the function returns a float: one error on the
// final expression, saying which is which (not rustc's type errors on generated code).
use cadena::ndarray::{Array2, ArrayView2};
use cadena::prelude::*;

#[differentiable]
pub fn unit(w1: f64, w2: Array2<f64>, b: f64, x1: f64, x2: f64) -> f64 {
    w1 * x1 + w2 * x2 + b
}

// The same for each part of a returned tuple, on that part (fuzzer findings).
#[differentiable]
pub fn input_and_total(x: ArrayView2<f64>, w: &Array2<u8>) -> (Array2<f64>, f64) {
    (x.to_owned(), w)
}

#[differentiable]
pub fn polar(x: f64, y: f64) -> (f64, Array2<f64>) {
    (x * y, x + y)
}

fn main() {}
