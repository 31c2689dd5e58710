// `cos(t)` where the macro knows `t.cos()`: the error says how to write it, instead of
// asking for a #[differentiable] function named `cos`.
use cadena::prelude::*;

#[differentiable]
fn f(r: f64, t: f64) -> f64 {
    r * cos(t) + powi(r + t, 2)
}

fn main() {}
