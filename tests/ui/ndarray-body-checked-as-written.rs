// Mistakes in ndarray code that rustc would catch in the body as written but never sees
// (the macro reads only what the result needs, and the dialect is not plain ndarray), each
// an error on the user's tokens (fuzzer findings: all were accepted, or failed inside the
// generated code).
use cadena::ndarray::{Array1, Array2, Axis};
use cadena::prelude::*;

// A float carried through a loop, returned where the signature says an array.
#[differentiable]
fn float_through_a_loop(x: &Array2<f64>) -> Array2<f64> {
    let mut v = mean(x);
    for _ in 0..2 {
        v = v * 0.5;
    }
    v
}

// A literal beyond `f64`.
#[differentiable]
fn huge(x: &Array2<f64>) -> f64 {
    sum(x) * 1e400
}

// A loss of a float and an array.
#[differentiable]
fn mixed_loss(x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    mse(mean(x), y)
}

// A `Vec` read as a value.
#[differentiable]
fn vec_argument(x: &Array1<f64>, v: Vec<f64>) -> f64 {
    sum(x * v)
}

// A view annotated as an owned array.
#[differentiable]
fn owned_annotation(x: &Array2<f64>) -> f64 {
    let r: Array1<f64> = x.index_axis(Axis(1), 0);
    sum(r)
}

fn main() {}
