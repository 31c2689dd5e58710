// `&self` in a free function with a hand-written derivative: the errors are on the user's
// arguments (a fuzzer finding: one was on the attribute), beside rustc's own on `self`.
use cadena::prelude::*;

fn f(x: f64) -> (f64, f64) {
    (x, 1.0)
}

#[differentiable(derivative(f))]
fn doubled_products(&self, c: &[f64; 4], x: f64) -> f64 {
    x * c[0]
}

fn main() {}
