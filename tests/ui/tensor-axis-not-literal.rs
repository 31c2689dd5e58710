use cadena::ndarray::{Array2, Axis};
use cadena::prelude::*;

const ROWS: usize = 0;

#[differentiable(wrt(w))]
fn f(w: &Array2<f32>) -> f32 {
    sum(w.sum_axis(Axis(ROWS)))
}

fn main() {}
