use cadena::prelude::*;

#[differentiable]
fn f<T: Float>(x: T) -> T {
    x * x
}

fn main() {}
