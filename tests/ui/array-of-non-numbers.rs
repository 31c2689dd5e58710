// An array argument or result whose elements are not numbers: one error, on the element
// type (for `Array2<impl Fn(f64) -> f64>`, none inside generated code: a fuzzer finding).
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Net {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
pub fn loss(p: &Net, x: ArrayView2<Option<f64>>) -> f64 {
    mean(tanh(x.dot(&p.w) + &p.b))
}

#[differentiable(wrt(p))]
pub fn layer(p: &Net, x: ArrayView2<f64>) -> Array2<impl Fn(f64) -> f64> {
    tanh(x.dot(&p.w) + &p.b)
}

fn main() {}
