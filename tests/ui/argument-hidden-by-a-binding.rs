// A loop's index or a `let` named like a parameter struct argument hides it, as in Rust:
// `p.w` there is no field of the argument (fuzzer finding: the macro read the argument's
// field and accepted the body).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn by_a_loop_index(p: &P, x: &Array2<f64>) -> f64 {
    let mut h = x.to_owned();
    for p in 0..2 {
        h = h.dot(&p.w) + &p.b;
    }
    mean(h)
}

#[differentiable(wrt(p))]
fn by_a_let(p: &P, x: &Array2<f64>) -> f64 {
    let p = x.sum();
    mean(x.dot(&p.w)) * p
}

fn main() {}
