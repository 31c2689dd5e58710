use cadena::ndarray::{Array2, s};
use cadena::prelude::*;

#[differentiable]
fn head(x: &Array2<f64>) -> f64 {
    let n = sum(x);
    sum(x.slice(s![0..n, ..]))
}

fn main() {}
