// `p.layers[0][0].b`: a layer indexed as if it were a stack. The macro cannot know the
// fields' types; rustc's error is on the user's second index, not on the attribute (a
// fuzzer finding).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[derive(Parameters, Clone, Debug)]
pub struct Stacked {
    pub layers: Vec<Lin>,
}

#[differentiable(wrt(p), hvp)]
fn two_layers(p: &Stacked, x: &Array2<f64>) -> f64 {
    let h = tanh(x.dot(&p.layers[0].w) + p.layers[0][0].b);
    mean(tanh(h.dot(&p.layers[1].w) + &p.layers[1].b))
}

fn main() {}
