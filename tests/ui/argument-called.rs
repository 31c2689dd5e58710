// A closure argument called in the body: its code is out of the macro's sight. One
// error on the call, naming the argument (not a missing `g_needs_differentiable_attribute`
// macro); `ui-pass/argument-called-advice` writes the computation as a function.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable]
pub fn scaled(x: f64, g: impl Fn(f64) -> f64) -> f64 {
    g(x) * 2.0
}

// Read as a value in ndarray code, where every argument is an input (a fuzzer finding:
// `impl Fn(f64) -> f64: Float` in generated code).
#[differentiable]
pub fn layer(x: &Array2<f64>, g: impl Fn(f64) -> f64) -> f64 {
    mean(x * g)
}

fn main() {}
