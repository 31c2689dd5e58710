// A view a loop selects per step (`x.index_axis(Axis(1), t)`), annotated as an owned
// array: an error on the annotation, as outside a loop (a fuzzer finding: accepted,
// though the body without the attribute does not compile).
use cadena::ndarray::{Array2, Array3, Axis};
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn selected_before(x: &Array3<f64>, w: &Array2<f64>) -> f64 {
    let mut h = x.index_axis(Axis(1), 0).dot(w);
    for t in 0..x.len_of(Axis(1)) {
        let xt: Array2<f64> = x.index_axis(Axis(1), t);
        for _ in 0..2 {
            h = tanh(h.dot(w) + xt.dot(w));
        }
    }
    sum(h)
}

fn main() {}
