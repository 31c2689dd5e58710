use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    x.cbrt()
}

fn main() {}
