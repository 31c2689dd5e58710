use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    while x > 0.0 {}
    x
}

fn main() {}
