// `hvp` on a tensor function whose gradient cannot be differentiated again (it calls a
// function whose derivative is written by hand, a first derivative only): the error
// says so.
use cadena::ndarray::Array2;
use cadena::prelude::*;

fn swish_prime(x: f64) -> f64 {
    let s = cadena::ops::scalar::sigmoid(x);
    s + x * s * (1.0 - s)
}

#[differentiable(derivative(swish_prime))]
fn swish(x: f64) -> f64 {
    x * cadena::ops::scalar::sigmoid(x)
}

#[differentiable(wrt(w), hvp)]
fn f(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    mean(swish(x.dot(w)))
}

fn main() {}
