// A `let` whose value is made from a struct's fields, which the macro cannot tell a
// float or an array of how many axes from: rustc holds it against its annotation, as it
// would without the attribute, also where the result does not need it (a fuzzer finding).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
    pub v: Array2<f64>,
}

#[differentiable(wrt(p))]
fn unused_float(p: &P, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h = x.dot(&p.w) + &p.b;
    let _score: std::primitive::f64 = sigmoid(h.dot(&p.v));
    bce(sigmoid(h.dot(&p.v)), y)
}

#[differentiable(wrt(p))]
fn axes(p: &P, x: &Array2<f64>) -> f64 {
    let h: Array1<f64> = x.dot(&p.w);
    mean(h)
}

fn main() {}
