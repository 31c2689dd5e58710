// A slice of floats read as a value in ndarray code: a slice is not an array there. One
// error, on the name, saying what to pass (a fuzzer finding: `&[f64]: Operand` inside
// generated code).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn loss(p: &P, x: &Array2<f64>, xs: &[f64]) -> f64 {
    mean(x.dot(&p.w) + &p.b) + sum(xs)
}

fn main() {}
