// A constant of one float type in a function generic over its float: one error on the
// constant, also where the result does not need it (a fuzzer finding: accepted, though
// the body without the attribute does not compile). A function computing in an alias of
// `f64` reads it as written (tests/float_types.rs).
use cadena::prelude::*;

#[differentiable]
pub fn product_and_sum<T: Float>(x: T, y: T) -> (T, T) {
    let mut acc = f64::EPSILON;
    for _ in 0..3 {
        acc += x;
    }
    (x * y, x + y)
}

#[differentiable]
pub fn scaled<T: Float>(x: T) -> T {
    x * std::f64::consts::PI
}

fn main() {}
