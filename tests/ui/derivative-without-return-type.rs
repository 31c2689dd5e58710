// A function with a hand-written derivative and no return type: the error is on the
// signature (it was on the attribute).
use cadena::prelude::*;

#[differentiable(derivative(f_prime))]
fn f(x: f64) {
    let _y = x * x;
}

fn f_prime(x: f64) -> f64 {
    2.0 * x
}

fn main() {}
