// A model struct without `Clone`: `Grad` holds one and derives `Clone`, so rustc asks for
// it, on the argument's type (it was spanned at the attribute).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[derive(Parameters)]
pub struct Model {
    pub w: Array2<f64>,
}

#[differentiable(wrt(p))]
fn loss(p: &Model, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    mse(x.dot(&p.w), y)
}

fn main() {}
