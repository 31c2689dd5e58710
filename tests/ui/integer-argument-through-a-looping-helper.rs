// An integer array handed to a helper whose loop carries it: one error, on the helper's
// loop, naming the caller's argument (a fuzzer finding: `i64: Float` inside generated code).
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug)]
pub struct Layer {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[derive(Parameters, Clone, Debug)]
pub struct Deep {
    pub layers: Vec<Layer>,
    pub wx: Array2<f64>,
}

#[differentiable(wrt(p))]
fn through_layers(p: &Deep, h: ArrayView2<f64>) -> Array2<f64> {
    let mut a = h.to_owned();
    for l in &p.layers {
        a = tanh(a.dot(&l.w) + &l.b);
    }
    a
}

#[differentiable(wrt(p))]
fn head(p: &Deep, z: ArrayView2<f64>) -> f64 {
    sum(tanh(z.dot(&p.wx.t())))
}

#[differentiable(wrt(p))]
fn encoded_then_head(p: &Deep, h0: &Array2<i64>, e: &Array2<f64>) -> f64 {
    let s = through_layers(p, h0.view());
    head(p, e.dot(&s).view())
}

fn main() {}
