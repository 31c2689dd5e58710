// An array of integers handed to a function that computes with floats: one error on it,
// saying where indices go.
use cadena::ndarray::{Array2, ArrayView2};
use cadena::prelude::*;

#[differentiable]
pub fn input_and_total(x: ArrayView2<f64>, w: &Array2<u8>) -> (Array2<f64>, f64) {
    (x.to_owned(), sum(w))
}

// The same as a method's receiver (a fuzzer finding: `u8: Float` in generated code).
#[differentiable(wrt(w))]
pub fn layer(w: &Array2<f32>, x: &Array2<u8>) -> f32 {
    mean(tanh(x.dot(w)))
}

fn main() {}
