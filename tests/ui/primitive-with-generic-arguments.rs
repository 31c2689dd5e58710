// A primitive type written with generic arguments (`i64<f32>`, a fuzzer's mutation):
// the macro's error and rustc's on the signature, none from the code generated on it.
use cadena::ndarray::{Array2, ArrayView3, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Rnn {
    pub wx: Array2<f32>,
}

#[differentiable(wrt(p))]
pub fn forward(p: &Rnn, x: ArrayView3<f32>, h0: i64<f32>) -> Array2<f32> {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        h = tanh(xt.dot(&p.wx) + h);
    }
    h
}

fn main() {}
