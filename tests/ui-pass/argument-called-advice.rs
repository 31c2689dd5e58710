// The advice of `ui/argument-called`, followed: what the closure computed is a
// #[differentiable] function of its own, called by name.
use cadena::prelude::*;

#[differentiable]
pub fn g(x: f64) -> f64 {
    x * x + 1.0
}

#[differentiable]
pub fn scaled(x: f64) -> f64 {
    g(x) * 2.0
}

fn main() {
    let (value, grad) = scaled::grad(3.0);
    assert_eq!((value, grad.x), (20.0, 12.0));
}
