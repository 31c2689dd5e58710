// A loop over the axis of an integer array (labels, ids, `u8` samples): each step's slab
// would meet the float ops in generated code. One error on the array, saying to convert it
// (a fuzzer finding).
use cadena::ndarray::{Array2, ArrayView3, Axis};
use cadena::prelude::*;

#[differentiable(wrt(w))]
pub fn f(w: &Array2<f32>, x: ArrayView3<u8>) -> f32 {
    let mut acc = 0.0;
    for xt in x.axis_iter(Axis(1)) {
        acc = acc + mean(tanh(xt.dot(w)));
    }
    acc
}

fn main() {}
