// `.unwrap()` and `.expect("..")` of `mean_axis` (ndarray's `Option`) are the array; an
// `expect` without a string message is not Rust, and `unwrap` of anything else is no
// method of an array.
use cadena::ndarray::{Array2, Axis};
use cadena::prelude::*;

#[differentiable]
pub fn f(x: &Array2<f64>) -> f64 {
    let m = x.mean_axis(Axis(0)).expect(3);
    let s = x.t().unwrap();
    sum(m) + sum(s)
}

fn main() {}
