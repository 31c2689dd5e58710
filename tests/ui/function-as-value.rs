// A function of the op table read as a value (`bce` for `bce(a, y)`): one error on it,
// not a type error inside the generated code.
use cadena::prelude::*;

#[differentiable(wrt(w, b))]
pub fn neuron(w: f64, b: f64, x: f64, y: f64) -> f64 {
    let z = w * x + b;
    let a = sigmoid(z);
    bce
}

fn main() {}
