use cadena::prelude::*;

#[differentiable]
fn layers(x: f64, w: f64) -> f64 {
    let h = x;
    for _ in 0..3 {
        let _ = h * w;
    }
    h
}

fn main() {}
