// A `let` annotated with a type no value of the body has (`impl Fn`, `&dyn Fn`): one
// error on the annotation, in ndarray code as in scalar code.
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[differentiable(wrt(w, b))]
pub fn logistic(w: &Array1<f64>, b: f64, x: &Array2<f64>, y: &Array1<f64>) -> f64 {
    let z: impl Fn(f64) -> f64 = x.dot(w) + b;
    bce(sigmoid(z), y)
}

#[differentiable]
pub fn scalar(x: f64) -> f64 {
    let y: &dyn Fn() = x * x;
    y
}

fn main() {}
