// A type parameter no argument has, and `impl Float` as the return type: spanned errors
// (fuzzer findings: "type annotations needed" inside the generated code).
use cadena::prelude::*;

#[differentiable(wrt(y))]
fn unused<T: Float>(y: f32, c: f32) -> f32 {
    y * c
}

#[differentiable]
fn opaque(y: f64) -> impl Float {
    y * y
}

#[differentiable]
fn stray_semicolon(y: f64) -> f64 {
    let z = y * y;;
    z
}

#[differentiable]
fn string_range(c: f64) -> f64 {
    let mut s = c;
    for _ in "s"..2 {
        s = s * 0.5;
    }
    s
}

fn main() {}
