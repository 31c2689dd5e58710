use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut y = x * x;
    y
}

fn main() {}
