// Arguments borrowed of a type that holds no number the ops take, read as values in
// ndarray code: one error each on the user's name, not in the generated code (a fuzzer
// finding: `&String<f64>`). Labels in a `Vec` are read as labels (tests/tensor_ops.rs).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn text(w: &Array2<f64>, x: &String) -> f64 {
    mean(x.dot(w))
}

#[differentiable(wrt(w))]
fn floats_in_a_vec(w: &Array2<f64>, x: &Vec<f64>) -> f64 {
    mean(x.dot(w))
}

#[derive(Parameters, Clone)]
pub struct P {
    w: Array2<f64>,
}

#[differentiable(wrt(p))]
fn twice_borrowed(p: &P, x: &&P) -> f64 {
    mean(x.dot(&p.w))
}

// Integers in a container other than a `Vec` of labels are no labels either.
#[differentiable(wrt(w))]
fn optional(w: &Array2<f64>, x: &Array2<f64>, o: Option<usize>) -> f64 {
    mean(x.dot(w) * o)
}

fn main() {}
