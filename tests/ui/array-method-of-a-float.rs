// An array's method (`t`, `sum`) called on a float, also where the result does not need
// it (a fuzzer finding: accepted, though the body without the attribute does not
// compile: `f64` has no method `t`).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn f(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let u1 = mean(x.dot(w));
    let u6 = u1.t().to_owned();
    let u7 = (u1 * 2.0).sum();
    u1 + x.dot(w).t().sum()
}

fn main() {}
