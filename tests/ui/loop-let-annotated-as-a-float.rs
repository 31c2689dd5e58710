// A `let` in a loop annotated `f64` whose value is an array: one error, on the annotation,
// as outside loops (a fuzzer finding: accepted, though rustc refuses it as written).
use cadena::ndarray::{Array2, Array3, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct G {
    pub l: Array3<f64>,
}

#[differentiable(wrt(p))]
fn ll(p: &G, x: &Array2<f64>, k: usize) -> f64 {
    let mut columns = Vec::new();
    for j in 0..k {
        let lower: f64 = p.l.index_axis(Axis(0), j);
        let c = x.dot(&lower.t());
        columns.push(c);
    }
    let s = stack(Axis(1), &columns);
    sum(s)
}

#[differentiable(wrt(p))]
fn ll2(p: &G, x: &Array2<f64>) -> f64 {
    let lower: f64 = p.l.index_axis(Axis(0), 0);
    sum(x.dot(&lower.t()))
}

fn main() {}
