// The macro reads a `let`'s value, not its annotation; the annotation is still checked,
// on its own tokens: a float, an array, or a tuple or `Vec` of them.
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn loss(p: &Lin, x: &Array2<f64>) -> f64 {
    let xv: ArrayView2<f64> = x.view();
    let z: Lin = xv.dot(&p.w) + &p.b;
    mean(&z * &z)
}

fn main() {}
