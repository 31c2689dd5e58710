// A hand-written rule on a function generic over its float: one error on the type
// parameter (a fuzzer finding of CI's smoke run: rustc's "cannot find type `T`" in the
// generated code).
use cadena::prelude::*;

#[differentiable(derivative(std::f64::exp))]
pub fn generic<T: Float>(w: T, b: T, x: T, y: T) -> T {
    mse(tanh(w * x + b), y)
}

fn main() {}
