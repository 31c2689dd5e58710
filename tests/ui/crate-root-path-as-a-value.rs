// `::EPSILON` (a crate's name from the root, never a value) and `concatenate`'s parts as
// an array by value (ndarray takes a slice): not Rust that compiles, also where the
// result leaves them unused (fuzzer findings: accepted).
use cadena::ndarray::{Array2, Axis};
use cadena::prelude::*;

#[differentiable]
pub fn product<T: Float>(x: T, y: T) -> T {
    let mut acc = ::EPSILON;
    for _ in 0..3 {
        acc += x;
    }
    x * y
}

#[differentiable]
pub fn joined(x: &Array2<f64>) -> f64 {
    let _v6 = concatenate(Axis(1), [x.view(), x.view()]);
    sum(x)
}

fn main() {}
