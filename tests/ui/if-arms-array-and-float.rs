// Arms of an array and a float in ndarray code: Rust's "incompatible types" for the body
// as written, said on the `if` or `match` (a fuzzer finding: the graph broadcast the
// float, also in a `let` the result does not need).
use cadena::ndarray::Array1;
use cadena::prelude::*;

#[differentiable(wrt(x))]
fn branch(x: &Array1<f64>, k: usize) -> f64 {
    let y = if k == 0 { x * 2.0 } else { 1.0 };
    sum(y)
}

#[differentiable(wrt(x))]
fn unused_match(x: &Array1<f64>, k: usize) -> f64 {
    let _y = match k {
        0 => x * 2.0,
        _ => 1.0,
    };
    sum(x)
}

fn main() {}
