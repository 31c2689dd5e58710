// A `let` or loop index named like a constant in scope: in Rust that is a pattern against
// the constant (E0005 in scalar code, mismatched types in ndarray code), which rustc says
// on the user's name, not on the attribute (a fuzzer finding: ndarray code was accepted).
// Likewise a cast to a type that exists nowhere, in a `let` the result does not need.
use cadena::ndarray::Array1;
use cadena::prelude::*;

const K: f64 = 2.0;

#[differentiable]
fn scalar(x: f64) -> f64 {
    let K = x * 3.0;
    K * x
}

#[differentiable]
fn tensor(x: &Array1<f64>) -> f64 {
    let K = x * 2.0;
    sum(K)
}

#[differentiable]
fn cast(x: &Array1<f64>) -> f64 {
    let _u = x * (1.0 as Undefined);
    sum(x)
}

fn main() {}
