// The product of two vectors is a float: returned as an array, one error on the final
// value (a fuzzer finding: mismatched types inside generated code).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[differentiable(wrt(x))]
fn layer(w: &Array2<f64>, x: &Array1<f64>) -> Array1<f64> {
    tanh(x.dot(x))
}

fn main() {}
