// A literal rustc rejects is rejected with rustc's own message, though the macro could
// read it (as infinity).
use cadena::prelude::*;

#[differentiable]
fn out_of_range(x: f64) -> f64 {
    x * 1e400
}

fn main() {
    let _ = out_of_range::grad(1.0);
}
