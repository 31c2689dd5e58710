// An index past a struct's fixed array of layers, in a `let` the result does not need:
// rustc's "this operation will panic at runtime" on the user's index, as without the
// attribute (a fuzzer finding: accepted).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Layer {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[derive(Parameters, Clone)]
pub struct Deep {
    pub layers: [Layer; 2],
    pub out: [Layer; 1],
}

#[differentiable(wrt(p))]
pub fn loss(p: &Deep, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h1 = tanh(x.dot(&p.layers[0].w) + &p.layers[0].b);
    let _unused = h1.dot(&p.out[0x10].w);
    let z = h1.dot(&p.out[0].w) + &p.out[0].b;
    mse(z, y)
}

fn main() {}
