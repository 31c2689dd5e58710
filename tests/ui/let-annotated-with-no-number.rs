// Annotations no value of the graph can have, also on values the result does not need
// (fuzzer findings: each was accepted, though the body without the attribute does not
// compile): an integer type for a computed array, a reference to a reference, and a
// float for a view a loop selects per step.
use cadena::ndarray::{Array2, Array3, Axis};
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn integer(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let _v: i64 = softmax(x.dot(w));
    let b: Array2<f64> = x.dot(w);
    let z: &&Array2<f64> = &b;
    z.sum()
}

#[differentiable(wrt(w))]
fn selected_before(x: &Array3<f64>, w: &Array2<f64>) -> f64 {
    let mut h = x.index_axis(Axis(1), 0).dot(w);
    for t in 0..x.len_of(Axis(1)) {
        let xt: std::primitive::f64 = x.index_axis(Axis(1), t);
        for _ in 0..2 {
            h = tanh(h.dot(w) + xt.dot(w));
        }
    }
    sum(h)
}

fn main() {}
