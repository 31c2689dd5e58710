// A `Vec` of per-step values made with a capacity that is no `usize`: an error on it, as
// rustc's without the attribute (a fuzzer finding: the capacity, never computed, was
// accepted).
use cadena::ndarray::{Array1, Array2, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn stacked(p: &Lin, x: &Array2<f64>) -> f64 {
    let mut outs: Vec<Array1<f64>> = Vec::with_capacity(1e39f32);
    for xt in x.axis_iter(Axis(0)) {
        outs.push(xt.dot(&p.w) + &p.b);
    }
    mean(stack(Axis(0), &outs))
}

fn main() {}
