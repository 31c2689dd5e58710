use cadena::prelude::*;

#[differentiable]
fn square(x: f64) -> f64 {
    x * x
}

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    square(x, y)
}

fn main() {}
