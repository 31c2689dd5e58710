// A loop carrying a value that starts as a struct's field (whose number of axes the macro
// does not know) and that a step gives another number of axes: rustc's error on the
// user's assignment, not inside the generated loop (a fuzzer finding).
use cadena::ndarray::{Array1, Array2, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
    pub s: f64,
}

#[differentiable(wrt(p))]
fn recurrent(p: &P, x: &Array2<f64>) -> f64 {
    let mut h = p.b.to_owned();
    let mut outs = Vec::new();
    for xt in x.axis_iter(Axis(0)) {
        h = tanh(xt.dot(&p.w) + &x * p.s);
        outs.push(h.clone());
    }
    let hs = stack(Axis(0), &outs);
    mean(&hs * &hs)
}

fn main() {}
