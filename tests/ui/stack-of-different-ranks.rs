// Parts of a join of different numbers of axes: rustc's type error on the part, not on the
// attribute (a fuzzer finding).
use cadena::ndarray::{stack, Array2, Axis};
use cadena::prelude::*;

#[differentiable]
fn f(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let v = x.dot(w);
    let joined = stack![Axis(1), v, x.column(0)];
    sum(joined)
}

fn main() {}
