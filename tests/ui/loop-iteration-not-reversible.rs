use cadena::prelude::*;

// What a loop iterates must be something the macro can walk backwards by index.
#[differentiable]
fn f(c: &[f64; 4], x: f64) -> f64 {
    let mut acc = x;
    for v in c.iter().map(|v| v * 2.0) {
        acc = acc * v;
    }
    for (a, b) in c.iter().zip(c.iter()) {
        acc = acc + a * b;
    }
    for v in c.iter().rev().enumerate() {
        acc = acc + 1.0;
    }
    acc
}

fn main() {}
