// `1f64` and `2_f64` are floats in Rust, though written like integers: not an axis, an
// index or an integer exponent (fuzzer findings: read as `Axis(1)` and `powi(2)`); nor is
// a float a slice's bound.
use cadena::ndarray::{Array2, Axis, s};
use cadena::prelude::*;

#[differentiable]
fn axis(x: &Array2<f64>) -> f64 {
    sum(x.sum_axis(Axis(1f64)))
}

#[differentiable]
fn exponent(x: f64) -> f64 {
    x.powi(2_f64)
}

#[differentiable]
fn index(c: &[f64; 3], x: f64) -> f64 {
    c[1_f64] * x
}

#[differentiable]
fn slice_bound(x: &Array2<f64>) -> f64 {
    sum(x.slice(s![1e38f32.., ..]))
}

fn main() {}
