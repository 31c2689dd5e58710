use cadena::prelude::*;

#[differentiable(wrt(w, c))]
fn f(w: f64, x: f64) -> f64 {
    let a = w.round();
    let b = x * 3;
    a + b
}

fn main() {}
