// A return type the macro would read as an alias of a float (`type Real = f64`), beside
// arguments written `f64` and never in that name: one error on it, with advice that works
// whether it is an enum or an alias (a fuzzer finding: errors inside the generated code).
// Arguments written in the alias too are fine (`tests/float_types.rs`).
use cadena::prelude::*;

pub enum Mode {
    A,
    B,
}

#[differentiable]
pub fn f(x: f64, y: f64) -> Mode {
    x * y + x.sin()
}

fn main() {}
