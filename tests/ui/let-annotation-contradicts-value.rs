// A `let` annotation its value contradicts, in ndarray code: rustc would refuse each
// written without the attribute, and the macro (which lowers values, not types) says so
// on the annotation. `ui-pass/let-annotation-fits-value` follows the advice.
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::prelude::*;

// An array annotated as a float.
#[differentiable]
pub fn array_as_float(x: &Array2<f64>, w: &Array2<f64>, s: f64) -> f64 {
    let h = x.dot(w) * s - 0.5;
    let e: &f64 = exp(h) / (h * h + 1.0);
    mean(e)
}

// A float annotated as an array, and as a tuple.
#[differentiable]
pub fn float_as_array(x: &Array2<f64>) -> f64 {
    let m: Array2<f64> = sum(x);
    let k: (f64, f64) = x.sum();
    m + k
}

// A computed float annotated as a reference.
#[differentiable]
pub fn float_as_reference(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let v: &f64 = x.dot(w).sum();
    v * 2.0
}

// A reference annotated as a float value (a fuzzer finding: accepted).
#[differentiable]
pub fn reference_as_float(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let v: f64 = x.dot(w).sum();
    let r: f64 = &x.sum();
    v * 2.0 + r
}

// The product of two matrices has two axes; a new array is not a view.
#[differentiable]
pub fn axes_and_views(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let v: Array1<f64> = x.dot(w);
    let u: ArrayView2<f64> = x.dot(w);
    v.sum() + u.sum()
}

fn main() {}
