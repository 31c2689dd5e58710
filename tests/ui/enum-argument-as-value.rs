// An argument of a type that is no number (`mode: Mode`) decides branches (`match
// mode`); read as a value in ndarray code it is an error on it (fuzzer finding: the
// trait bound `Mode: Operand` inside the generated code).
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Clone, Copy)]
pub enum Mode {
    A,
    B,
}

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn times_mode(p: &P, x: &Array2<f64>, mode: Mode) -> f64 {
    let v = mean(x.dot(&p.w) + &p.b);
    let w = match mode {
        Mode::A => v * 2.0,
        Mode::B => v,
    };
    mode * w
}

fn main() {}
