use cadena::prelude::*;

// A loop must carry a `let mut` value; a loop cannot be the function's result.
#[differentiable]
fn layers(x: f64, w: f64) -> f64 {
    let h = x;
    for _ in 0..3 {
        let _ = h * w;
    }
    h
}

#[differentiable]
fn ends_in_a_loop(x: f64) -> f64 {
    let mut h = x;
    for _ in 0..3 {
        h = h * x;
    }
}

fn main() {}
