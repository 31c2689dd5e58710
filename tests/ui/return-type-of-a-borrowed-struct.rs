// A function returning the type of the parameter struct it borrows: one error on the
// return type (a fuzzer finding: the macro took `P` for a float alias, and rustc spent
// minutes on thousands of errors in the generated code of a 600-let body).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
    pub s: f64,
}

#[differentiable(wrt(p))]
fn loss(p: &P, x: &Array2<f64>) -> P {
    let a = p.s * 0.5 + p.s;
    mean(x.dot(&p.w) + &p.b) + a
}

fn main() {}
