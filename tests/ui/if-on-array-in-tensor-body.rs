// An `if` in ndarray code compares floats: an array in its condition is a spanned error
// saying what to write (a fuzzer finding: it was a type error inside generated code).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(a, b, c))]
fn scalar_32(a: f64, b: f64, c: &Array2<f64>, x: f64, y: f64) -> f64 {
    let s1 = x * a;
    let s3 = a / (s1 * s1 + 1.0);
    let s5 = -s3;
    let s6 = if b * c < x {
        s5.powi(2)
    } else if x > c {
        b.powi(2)
    } else {
        x + a
    };
    s6 + mse(s6, y) + (a - b * sum(c)) * 0.01
}

fn main() {}
