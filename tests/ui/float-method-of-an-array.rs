// A float's method (`powf`, `max`) given an array: rustc refuses the body as written
// (`f64::powf` takes a float), which the graph would broadcast (a fuzzer finding:
// accepted). The advice for `powf` keeps its meaning (a float to each element's power).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn powers(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let y = x.dot(w);
    mean((softplus(1.5_f64) + 0.1).powf(y.tanh())) + mean(2.0_f64.max(y))
}

fn main() {}
