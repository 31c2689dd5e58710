// A body whose final value is a reduction (a float) where the function returns an array:
// one error on the final expression, saying which is which.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
pub fn layer(w: &Array2<f64>, x: &Array2<f64>) -> Array2<f64> {
    mean(tanh(x.dot(w)))
}

fn main() {}
