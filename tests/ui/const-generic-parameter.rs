use cadena::prelude::*;

#[differentiable]
fn f<const N: usize>(x: f64) -> f64 {
    x * x
}

fn main() {}
