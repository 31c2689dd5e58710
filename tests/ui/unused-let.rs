#![deny(unused_variables)]

use cadena::prelude::*;

// As in plain Rust, the unused binding is reported, not `b`, which only it reads.
#[differentiable]
fn f(a: f64, b: f64) -> f64 {
    let unused = b * 2.0;
    a * a
}

fn main() {}
