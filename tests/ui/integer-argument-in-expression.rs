use cadena::prelude::*;

#[differentiable(wrt(x))]
fn f(x: f64, n: usize) -> f64 {
    x * n
}

// In ndarray code too, where the integer argument used to reach the generated code.
#[differentiable(wrt(x))]
fn g(x: &cadena::ndarray::Array2<f64>, n: usize) -> f64 {
    let half = n * 0.5;
    mean(x) * half
}

fn main() {}
