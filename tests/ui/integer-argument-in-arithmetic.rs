// Class ids (`y: &[usize]`) in arithmetic, directly or through a `let`: one error each,
// on the operand (a fuzzer finding: a trait error inside the generated code).
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn loss(p: &Lin, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    let z = x.dot(&p.w) + &p.b;
    let ids = y;
    softmax_cross_entropy(z, y) + sum(ids * 0.5)
}

fn main() {}
