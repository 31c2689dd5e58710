use cadena::prelude::*;

#[differentiable]
fn f(x: f32, y: f64) -> f64 {
    y * y
}

fn main() {}
