// What ndarray code names as written, checked also where the result does not need it
// (fuzzer findings, all accepted before): a function of another crate by a module path that
// does not exist (the macro asks the crate's root for the body, so the modules between
// went unchecked), `dot` of an array of three axes, and a function named without a call.
use cadena::ndarray::{Array2, Array3, ArrayView2};
use cadena::prelude::*;
use cadena_test_callee::model::Mlp;

#[differentiable(wrt(p))]
fn through_a_module_that_does_not_exist(p: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> f64 {
    softmax_cross_entropy(::cadena_test_callee::undefined::logits(p, x), y)
}

#[differentiable(wrt(w))]
fn dot_of_three_axes(w: &Array2<f64>, x: &Array3<f64>) -> f64 {
    let _u = x.dot(w);
    sum(w)
}

#[differentiable]
fn function_as_a_value(x: &Array2<f64>) -> f64 {
    let _v = f64::from;
    sum(x)
}

fn main() {}
