// A loop counts with integers: a float in its range is a spanned error, not a type error
// inside the generated code.
use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut acc = x;
    for _ in f64::MIN_POSITIVE..3 {
        acc = acc * x;
    }
    acc
}

fn main() {}
