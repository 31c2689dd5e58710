use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    while x > 0.0 {}
    x
}

#[differentiable]
fn g(x: f64) -> f64 {
    let mut h = x;
    loop {
        h = h * 0.5;
    }
    h
}

fn main() {}
