// A float array argument is read one float at a time, by an index below its length; a
// float method called by its path takes the receiver first. Each mistake is one error on
// the user's tokens (fuzzer findings: they were errors on the attribute).
use cadena::prelude::*;

#[differentiable]
pub fn indexed_twice(c: &[f64; 6], x: f64) -> f64 {
    c[5][5] * x
}

#[differentiable]
pub fn past_the_end(c: &[f64; 6], x: f64) -> f64 {
    c[7] * x
}

#[differentiable]
pub fn max_by_path_with_one_argument(a: f64, b: f64) -> f64 {
    f64::max(a * b) * f64::sin(a)
}

fn main() {}
