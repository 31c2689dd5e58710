// A hand-written derivative does not make an async function differentiable: the same
// error as without it, on `async`.
use cadena::prelude::*;

#[differentiable(derivative(f_prime))]
async fn f(x: f64) -> f64 {
    x * x
}

fn f_prime(x: f64) -> f64 {
    2.0 * x
}

fn main() {}
