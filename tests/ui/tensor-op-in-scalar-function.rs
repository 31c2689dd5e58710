use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    softmax(x)
}

fn main() {}
