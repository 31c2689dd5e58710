// A loop starting from an element of a fixed array of floats (`c[7]`, a float) that makes
// it an array: one error on the user's tokens, as for any carried float (a fuzzer finding:
// the element's kind was unknown, and the mismatch was reported on the attribute).
use cadena::ndarray::ArrayView2;
use cadena::prelude::*;

#[differentiable]
pub fn horner(c: &[f64; 8], x: ArrayView2<f64>) -> f64 {
    let mut acc = c[7];
    for i in (0..c.len() - 1).rev() {
        acc = acc * x + c[i];
    }
    acc
}

fn main() {}
