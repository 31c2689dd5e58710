//! Steps 2–4 of the course: partial derivatives, gradient descent and the logistic
//! neuron. A neuron `a = sigmoid(w1 x1 + w2 x2 + b)` with binary cross-entropy, whose
//! gradient the macro simplifies to `dL/dw1 = (a - y) * x1`, trained by
//! `w = w - η dL/dw` on two clouds of points.
//!
//! ```text
//! cargo run --release --example neuron -- [--svg FILE]
//! ```
//!
//! `--svg FILE` draws the neuron's graph at the trained weights and the first sample,
//! each node with its value and its derivative (a `.png` name gives a PNG).

#[path = "common/curves.rs"]
mod curves;

use cadena::prelude::*;
use cadena::train::History;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

#[differentiable(wrt(w1, w2, b))]
pub fn neuron(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    bce(a, y)
}

/// Two noisy clouds: class 1 around (1, 1), class 0 around (-1, -0.5).
fn two_clouds(n: usize, seed: u64) -> Vec<([f64; 2], f64)> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let y = (i % 2) as f64;
            let (cx, cy) = if y == 1.0 { (1.0, 1.0) } else { (-1.0, -0.5) };
            let x = [
                cx + rng.random_range(-1.2..1.2),
                cy + rng.random_range(-1.2..1.2),
            ];
            (x, y)
        })
        .collect()
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let svg_path = match (args.next().as_deref(), args.next()) {
        (None, _) => None,
        (Some("--svg"), Some(path)) => Some(path),
        (Some(other), _) => {
            eprintln!("error: expected --svg FILE, found `{other}`");
            return std::process::ExitCode::from(2);
        }
    };
    println!(
        "The macro derived, at compile time:\n{}\n",
        neuron::DERIVATION
    );
    println!("From the chain rule:\n{}\n", neuron::EXPLAIN);

    let data = two_clouds(200, 7);
    let n = data.len() as f64;
    let (mut w1, mut w2, mut b) = (0.0, 0.0, 0.0);
    let lr = 0.5;
    let mut history = History::default();
    println!("epoch   loss     accuracy   w1       w2       b");
    let x1s: Vec<f64> = data.iter().map(|(x, _)| x[0]).collect();
    let x2s: Vec<f64> = data.iter().map(|(x, _)| x[1]).collect();
    let ys: Vec<f64> = data.iter().map(|(_, y)| *y).collect();
    for epoch in 0..=40 {
        // Full-batch gradient descent: average dL/dw over the data, then w = w - η dL/dw.
        // `grad_sum` is `neuron::grad` summed over the samples (x1s, x2s, ys), run over
        // the CPU's SIMD lanes.
        let (loss, g) = neuron::grad_sum(w1, w2, b, &x1s, &x2s, &ys);
        let (g1, g2, gb) = (g.w1, g.w2, g.b);
        let mut correct = 0;
        for &([x1, x2], y) in &data {
            let predicted = if w1 * x1 + w2 * x2 + b > 0.0 {
                1.0
            } else {
                0.0
            };
            correct += usize::from(predicted == y);
        }
        curves::record(&mut history, epoch, lr, loss / n, correct as f64 / n);
        if epoch % 5 == 0 {
            println!(
                "{epoch:>5}   {:.4}   {:.3}      {w1:+.3}   {w2:+.3}   {b:+.3}",
                loss / n,
                correct as f64 / n
            );
        }
        w1 -= lr * g1 / n;
        w2 -= lr * g2 / n;
        b -= lr * gb / n;
    }
    curves::save(&history, "neuron");
    if let Some(path) = svg_path {
        let ([x1, x2], y) = data[0];
        match neuron::trace(w1, w2, b, x1, x2, y).save(&path) {
            Ok(()) => println!("graph at the trained weights, first sample, drawn to {path}"),
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
