use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w, labels))]
fn f(w: &Array2<f32>, x: &Array2<f32>, labels: &[usize]) -> f32 {
    softmax_cross_entropy(x.dot(w), labels)
}

fn main() {}
