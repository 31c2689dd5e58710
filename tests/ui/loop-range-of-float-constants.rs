// A range whose bound is a float constant (`K: f64`) looks like any range of constants to
// the macro: rustc says what it is, on the range, once (it was "not an iterator" inside
// the generated loop). A literal of another integer type (`1i32`) is the macro's error on
// it (it was rustc's on the range, then `c[i]` with `i: i32` in the generated loop).
use cadena::prelude::*;

const K: f64 = 0.0;

#[differentiable]
fn float_constant(x: f64) -> f64 {
    let mut acc = x;
    for _ in K..3.0 {
        acc = acc * 0.5;
    }
    acc
}

#[differentiable]
fn other_integers(c: &[f64; 4], x: f64) -> f64 {
    let mut acc = x;
    for i in (1i32..4).rev() {
        acc = acc * x + c[i];
    }
    acc
}

fn main() {}
