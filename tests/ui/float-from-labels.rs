// `f64::from(y)` of labels: no such conversion exists, and the macro must not read the
// labels on as a value where the result is unused (a fuzzer finding: accepted, though
// the body without the attribute does not compile).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Mlp {
    w1: Array2<f64>,
    b1: Array1<f64>,
}

#[differentiable(wrt(p))]
pub fn loss(p: &Mlp, x: &Array2<f64>, y: &[usize]) -> f64 {
    let v = f64::from(y);
    softmax_cross_entropy(x.dot(&p.w1) + &p.b1, y)
}

fn main() {}
