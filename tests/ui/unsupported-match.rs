use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = match x > 0.0 {
        true => x,
        false => -x,
    };
    y
}

fn main() {}
