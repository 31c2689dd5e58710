use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable]
fn f(x: &Array2<f64>) -> f64 {
    let z = Array2::zeros((2, 2));
    sum(x + &z)
}

fn main() {}
