// A `Vec` of per-step values annotated with arrays of another number of axes than the
// loop pushes (made from struct fields, whose types the macro does not see): rustc's
// error on the user's `Vec`, naming both types (a fuzzer finding: accepted, though the
// body without the attribute does not compile). The right annotation compiles
// (tests/ui-pass/let-annotated-with-an-array.rs).
use cadena::ndarray::{Array1, Array2, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    w: Array2<f64>,
    b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn stacked(p: &Lin, x: &Array2<f64>) -> f64 {
    let mut outs: Vec<Array1<f64>> = Vec::with_capacity(2);
    for _xt in x.axis_iter(Axis(0)) {
        outs.push(x.dot(&p.w) + &p.b);
    }
    mean(stack(Axis(0), &outs))
}

fn main() {}
