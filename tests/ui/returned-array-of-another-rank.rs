// A final value whose number of axes is not the return type's: broadcasting a vector
// against a matrix makes a matrix, which `Array1<f64>` cannot hold. One error, on the
// final value, naming both.
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[differentiable(wrt(x))]
fn layer(w: &Array2<f64>, x: &Array1<f64>) -> Array1<f64> {
    tanh(w.dot(x)) + w * 1e-3
}

fn main() {}
