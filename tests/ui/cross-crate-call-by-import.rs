// A function of another crate is called by a path from that crate's root
// (`::cadena_test_callee::model::predict(..)`): imported by `use`, its body cannot
// reach this crate's expansion, and rustc says there is no macro by that name here.
use cadena::prelude::*;
use cadena_test_callee::model::predict;

#[differentiable]
fn loss(w: f64, y: f64) -> f64 {
    bce(predict(w, 0.0, 0.0, 1.0, 0.0), y)
}

fn main() {}
