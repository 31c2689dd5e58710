// A field named like its struct argument (`p.p`), missing, in a function with `hvp`:
// rustc's errors on the user's field only (a fuzzer finding: the direction `p` stands
// for was also put in place of the field's name, `direction.direction`).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Mlp {
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
}

#[differentiable(wrt(p), hvp)]
fn classifier(p: &Mlp, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h = tanh(x.dot(&p.w1) + &p.b1);
    softmax_cross_entropy(h.dot(&p.w2) + &p.p, y)
}

fn main() {}
