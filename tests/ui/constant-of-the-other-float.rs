// A constant of the other float type in a `let` the result does not need, in ndarray code
// computing in `f32`: rustc's mismatched types on the constant (a fuzzer finding: accepted,
// as the graph left it out and nothing else compiled it).
use cadena::ndarray::Array2;
use cadena::prelude::*;

const SCALE: f64 = 0.5;

#[differentiable]
fn f(x: &Array2<f32>) -> f32 {
    let _unused = x * f64::MAX + SCALE;
    sum(x)
}

fn main() {}
