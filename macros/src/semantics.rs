//! What each op means on `f64` values: used to fold constants at compile time, and by the
//! test interpreter that checks derivative rules against finite differences.
//!
//! These mirror the runtime's scalar kernels (`cadena::ops::scalar`) and Rust's float
//! methods; the emitted code calls those, so the two must agree.

use crate::graph::{Fun, Op};

pub fn fun(f: Fun, x: f64) -> f64 {
    match f {
        Fun::Exp => x.exp(),
        Fun::Ln => x.ln(),
        Fun::Log10 => x.log10(),
        Fun::Log2 => x.log2(),
        Fun::Sqrt => x.sqrt(),
        Fun::Sin => x.sin(),
        Fun::Cos => x.cos(),
        Fun::Tan => x.tan(),
        Fun::Tanh => x.tanh(),
        Fun::Abs => x.abs(),
        Fun::Ln1p => x.ln_1p(),
        Fun::ExpM1 => x.exp_m1(),
        Fun::Recip => x.recip(),
        Fun::Sigmoid => sigmoid(x),
        Fun::Relu => {
            if x > 0.0 {
                x
            } else {
                0.0
            }
        }
        Fun::Softplus => softplus(x),
        Fun::Step => {
            if x > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Fun::Sign => {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            }
        }
    }
}

pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The value of `op` applied to `args`, or `None` for leaves (which have no arguments to
/// compute from).
pub fn eval(op: &Op, args: &[f64]) -> Option<f64> {
    let a = |i: usize| args[i];
    Some(match op {
        Op::Input(_) | Op::Named(_) => return None,
        Op::Const(bits) => f64::from_bits(*bits),
        Op::Add => a(0) + a(1),
        Op::Sub => a(0) - a(1),
        Op::Mul => a(0) * a(1),
        Op::Div => a(0) / a(1),
        Op::Neg => -a(0),
        Op::Fun(f) => fun(*f, a(0)),
        Op::Powi(n) => a(0).powi(*n),
        Op::Powf => a(0).powf(a(1)),
        Op::Max => a(0).max(a(1)),
        Op::Min => a(0).min(a(1)),
        Op::Ge => {
            if a(0) >= a(1) {
                1.0
            } else {
                0.0
            }
        }
        Op::Bce => -(a(1) * a(0).ln() + (1.0 - a(1)) * (-a(0)).ln_1p()),
        Op::BceLogits => softplus(a(0)) - a(1) * a(0),
        Op::Mse => (a(0) - a(1)) * (a(0) - a(1)),
        // Tensor operations are not evaluated at compile time.
        _ => return None,
    })
}
