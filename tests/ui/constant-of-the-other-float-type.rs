// An `f64` constant in an `f32` function: rustc's mismatch on the constant (from the
// function as written and from each generated pass), none inside generated code.
use cadena::prelude::*;

#[differentiable]
fn circle(r: f32) -> f32 {
    std::f64::consts::PI * r * r
}

fn main() {}
