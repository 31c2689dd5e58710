// A float where an op takes an array: an error on the float, not rustc's about the
// dimensions of `f64` on the attribute (a fuzzer finding: a bias of `0.0` for `conv1d`).
use cadena::ndarray::{Array1, Array2, Array3, Axis};
use cadena::prelude::*;

#[differentiable]
fn bias(x: &Array3<f64>, w: &Array3<f64>) -> f64 {
    sum(conv1d(x, w, 0.0, 1, 0))
}

#[differentiable]
fn softmax_of_a_float(x: &Array2<f64>, c: f64) -> f64 {
    sum(softmax(c * 2.0, Axis(1))) + sum(x)
}

#[differentiable]
fn pool_of_a_sum(x: &Array3<f64>) -> f64 {
    sum(max_pool1d(sum(x), 2, 2))
}

#[differentiable]
fn float_targets(z: &Array2<f64>) -> f64 {
    softmax_cross_entropy(z, 1.0)
}

#[differentiable]
fn axis_of_a_float(x: &Array1<f64>) -> f64 {
    sum(logsumexp(2.0, Axis(0))) + sum(x)
}

fn main() {}
