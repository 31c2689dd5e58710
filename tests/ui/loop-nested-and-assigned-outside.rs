use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut a = x;
    for _ in 0..3 {
        for _ in 0..2 {
            a = a * x;
        }
    }
    let mut c = x;
    c = c * 2.0;
    a + c
}

fn main() {}
