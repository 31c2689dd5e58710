// `-> _`: one error, the macro's, on the token; none inside generated code, and no
// suggestion of `!` inferred from the stand-in the macro leaves after an error.
use cadena::prelude::*;

#[differentiable]
fn loss(x: f64, y: f64) -> _ {
    x * y
}

fn main() {}
