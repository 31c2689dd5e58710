// `acc += y` of labels in a loop: no operator takes them, also in a compound assignment
// whose loop the result does not use (a fuzzer finding: accepted, though the body
// without the attribute does not compile).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(w: &Array2<f64>, x: &Array2<f64>, y: &[usize]) -> f64 {
    let mut acc = 0.0;
    for _ in 0..3 {
        acc += y;
    }
    softmax_cross_entropy(x.dot(w), y)
}

fn main() {}
