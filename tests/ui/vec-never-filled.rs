// A `Vec` of per-step values that no loop pushes onto: rustc could not type it
// (`Vec<_>`), so it is an error on its name.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let mut outs = Vec::new();
    mean(x.dot(w))
}

fn main() {}
