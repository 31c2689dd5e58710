// A function is also a module of the same name (`loss::grad`), and a module and a struct
// share a namespace: the macro says so when the signature names the struct, rustc
// otherwise, both on the function's name.
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[allow(non_snake_case)]
#[differentiable(wrt(p))]
fn Lin(p: &Lin, x: &Array2<f64>) -> f64 {
    mean(x.dot(&p.w) + &p.b)
}


// Named like a struct its signature does not name: rustc's clash, on the name.
pub struct Other {
    pub v: f64,
}

#[allow(non_snake_case)]
#[differentiable]
fn Other(x: f64) -> f64 {
    x * 2.0
}

fn main() {}
