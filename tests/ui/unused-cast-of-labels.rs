// A `let` the result does not need, whose value is the user's own tokens (`y as f64`):
// still rustc's to check, on those tokens (ndarray code is not handed to rustc as
// written; this was accepted, though the body without the attribute does not compile).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(w: &Array2<f64>, x: &Array2<f64>, y: &[usize], n: usize) -> f64 {
    let v = y as f64;
    let _u = n as f64;
    softmax_cross_entropy(x.dot(w), y)
}

fn main() {}
