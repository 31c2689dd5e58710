use cadena::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let z = x;
    z += y;
    z
}

fn main() {}
