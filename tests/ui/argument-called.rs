// A closure argument called in the body: its code is out of the macro's sight. One
// error on the call, naming the argument (not a missing `g_needs_differentiable_attribute`
// macro); `ui-pass/argument-called-advice` writes the computation as a function.
use cadena::prelude::*;

#[differentiable]
pub fn scaled(x: f64, g: impl Fn(f64) -> f64) -> f64 {
    g(x) * 2.0
}

fn main() {}
