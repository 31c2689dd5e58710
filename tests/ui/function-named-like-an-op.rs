// A function named like a prelude op that calls that name calls itself in Rust (its name
// hides the glob import): recursion, said on the call (the fuzzer's "`tanh` is
// ambiguous" came from generated code).
use cadena::prelude::*;

#[differentiable]
pub fn tanh(z: f64) -> f64 {
    tanh(z.sin()) + 1.0
}

fn main() {}
