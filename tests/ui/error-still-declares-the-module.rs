// A function with a mistake still declares `f::grad`, `f::Grad` and the constants, so a
// caller elsewhere adds no second error: only the `while` is reported.
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn f(w: f64, x: f64) -> f64 {
    let mut y = w * x;
    while y > 1.0 {
        y = y / 2.0;
    }
    y
}

fn main() {
    let (loss, g) = f::grad(1.0, 2.0);
    let total: f64 = loss + g.w;
    println!("{total} {} {} {}", f::DERIVATION, f::EXPLAIN, f::GRAPH_DOT);
    let _copy: f::Grad = g.clone();
}
