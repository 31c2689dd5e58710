use cadena::ndarray::{Array2, Array3, Axis};
use cadena::prelude::*;

#[differentiable]
fn read_as_a_value(x: &Array3<f64>, w: &Array2<f64>) -> f64 {
    let mut outs = Vec::new();
    for xt in x.axis_iter(Axis(1)) {
        outs.push(xt.dot(w));
    }
    outs.sum()
}

#[differentiable]
fn stacked_before_the_loop(x: &Array3<f64>, w: &Array2<f64>) -> f64 {
    let mut outs = Vec::new();
    let early = stack(Axis(1), &outs);
    for xt in x.axis_iter(Axis(1)) {
        outs.push(xt.dot(w));
    }
    early.sum()
}

#[differentiable]
fn pushed_twice(x: &Array3<f64>, w: &Array2<f64>) -> f64 {
    let mut outs = Vec::new();
    for xt in x.axis_iter(Axis(1)) {
        outs.push(xt.dot(w));
        outs.push(xt.dot(w));
    }
    stack(Axis(1), &outs).sum()
}

#[differentiable]
fn not_mut(x: &Array3<f64>, w: &Array2<f64>) -> f64 {
    let outs = Vec::new();
    for xt in x.axis_iter(Axis(1)) {
        outs.push(xt.dot(w));
    }
    stack(Axis(1), &outs).sum()
}

fn main() {}
