// A loop over a range with a bound missing (`..3`, `0..`) or of booleans: one error on
// the range (fuzzer findings: rustc's "not an iterator" came from generated code).
use cadena::prelude::*;

#[differentiable]
pub fn no_start(x: f64) -> f64 {
    let mut s = x;
    for _ in ..3 {
        s = s * 0.5;
    }
    s
}

#[differentiable]
pub fn no_end(x: f64) -> f64 {
    let mut s = x;
    for _ in 0.. {
        s = s * 0.5;
    }
    s
}

#[differentiable]
pub fn booleans(x: f64) -> f64 {
    let mut s = x;
    for _ in true..false {
        s = s * 0.5;
    }
    s
}

fn main() {}
