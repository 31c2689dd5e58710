// A generic float function compiles cleanly, lints denied, at both widths.
#![deny(warnings)]
use cadena::prelude::*;

#[differentiable]
fn f<T: Float>(x: T) -> T {
    x * x + x.sin() * 2.0
}

fn main() {
    let (_, g32) = f::grad(1.0_f32);
    let (_, g64) = f::grad(1.0_f64);
    assert!((f64::from(g32.x) - g64.x).abs() < 1e-5);
}
