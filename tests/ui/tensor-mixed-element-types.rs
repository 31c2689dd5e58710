use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn f(w: &Array2<f64>, x: &Array2<f32>) -> f32 {
    sum(x.dot(w))
}

fn main() {}
