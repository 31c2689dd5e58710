// A body whose final value is a reduction (a float) where the function returns an array:
// one error on the final expression, saying which is which.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
pub fn layer(w: &Array2<f64>, x: &Array2<f64>) -> Array2<f64> {
    mean(tanh(x.dot(w)))
}

// Float arguments only: every value is a float, through a loop too (a fuzzer finding:
// the loop's value was unknown to the check, and the error came from generated code).
#[differentiable]
pub fn scalar(x: f64, y: f64) -> Array2<f64> {
    let mut s = x;
    for _ in 0..2 {
        s = s * y;
    }
    s + 1.0
}

fn main() {}
