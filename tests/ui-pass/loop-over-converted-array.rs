// The advice of `ui/loop-over-integer-array`, followed: the samples converted to `f32`
// before the call.
use cadena::ndarray::{Array2, Array3, ArrayView3, Axis};
use cadena::prelude::*;

#[differentiable(wrt(w))]
pub fn f(w: &Array2<f32>, x: ArrayView3<f32>) -> f32 {
    let mut acc = 0.0;
    for xt in x.axis_iter(Axis(1)) {
        acc = acc + mean(tanh(xt.dot(w)));
    }
    acc
}

fn main() {
    let samples = Array3::<u8>::zeros((2, 3, 4));
    let x = samples.mapv(|v| v as f32);
    let w = Array2::<f32>::ones((4, 2));
    let (value, g) = f::grad(&w, x.view());
    assert_eq!(value, 0.0);
    assert_eq!(g.w.dim(), (4, 2));
}
