// A loop over an axis written with another function than `Axis` (`relu(0)`): one error on
// it (a fuzzer finding: accepted, the function's path only checked to exist).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[differentiable]
fn steps(b: &Array1<f64>, x: &Array2<f64>) -> f64 {
    let mut h = b.to_owned();
    for xt in x.axis_iter(relu(0)) {
        h = tanh(&xt + &h);
    }
    sum(h)
}

fn main() {}
