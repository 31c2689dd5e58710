use cadena::prelude::*;

#[differentiable(wrt(x))]
fn f(x: f64, n: usize) -> f64 {
    x * n
}

fn main() {}
