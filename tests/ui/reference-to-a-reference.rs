// `&&x` in ndarray code: no operator, op or method takes it, so it is an error on the
// tokens, not read as `x`.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    mean(&&x.dot(w) * 2.0)
}

fn main() {}
