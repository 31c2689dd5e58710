// A function returning an array whose final value is a float made from struct fields
// (which the macro cannot tell a float from): rustc's mismatch on the user's final
// expression, in the function and in its `vjp`, none on the attribute (a fuzzer finding).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
    pub s: f64,
}

#[differentiable(wrt(p))]
fn layer(p: &P, x: &Array2<f64>) -> Array2<f64> {
    let h = tanh(x.dot(&p.w) + &p.b);
    let scale = p.s * 0.5 + p.s;
    mean(&h * &h) + scale * 1e-3
}

fn main() {}
