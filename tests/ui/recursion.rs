use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    f(x * 0.5) + x
}

fn main() {}
