use cadena::prelude::*;

#[differentiable]
struct Layer {
    w: f64,
}

fn main() {}
