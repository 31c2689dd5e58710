// A function returning a tuple is bound part by part, or one part is taken: used as one
// value it is an error that says how; a pattern with the wrong number of names, and a
// body giving fewer values than the return type, are errors too.
use cadena::prelude::*;

#[differentiable]
fn polar(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

#[differentiable]
fn whole(r: f64, t: f64) -> f64 {
    polar(r, t) * 2.0
}

#[differentiable]
fn three_names(r: f64, t: f64) -> f64 {
    let (x, y, z) = polar(r, t);
    x + y + z
}

#[differentiable]
fn short(r: f64) -> (f64, f64) {
    r * 2.0
}

fn main() {}
