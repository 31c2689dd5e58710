use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn f(w: &Array2<f32>, x: &Array2<f32>) -> f32 {
    let h = tanh(x.dot(w));
    h.mean()
}

fn main() {}
