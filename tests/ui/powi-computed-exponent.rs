use cadena::prelude::*;

const N: i32 = 3;

#[differentiable]
fn f(x: f64) -> f64 {
    x.powi(N)
}

fn main() {}
