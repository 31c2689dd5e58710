use cadena::prelude::*;

#[differentiable]
fn piecewise(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.01 * x }
}

fn main() {}
