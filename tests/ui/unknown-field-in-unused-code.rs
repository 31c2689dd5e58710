// A field the struct lacks, in a `let` the result does not need: rustc's error on the
// field's name (a fuzzer finding: the body was accepted, as the graph left the `let` out).
// Likewise a name a slice reads (`s![K.., ..]`) that exists nowhere, `f64::from` of an
// array and a reference to a literal in ndarray code.
use cadena::ndarray::{s, Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn unused_layer(p: &Lin, x: &Array2<f64>) -> f64 {
    let _h = tanh(x.dot(&p.layers[0].w) + &p.layers[0].b);
    mean(tanh(x.dot(&p.w) + &p.b))
}

#[differentiable]
fn unused_slice(x: &Array2<f64>) -> f64 {
    let _v = x.slice(s![K.., ..]);
    let _w = x.slice(s![..J, ..]);
    mean(x)
}

#[differentiable]
fn converted(x: &Array2<f32>, y: &Array2<f32>) -> f32 {
    let _v = f64::from(x);
    mean(x * y)
}

#[differentiable]
fn borrowed_literal(x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    sum(&0.5 * y) + mean(x)
}

fn main() {}
