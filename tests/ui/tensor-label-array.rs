use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(w: &Array2<f32>, x: &Array2<f32>, y: &Array1<usize>) -> f32 {
    softmax_cross_entropy(x.dot(w), y)
}

fn main() {}
