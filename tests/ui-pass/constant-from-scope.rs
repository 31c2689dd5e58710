// The advice of tests/ui/undefined-name.rs followed: the state an argument, and a
// constant from scope named in capitals.
#![deny(warnings)]
use cadena::ndarray::{Array1, Array2, Array3, Axis};
use cadena::prelude::*;

const DECAY: f64 = 0.9;

#[derive(Parameters, Clone)]
pub struct Rnn {
    pub wx: Array2<f64>,
    pub wh: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
pub fn recurrent(p: &Rnn, x: &Array3<f64>, h0: &Array2<f64>) -> f64 {
    let mut h = h0.to_owned();
    let mut loss = 0.0;
    for xt in x.axis_iter(Axis(0)) {
        h = tanh(xt.dot(&p.wx) + h.dot(&p.wh) + &p.b);
        loss = loss * DECAY + mean(&h * &h);
    }
    loss
}

#[differentiable]
pub fn scaled(x: f64) -> f64 {
    (x * DECAY).sin() * std::f64::consts::PI
}

fn main() {}
