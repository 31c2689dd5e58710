use cadena::prelude::*;

// A differentiable loop runs its whole body every iteration.
#[differentiable]
fn f(x: f64) -> f64 {
    let mut h = x;
    for _ in 0..10 {
        h = h * x;
        break;
    }
    for _ in 0..10 {
        continue;
    }
    for _ in 0..10 {
        h = h + 1.0;
        return h;
    }
    h
}

fn main() {}
