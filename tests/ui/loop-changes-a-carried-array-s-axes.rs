// A loop whose carried array gains an axis (a matrix plus a sequence): one error, on the
// new value (a fuzzer finding: a type mismatch inside generated code).
use cadena::ndarray::{Array2, Array3, Axis};
use cadena::prelude::*;

#[differentiable]
fn carried(x: &Array2<f64>, seq: &Array3<f64>) -> f64 {
    let mut v = x.to_owned();
    for _xt in seq.axis_iter(Axis(1)) {
        v = (v + seq) * 0.5;
    }
    mean(v)
}

fn main() {}
