// `as` on an array or a parameter struct, in a line the result does not need: an error
// on it, as rustc gives for the body without the attribute.
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn loss(p: &Lin, x: &Array2<f64>) -> f64 {
    let n = x as f64;
    let m = p as f64 as f32;
    mean(x.dot(&p.w) + &p.b)
}

fn main() {}
