// A function that forbids unused code and has a mistake: the mistake only, no warning
// that the stand-in the macro leaves in its place allows what `forbid` forbids.
use cadena::prelude::*;

#[forbid(unused)]
#[differentiable]
fn loss(x: f64, y: f64) -> f64 {
    let v = x * y;
    v.tanh() + z
}

fn main() {}
