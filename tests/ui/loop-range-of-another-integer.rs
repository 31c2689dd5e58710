// A loop's range of another integer type than `usize`: a negative bound or a suffixed
// literal is the macro's error on it; a `u8` argument is cadena's trait error on the
// range (fuzzer findings: `-1..2` was rustc's "`usize: Neg` is not satisfied").
use cadena::prelude::*;

#[differentiable]
fn negative(x: f64) -> f64 {
    let mut acc = x;
    for _ in -1..2 {
        acc = acc * x;
    }
    acc
}

#[differentiable]
fn suffixed(x: f64) -> f64 {
    let mut acc = x;
    for _ in 0..3u8 {
        acc = acc * x;
    }
    acc
}

#[differentiable]
fn of_a_byte(x: f64, n: u8) -> f64 {
    let mut acc = x;
    for _ in 0..n {
        acc = acc * x;
    }
    acc
}

fn main() {}
