// A model of f64 parameters fed f32 data: rustc finds the mismatch; the message says
// which float types meet, and it is the only error (none inside the generated code).
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn loss(p: &Lin, x: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    mse(x.dot(&p.w) + &p.b, y)
}

fn main() {}
