use cadena::prelude::*;

#[differentiable]
fn chain(c: &[f64; 4], x: f64) -> f64 {
    c.iter().map(|v| v * x).sum::<f64>()
}

#[differentiable]
fn whole(c: &[f64; 4], x: f64) -> f64 {
    c * x
}

fn main() {}
