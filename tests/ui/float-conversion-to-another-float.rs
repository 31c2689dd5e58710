// `f64::from(x)` is `x` in a function computing in `f64`; elsewhere it makes a float the
// function's values cannot meet, or converts from a generic float Rust cannot convert
// (fuzzer findings: accepted in dead code).
use cadena::prelude::*;

#[differentiable]
fn generic<T: Float>(x: T) -> T {
    let _v = f64::from(x);
    x * x
}

#[differentiable]
fn single(x: f32) -> f32 {
    let _v = f64::from(x);
    x * x
}

fn main() {}
