use cadena::prelude::*;
use cadena::ndarray::Array1;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array1<f64>,
}

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    for _ in 0..3 {
        x = x * y;
    }
    x
}

#[differentiable(wrt(p))]
fn g(p: &P, x: &Array1<f64>) -> f64 {
    let mut h = x.to_owned();
    for _ in 0..3 {
        p.w = h.clone();
        h = h * 2.0;
    }
    sum(h)
}

fn main() {}
