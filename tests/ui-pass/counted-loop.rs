// The advice of tests/ui/unsupported-while-loop.rs followed: loops counted by an integer.
#![deny(warnings)]
use cadena::prelude::*;

#[differentiable]
fn halved(x: f64, n: usize) -> f64 {
    let mut h = x;
    let mut i = 0;
    loop {
        if i >= n {
            break;
        }
        h = h * 0.5;
        i += 1;
    }
    h
}

#[differentiable]
fn halved_while(x: f64, n: usize) -> f64 {
    let mut h = x;
    let mut i = 0;
    while i < n {
        h = h * 0.5;
        i += 1;
    }
    h
}

fn main() {
    assert_eq!(halved::grad(8.0, 3), (1.0, halved::Grad { x: 0.125 }));
    assert_eq!(halved_while::grad(8.0, 3).0, 1.0);
}
