// `hvp` on a tensor function whose gradient has no derivative of its own (a loop's
// backward run): the error says so.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w), hvp)]
fn f(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let mut h = x.to_owned();
    for _ in 0..3 {
        h = tanh(h.dot(w));
    }
    mean(h)
}

fn main() {}
