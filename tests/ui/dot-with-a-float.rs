// `dot` of a float argument (a fuzzer finding: a type error inside the generated code).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[differentiable(wrt(w, b))]
pub fn logistic(w: &Array1<f64>, b: f64, x: &Array2<f64>, y: &Array1<f64>) -> f64 {
    let z = x.dot(b) + b;
    bce(sigmoid(z), y)
}

fn main() {}
