// A generic float function compiles cleanly, lints denied, at both widths; its `let`s may
// be annotated with its float or an array of it.
#![deny(warnings)]
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[differentiable]
fn f<T: Float>(x: T) -> T {
    let square: T = x * x;
    square + x.sin() * 2.0
}

#[differentiable(wrt(w, b))]
fn layer<T: Float>(w: &Array2<T>, b: &Array1<T>, x: &Array2<T>, y: &Array2<T>) -> T {
    let h: Array2<T> = tanh(x.dot(w) + b);
    mse(h, y)
}

fn main() {
    let (_, g32) = f::grad(1.0_f32);
    let (_, g64) = f::grad(1.0_f64);
    assert!((f64::from(g32.x) - g64.x).abs() < 1e-5);
    let w = Array2::<f64>::ones((2, 2));
    let (b, x, y) = (Array1::zeros(2), Array2::ones((3, 2)), Array2::zeros((3, 2)));
    let (loss, g) = layer::grad(&w, &b, &x, &y);
    assert!(loss > 0.0 && g.w[[0, 0]] > 0.0);
}
