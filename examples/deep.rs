//! Step 6 of the course: a deeper network in scalar code — two inputs, two tanh layers of
//! two units, a sigmoid output — on the XOR pattern, which no single neuron can learn.
//! Fifteen parameters in three float arrays (each unit's two weights and bias, unit after
//! unit), composed `#[differentiable]` functions (one two-input unit, used five times), no
//! hand-written backward pass, and one forward pass for training and prediction.
//! Trained in mini-batches through `deep::grad_sum`.
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

/// The network's output probability. Each layer holds its units' `w1, w2, b` in turn.
#[differentiable]
pub fn forward(hidden: &[f64; 6], second: &[f64; 6], out: &[f64; 3], x1: f64, x2: f64) -> f64 {
    let h1 = tanh(unit(hidden[0], hidden[1], hidden[2], x1, x2));
    let h2 = tanh(unit(hidden[3], hidden[4], hidden[5], x1, x2));
    let k1 = tanh(unit(second[0], second[1], second[2], h1, h2));
    let k2 = tanh(unit(second[3], second[4], second[5], h1, h2));
    sigmoid(unit(out[0], out[1], out[2], k1, k2))
}

#[differentiable(wrt(hidden, second, out))]
pub fn deep(hidden: &[f64; 6], second: &[f64; 6], out: &[f64; 3], x1: f64, x2: f64, y: f64) -> f64 {
    bce(forward(hidden, second, out, x1, x2), y)
}

/// One step of gradient descent on one array of weights.
fn descend(weights: &mut [f64], gradient: &[f64], lr: f64) {
    for (w, g) in weights.iter_mut().zip(gradient) {
        *w -= lr * g;
    }
}

fn main() {
    println!("The macro derived, at compile time:");
    println!("{}\n", deep::DERIVATION);

    // XOR: class 1 where x1 and x2 have the same sign.
    let mut rng = StdRng::seed_from_u64(3);
    let data: Vec<([f64; 2], f64)> = (0..400)
        .map(|_| {
            let x = [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)];
            (x, f64::from(u8::from(x[0] * x[1] > 0.0)))
        })
        .collect();

    // Drawn in the order of the course's fifteen named weights (u11 u12 u21 u22 c1 c2,
    // v.. d.., w1 w2 b), then grouped by unit.
    let r: [f64; 15] = [0; 15].map(|_| rng.random_range(-1.0..1.0));
    let mut hidden = [r[0], r[1], r[4], r[2], r[3], r[5]];
    let mut second = [r[6], r[7], r[10], r[8], r[9], r[11]];
    let mut out = [r[12], r[13], r[14]];
    // Mini-batches of 10 samples: `deep::grad_sum` gives a batch's summed loss and
    // gradient in one call (the samples run over SIMD lanes; the gradient of each weight
    // array is summed element by element), and a step follows the batch's mean gradient.
    const BATCH: usize = 10;
    let lr = 0.5;
    let mut history = History::default();
    println!("epoch   loss     accuracy");
    for epoch in 0..=200 {
        let (mut loss, mut correct) = (0.0, 0);
        for batch in data.chunks(BATCH) {
            for &([x1, x2], y) in batch {
                let a = forward(&hidden, &second, &out, x1, x2);
                correct += usize::from((a > 0.5) == (y == 1.0));
            }
            let x1s: Vec<f64> = batch.iter().map(|(x, _)| x[0]).collect();
            let x2s: Vec<f64> = batch.iter().map(|(x, _)| x[1]).collect();
            let ys: Vec<f64> = batch.iter().map(|(_, y)| *y).collect();
            let (l, g) = deep::grad_sum(&hidden, &second, &out, &x1s, &x2s, &ys);
            loss += l;
            let step = lr / batch.len() as f64;
            descend(&mut hidden, &g.hidden, step);
            descend(&mut second, &g.second, step);
            descend(&mut out, &g.out, step);
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
