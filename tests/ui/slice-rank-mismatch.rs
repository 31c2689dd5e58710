use cadena::ndarray::{Array2, ArrayView3, s};
use cadena::prelude::*;

#[differentiable]
fn too_many(x: &Array2<f64>) -> f64 {
    sum(x.slice(s![0..2, .., 1]))
}

#[differentiable]
fn too_few(x: ArrayView3<f64>) -> f64 {
    sum(x.slice(s![0..2, ..]))
}

#[differentiable]
fn new_axis_is_not_an_axis_of_x(x: &Array2<f64>) -> f64 {
    sum(x.slice(s![.., cadena::ndarray::NewAxis, 1, 2]))
}

fn main() {}
