// `&self` on a function outside an impl, `-> Self` and `p: &Self`: rustc's errors and
// the macro's, all on the user's tokens, none inside generated code (the stub `Grad` of
// `p: &Self` was a recursive type).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(&self, w: f64, x: f64) -> f64 {
    w * x
}

#[differentiable(wrt(w))]
fn other(w: f64, x: f64) -> Self {
    w * x
}

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn layer(p: &Self, x: &Array2<f64>) -> f64 {
    mean(tanh(x.dot(&p.w) + &p.b))
}

fn main() {}
