//! Step 6 of the course: a deeper network in scalar code — two inputs, two tanh layers of
//! two units, a sigmoid output — on the XOR pattern, which no single neuron can learn.
//! Fifteen parameters, composed `#[differentiable]` functions (one two-input unit, used
//! five times), no hand-written backward pass, and one forward pass for training and
//! prediction.
//!
//! ```text
//! cargo run --release --example deep
//! ```

#[path = "common/curves.rs"]
mod curves;

use cadena::prelude::*;
use cadena::train::History;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// One unit: the weighted sum of two inputs and a bias (the activation is the caller's).
#[differentiable]
pub fn unit(w1: f64, w2: f64, b: f64, x1: f64, x2: f64) -> f64 {
    w1 * x1 + w2 * x2 + b
}

/// The network's output probability: two tanh layers of two units, a sigmoid unit.
#[differentiable]
#[allow(clippy::too_many_arguments)]
pub fn forward(
    u11: f64,
    u12: f64,
    u21: f64,
    u22: f64,
    c1: f64,
    c2: f64,
    v11: f64,
    v12: f64,
    v21: f64,
    v22: f64,
    d1: f64,
    d2: f64,
    w1: f64,
    w2: f64,
    b: f64,
    x1: f64,
    x2: f64,
) -> f64 {
    let h1 = tanh(unit(u11, u12, c1, x1, x2));
    let h2 = tanh(unit(u21, u22, c2, x1, x2));
    let k1 = tanh(unit(v11, v12, d1, h1, h2));
    let k2 = tanh(unit(v21, v22, d2, h1, h2));
    let a = sigmoid(unit(w1, w2, b, k1, k2));
    a
}

#[differentiable(wrt(u11, u12, u21, u22, c1, c2, v11, v12, v21, v22, d1, d2, w1, w2, b))]
#[allow(clippy::too_many_arguments)]
pub fn deep(
    u11: f64,
    u12: f64,
    u21: f64,
    u22: f64,
    c1: f64,
    c2: f64,
    v11: f64,
    v12: f64,
    v21: f64,
    v22: f64,
    d1: f64,
    d2: f64,
    w1: f64,
    w2: f64,
    b: f64,
    x1: f64,
    x2: f64,
    y: f64,
) -> f64 {
    let a = forward(
        u11, u12, u21, u22, c1, c2, v11, v12, v21, v22, d1, d2, w1, w2, b, x1, x2,
    );
    bce(a, y)
}

/// The network's output probability, for accuracy: the same `forward` the loss calls.
fn predict(p: &[f64; 15], x1: f64, x2: f64) -> f64 {
    forward(
        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],
        p[14], x1, x2,
    )
}

fn main() {
    println!("The macro derived, at compile time (first layer, one weight):");
    println!("{}\n", deep::DERIVATION.lines().next().unwrap_or_default());

    // XOR: class 1 where x1 and x2 have the same sign.
    let mut rng = StdRng::seed_from_u64(3);
    let data: Vec<([f64; 2], f64)> = (0..400)
        .map(|_| {
            let x = [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)];
            (x, f64::from(u8::from(x[0] * x[1] > 0.0)))
        })
        .collect();

    let mut p = [0.0; 15];
    for w in &mut p {
        *w = rng.random_range(-1.0..1.0);
    }
    let lr = 0.05;
    let mut history = History::default();
    println!("epoch   loss     accuracy");
    for epoch in 0..=200 {
        let (mut loss, mut correct) = (0.0, 0);
        for &([x1, x2], y) in &data {
            correct += usize::from((predict(&p, x1, x2) > 0.5) == (y == 1.0));
            let (l, g) = deep::grad(
                p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12],
                p[13], p[14], x1, x2, y,
            );
            loss += l;
            let grad = [
                g.u11, g.u12, g.u21, g.u22, g.c1, g.c2, g.v11, g.v12, g.v21, g.v22, g.d1, g.d2,
                g.w1, g.w2, g.b,
            ];
            for (w, dw) in p.iter_mut().zip(grad) {
                *w -= lr * dw;
            }
        }
        let m = data.len() as f64;
        curves::record(&mut history, epoch, lr, loss / m, correct as f64 / m);
        if epoch % 25 == 0 {
            println!(
                "{epoch:>5}   {:.4}   {:.3}",
                loss / data.len() as f64,
                correct as f64 / data.len() as f64
            );
        }
    }
    curves::save(&history, "deep");
}
