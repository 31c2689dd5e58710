// `export` makes a function callable from other crates: it must be `pub` as well.
use cadena::prelude::*;

#[differentiable(export)]
fn hidden(x: f64) -> f64 {
    x * x
}

fn main() {}
