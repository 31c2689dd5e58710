// An array argument whose elements are not numbers: one error, on the element type.
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

fn main() {}
