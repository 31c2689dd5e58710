use cadena::ndarray::{Array2, Array3, Axis, s};
use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut a = x;
    for _ in 0..3 {
        while a > 1.0 {
            a = a * 0.5;
        }
    }
    let mut c = x;
    c = c * 2.0;
    a + c
}

/// An inner loop's integers may not read the enclosing loop's index.
#[differentiable]
fn g(x: &Array3<f64>, w: &Array2<f64>) -> f64 {
    let mut h = x.index_axis(Axis(1), 0).dot(w);
    for t in 0..x.len_of(Axis(1)) {
        for _ in 0..2 {
            h = h.dot(w) + x.slice(s![.., t, ..]).dot(w);
        }
    }
    sum(h)
}

fn main() {}
