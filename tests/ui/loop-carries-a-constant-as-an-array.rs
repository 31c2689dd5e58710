// A loop carrying a constant from scope (here a name that exists nowhere, read as a float
// constant) that its body multiplies as a matrix: one error, on the user's tokens (a
// fuzzer finding: errors inside generated code).
use cadena::ndarray::{Array1, Array2, Array3, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Rnn {
    pub wx: Array2<f64>,
    pub wh: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn recurrent(p: &Rnn, x: &Array3<f64>, h0: &Array2<f64>) -> f64 {
    let mut h = DERIVATION.to_owned();
    let mut loss = 0.0;
    for xt in x.axis_iter(Axis(0)) {
        h = tanh(xt.dot(&p.wx) + h.dot(&p.wh) + &p.b);
        loss = loss + mean(&h * &h);
    }
    loss
}

fn main() {}
