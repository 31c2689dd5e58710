// `hvp` on a tensor function whose gradient has no derivative of its own (a maximum
// along an axis): the error names the operation, where it is.
use cadena::ndarray::{Array2, Axis};
use cadena::prelude::*;

#[differentiable(wrt(w), hvp)]
fn f(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    mean(max_axis(&tanh(x.dot(w)), Axis(1)))
}

fn main() {}
