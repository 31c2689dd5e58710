use cadena::prelude::*;

#[differentiable(wrt(w, q), bogus, wrt(x))]
fn f(w: f64, x: f64) -> f64 {
    w * x as f64
}

fn main() {}
