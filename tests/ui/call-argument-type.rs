// A call whose arguments do not match the callee's parameters is an error at the
// argument: here the struct and the batch are swapped.
use cadena::ndarray::{Array2, ArrayView2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Linear {
    pub w: Array2<f64>,
}

#[differentiable]
fn logits(p: &Linear, x: ArrayView2<f64>) -> Array2<f64> {
    x.dot(&p.w)
}

#[differentiable(wrt(p))]
fn loss(p: &Linear, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    softmax_cross_entropy(logits(x, p), y)
}

fn main() {}
