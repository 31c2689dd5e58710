// A `while` loop whose counter starts as a boolean: the error is on the counter's start,
// not on the attribute (a fuzzer finding).
use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut acc = x;
    let mut i = true;
    while i < 3 {
        acc = acc * x;
        i += 1;
    }
    acc
}

fn main() {}
