// The advice of tests/ui/if-on-array-in-tensor-body.rs followed: the condition compares a
// reduction of the array, and the elementwise choice is `maximum`.
#![deny(warnings)]
use cadena::ndarray::{Array2, array};
use cadena::prelude::*;

#[differentiable(wrt(a, c))]
fn f(a: f64, c: &Array2<f64>, x: f64) -> f64 {
    let s = if a * sum(c) < x { a * a } else { x + a };
    s + mean(maximum(c * a, 0.6))
}

fn main() {
    let c = array![[1.0, 2.0], [3.0, -1.0]];
    let (value, g) = f::grad(0.5, &c, 10.0);
    assert!((value - (0.25 + (0.6 + 1.0 + 1.5 + 0.6) / 4.0)).abs() < 1e-12);
    assert!((g.a - (1.0 + (0.0 + 2.0 + 3.0 + 0.0) / 4.0)).abs() < 1e-12);
}
