use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut a = x;
    let mut b = x;
    for _ in 0..3 {
        a = a * b;
        b = b + a;
    }
    for _ in 0..3 {
        for _ in 0..2 {
            a = a * x;
        }
    }
    let mut c = x;
    c = c * 2.0;
    a + b + c
}

fn main() {}
