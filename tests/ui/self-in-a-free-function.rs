// `&self` on a function outside an impl, and `-> Self`: rustc's errors and the macro's,
// all on the user's tokens, none inside generated code.
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(&self, w: f64, x: f64) -> f64 {
    w * x
}

#[differentiable(wrt(w))]
fn other(w: f64, x: f64) -> Self {
    w * x
}

fn main() {}
