// `#[test]` on a #[differentiable] function: a test takes no arguments, and out of
// `cargo test` rustc would remove it unchecked while the macro's items stayed.
use cadena::prelude::*;

#[differentiable]
#[test]
fn loss(w: f64, x: f64) -> f64 {
    (w * x).tanh()
}

fn main() {}
