// A function named like the crate: its module would hide `cadena` from the imports.
use cadena::prelude::*;

#[differentiable]
fn cadena(y: f64) -> f64 {
    tanh(y) * 2.0
}

fn main() {}
