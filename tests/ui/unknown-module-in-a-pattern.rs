// A module that exists nowhere, in a `match` arm's pattern of ndarray code: rustc's error
// on it (a fuzzer finding: accepted, as nothing compiled the pattern where the result did
// not need the arm).
use cadena::ndarray::Array2;
use cadena::prelude::*;

pub enum Norm {
    None,
    Squash,
}

#[differentiable]
fn pattern(x: &Array2<f64>, norm: Norm) -> f64 {
    let out = match norm {
        Norm::None => x * 1.0,
        undefined::Squash => tanh(x),
    };
    sum(out)
}

fn main() {}
