// A float literal suffixed with the other float type: one error on it, saying what to
// write (the macro reads literals' values; rustc would reject the body as written).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    mean(x.dot(w)) + 1.5f32
}

fn main() {}
