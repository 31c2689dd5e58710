use cadena::ndarray::Array1;
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array1<f64>,
}

#[differentiable(wrt(p))]
fn f(p: Lin, x: &Array1<f64>) -> f64 {
    sum(&p.w * x)
}

fn main() {}
