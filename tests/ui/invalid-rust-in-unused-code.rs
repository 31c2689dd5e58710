// What the graph leaves out is still Rust that rustc checks as written: an unused
// binding naming nothing.
use cadena::prelude::*;

#[differentiable]
fn unused_binding(x: f64) -> f64 {
    let _unused = undefined_name * 2.0;
    x * x
}

fn main() {
    let _ = unused_binding::grad(1.0);
}
