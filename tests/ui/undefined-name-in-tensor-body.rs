// A name defined nowhere, in code the graph leaves out of an ndarray body: rustc's error
// on it, though the gradient does not need it.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn f(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let _unused = x * undefined_scale;
    sum(x.dot(w))
}

fn main() {}
