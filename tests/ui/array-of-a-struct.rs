// An array argument whose elements are a struct (`x: &Array2<P>`): one error, on the
// element type, naming the function's float (a fuzzer finding: errors inside generated
// code); an alias of the float type is accepted.
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

type Real = f64;

#[differentiable(wrt(p))]
fn t1038(p: &P, x: &Array2<P>, y: &Array2<f64>) -> f64 {
    let u1 = relu(x.dot(&p.w) + &p.b);
    mean(&u1 * &u1) + mse(u1, y)
}

#[differentiable(wrt(p))]
fn aliased(p: &P, x: &Array2<Real>, y: &Array2<f64>) -> f64 {
    let u1 = relu(x.dot(&p.w) + &p.b);
    mean(&u1 * &u1) + mse(u1, y)
}

fn main() {}
