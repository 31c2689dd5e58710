// `-y` of labels: no operator takes them, also where the result is unused (a fuzzer
// finding: accepted, though the body without the attribute does not compile).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(w: &Array2<f64>, x: &Array2<f64>, y: &[usize]) -> f64 {
    let v = -y;
    softmax_cross_entropy(x.dot(w), y)
}

fn main() {}
