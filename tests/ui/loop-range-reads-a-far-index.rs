// A loop's range may read the index of the loop just around it (`for j in 0..i`, tested
// in tests/nested_loops.rs), not one further out: the generated loops each name their
// index alike, the inner hiding the outer.
use cadena::prelude::*;

#[differentiable]
pub fn far(c: &[f64; 4], x: f64) -> f64 {
    let mut acc = x;
    for i in 0..4 {
        for j in 0..i {
            for k in j..i {
                acc = acc * 0.5 + c[k] * x;
            }
        }
    }
    acc
}

fn main() {}
