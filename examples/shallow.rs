//! Step 5 of the course: a shallow network — one tanh hidden unit `a1` feeding a sigmoid
//! output `a2`, binary cross-entropy — differentiated at compile time. The derivation
//! reads like the course: `dL/dw2 = (a2 - y) * a1`,
//! `dL/dw11 = (a2 - y) * w2 * (1 - a1^2) * x1`.
//!
//! ```text
//! cargo run --release --example shallow
//! ```

#[path = "common/curves.rs"]
mod curves;

use cadena::prelude::*;
use cadena::train::History;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The network's output: the probability of class 1.
#[differentiable]
pub fn predict(w11: f64, w12: f64, b1: f64, w2: f64, b2: f64, x1: f64, x2: f64) -> f64 {
    let z1 = w11 * x1 + w12 * x2 + b1;
    let a1 = tanh(z1);
    let z2 = w2 * a1 + b2;
    let a2 = sigmoid(z2);
    a2
}

/// The loss calls the same `predict` the accuracy below uses.
#[differentiable(wrt(w11, w12, b1, w2, b2))]
#[allow(clippy::too_many_arguments)]
pub fn shallow(w11: f64, w12: f64, b1: f64, w2: f64, b2: f64, x1: f64, x2: f64, y: f64) -> f64 {
    bce(predict(w11, w12, b1, w2, b2, x1, x2), y)
}

fn main() {
    println!(
        "The macro derived, at compile time:\n{}\n",
        shallow::DERIVATION
    );

    // Class 1 inside a band x1 + x2 > 0.5, class 0 outside: one tanh unit suffices.
    let mut rng = StdRng::seed_from_u64(11);
    let data: Vec<([f64; 2], f64)> = (0..300)
        .map(|_| {
            let x = [rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0)];
            (x, f64::from(u8::from(x[0] + x[1] > 0.5)))
        })
        .collect();

    let mut p = [
        rng.random_range(-0.5..0.5),
        rng.random_range(-0.5..0.5),
        0.0,
        rng.random_range(-0.5..0.5),
        0.0,
    ];
    // Mini-batches of 10 samples: `shallow::grad_sum` gives a batch's summed loss and
    // gradient in one call (its samples run over SIMD lanes), and a step follows the
    // batch's mean gradient.
    const BATCH: usize = 10;
    let lr = 1.0;
    let mut history = History::default();
    println!("epoch   loss     accuracy");
    for epoch in 0..=60 {
        let (mut loss, mut correct) = (0.0, 0);
        for batch in data.chunks(BATCH) {
            let [w11, w12, b1, w2, b2] = p;
            let x1s: Vec<f64> = batch.iter().map(|(x, _)| x[0]).collect();
            let x2s: Vec<f64> = batch.iter().map(|(x, _)| x[1]).collect();
            let ys: Vec<f64> = batch.iter().map(|(_, y)| *y).collect();
            let (l, g) = shallow::grad_sum(w11, w12, b1, w2, b2, &x1s, &x2s, &ys);
            loss += l;
            for &([x1, x2], y) in batch {
                let a2 = predict(w11, w12, b1, w2, b2, x1, x2);
                correct += usize::from((a2 > 0.5) == (y == 1.0));
            }
            let n = batch.len() as f64;
            let grad = [g.w11, g.w12, g.b1, g.w2, g.b2];
            for (w, dw) in p.iter_mut().zip(grad) {
                *w -= lr * dw / n;
            }
        }
        let m = data.len() as f64;
        curves::record(&mut history, epoch, lr, loss / m, correct as f64 / m);
        if epoch % 10 == 0 {
            println!(
                "{epoch:>5}   {:.4}   {:.3}",
                loss / data.len() as f64,
                correct as f64 / data.len() as f64
            );
        }
    }
    curves::save(&history, "shallow");
}
