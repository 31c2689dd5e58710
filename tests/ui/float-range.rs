// A loop over a range of floats (a literal with a float suffix): counts are integers.
use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut h = x;
    for _ in 3_f64..1 {
        h = h.sin();
    }
    h
}

fn main() {}
