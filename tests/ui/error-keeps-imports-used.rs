// A mistake in a body is its only diagnostic: the imports the body uses (`Axis`, `s!`,
// `sigmoid`) are not also reported unused.
#![deny(unused_imports)]
use cadena::ndarray::Array2;
use cadena::prelude::{Axis, differentiable, s, sigmoid, sum};

#[differentiable]
fn f(x: &Array2<f64>) -> f64 {
    let top = x.slice(s![0..1, ..]);
    let m = sigmoid(top.sum_axis(Axis(1)));
    sum(m.floor())
}

fn main() {}
