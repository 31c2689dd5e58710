// A field the struct does not have, in a function with `hvp`: rustc's errors are on the
// body's token (the Hessian's struct is built with the body's spans), none inside generated code.
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Mlp {
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
}

#[differentiable(wrt(p), hvp)]
fn loss(p: &Mlp, x: &Array2<f64>) -> f64 {
    mean(tanh(x.dot(&p.w1) + &p.bias))
}

fn main() {}
