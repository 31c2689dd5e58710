// An attribute on an expression (unstable in Rust), in code the result does not need: in
// ndarray code nothing else would see it (a fuzzer finding: accepted), so the macro says
// so, as it does in scalar code.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable]
fn tensor(x: &Array2<f64>) -> f64 {
    let _u = #[inline] x;
    let _v = sum(#[cfg(test)] x);
    sum(x)
}

#[differentiable]
fn scalar(x: f64) -> f64 {
    let _u = (#[allow(unused)] x) * 2.0;
    x
}

fn main() {}
