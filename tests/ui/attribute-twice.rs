use cadena::prelude::*;

#[differentiable]
#[differentiable(wrt(x))]
fn twice(x: f64, y: f64) -> f64 {
    x * y
}

#[differentiable]
fn repeated(x: f64, x: f64) -> f64 {
    x * x
}

fn main() {
    let _ = twice::grad(1.0, 2.0);
}
