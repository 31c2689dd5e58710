// Annotations that agree with values made from a struct's fields (rustc holds each
// against its value in a copy of the function never called): a float, an array of the
// right number of axes, a reference to a field.
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
    pub s: f64,
}

#[differentiable(wrt(p))]
fn loss(p: &P, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h: Array2<f64> = x.dot(&p.w) + &p.b;
    let _unused: Array2<f64> = h.dot(&p.w.t());
    let scale: f64 = p.s * 2.0;
    let b: &Array1<f64> = &p.b;
    let m: f64 = mean(b);
    mse(h * scale, y) + m
}

fn main() {
    let p = P {
        w: Array2::ones((2, 2)),
        b: Array1::zeros(2),
        s: 0.5,
    };
    let (x, y) = (Array2::ones((3, 2)), Array2::zeros((3, 2)));
    let (value, g) = loss::grad(&p, &x, &y);
    assert_eq!(value, 4.0);
    assert!(g.p.s > 0.0);
}
