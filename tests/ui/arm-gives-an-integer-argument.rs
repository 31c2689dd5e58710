// An `if` arm returning an integer argument (labels): one error, on the `if` (a fuzzer
// finding: errors inside generated code).
use cadena::ndarray::{Array2, ArrayView2};
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn split_loss(w: &Array2<f64>, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    if y > 0.0 {
        return y;
    }
    softmax_cross_entropy(x.dot(w), y)
}

fn main() {}
