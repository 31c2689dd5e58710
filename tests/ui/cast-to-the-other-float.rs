// `as f64` in a function computing in `f32`: a value of the other float type, one error
// on the cast's type (a fuzzer finding: in ndarray code it was read as an `f32`).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable]
fn loss(x: &Array2<f32>) -> f32 {
    let v = x.len() as f64;
    mean(x * x) / v
}

#[differentiable]
fn scalar(x: f32, n: usize) -> f32 {
    x * (n as f64)
}

fn main() {}
