// `self` outside an `impl` and a float method of a parameter struct (a fuzzer finding):
// the macro reports `self`, and rustc, checking the body as written, reports `p.cos()`
// and suggests its fields; the trait it lists is named by a public path
// (`cadena::num_traits`), not by the macro's internal one.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub s: f64,
}

#[differentiable(wrt(p))]
fn loss(self, p: &P, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let v1 = tanh(x.dot(&p.w)) * p.s;
    let v3 = p.cos();
    mse(v1 + v3, y)
}

fn main() {}
