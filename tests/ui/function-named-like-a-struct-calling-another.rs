// A function named like a struct that calls another #[differentiable] function: rustc's
// E0428 on the function's name (a fuzzer finding: it was on the callee's attribute, the
// caller's expansion coming back through the callee's export macro).
use cadena::prelude::*;

pub struct P {
    pub w: f64,
}

#[differentiable]
fn helper(a: f64, x: f64) -> f64 {
    (a * x).tanh()
}

#[differentiable(wrt(a))]
fn P(a: f64, x: f64) -> f64 {
    helper(a, x) * 2.0
}

fn main() {}
