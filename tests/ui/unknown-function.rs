use cadena::prelude::*;

fn leaky_relu(x: f64) -> f64 {
    x.max(0.01 * x)
}

#[differentiable]
fn f(x: f64) -> f64 {
    leaky_relu(x)
}

fn main() {}
