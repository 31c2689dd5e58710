// A return type the macro cannot see through is read as an alias of a float (`type Real
// = f64`); where it names an enum, rustc says so on it and on the body, not on the
// attribute (a fuzzer finding: the trace's constants named it there).
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
