// A function of another crate without `#[differentiable(export)]` (here a plain one) has
// no export macro: rustc says so by the macro's name, which says what it needs.
use cadena::prelude::*;

#[differentiable]
fn loss(x: f64) -> f64 {
    cadena_test_callee::swish_prime(x) * 2.0
}

fn main() {}
