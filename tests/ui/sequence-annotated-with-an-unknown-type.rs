// A `Vec` of per-step values annotated with a type that exists nowhere: rustc's error on it
// (a fuzzer finding: accepted, the annotation of a `Vec` a loop fills went unchecked).
use cadena::ndarray::{Array1, Array2, Axis};
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn stacked(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let mut outs: undefined_Vec<Array1<f64>> = Vec::with_capacity(2);
    for xt in x.axis_iter(Axis(0)) {
        outs.push(xt.dot(w));
    }
    mean(stack(Axis(0), &outs))
}

#[differentiable(wrt(w))]
fn fine(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let mut outs: Vec<Array1<f64>> = Vec::with_capacity(2);
    for xt in x.axis_iter(Axis(0)) {
        outs.push(xt.dot(w));
    }
    mean(stack(Axis(0), &outs))
}

fn main() {}
