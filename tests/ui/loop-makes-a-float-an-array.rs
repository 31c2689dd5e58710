// A float accumulator the loop makes an array: an error on the assignment, not rustc's
// type mismatch inside the generated loop.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let mut acc = 0.0;
    for _ in 0..3 {
        acc += x.dot(w);
    }
    mean(acc)
}

fn main() {}
