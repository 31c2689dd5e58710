//! Is a `#[differentiable]` gradient as fast as the closed form a person would write?
//!
//! ```text
//! cargo bench --bench scalar
//! ```
//!
//! Each group computes loss and gradient for 1,024 random samples (seeded; random so that
//! a branch on the sign of `z` is as unpredictable as in training), with the generated
//! `grad` and with two hand-derived closed forms on the same data:
//!
//! - `naive`: what a person writes without cadena, the textbook formulas with libm:
//!   `a = 1 / (1 + exp(-z))`, `L = ln(1 + exp(z)) - y z` (overflows to inf for z > 709);
//! - `stable`: the careful form, cadena's `sigmoid` and `softplus` (`max(z, 0) +
//!   ln_1p(e^-|z|)`), exact and finite at z = ±800 like the generated code.
//!
//! After the groups, the ratios of criterion's mean estimates from this same run are
//! printed per network; then the course's per-sample descent (a step after every sample)
//! over a million samples, with `neuron::grad` and with the closed forms, timed in
//! alternation.

#[path = "common/estimates.rs"]
mod estimates;
#[path = "common/interleaved.rs"]
mod interleaved;

use std::hint::black_box;
use std::time::Instant;

use cadena::ops::scalar::{sigmoid, softplus};
use cadena::prelude::*;
use criterion::{BenchmarkId, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

#[differentiable(wrt(w1, w2, b))]
fn neuron(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    bce(a, y)
}

#[differentiable(wrt(w11, w12, b1, w2, b2))]
#[allow(clippy::too_many_arguments)]
fn shallow(w11: f64, w12: f64, b1: f64, w2: f64, b2: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let z1 = w11 * x1 + w12 * x2 + b1;
    let a1 = tanh(z1);
    let z2 = w2 * a1 + b2;
    let a2 = sigmoid(z2);
    bce(a2, y)
}

/// The textbook closed form with libm: L = ln(1 + e^z) - y z, dL/dw = (a - y) x.
#[inline]
fn neuron_naive(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> (f64, [f64; 3]) {
    let z = w1 * x1 + w2 * x2 + b;
    let a = 1.0 / (1.0 + (-z).exp());
    let d = a - y;
    ((1.0 + z.exp()).ln() - y * z, [d * x1, d * x2, d])
}

/// The course's closed form, stable: L = softplus(z) - y z, dL/dw = (a - y) x.
#[inline]
fn neuron_by_hand(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> (f64, [f64; 3]) {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    let d = a - y;
    (softplus(z) - y * z, [d * x1, d * x2, d])
}

#[inline]
#[allow(clippy::too_many_arguments)]
fn shallow_naive(
    w11: f64,
    w12: f64,
    b1: f64,
    w2: f64,
    b2: f64,
    x1: f64,
    x2: f64,
    y: f64,
) -> (f64, [f64; 5]) {
    let a1 = (w11 * x1 + w12 * x2 + b1).tanh();
    let z2 = w2 * a1 + b2;
    let a2 = 1.0 / (1.0 + (-z2).exp());
    let d2 = a2 - y;
    let d1 = d2 * w2 * (1.0 - a1 * a1);
    (
        (1.0 + z2.exp()).ln() - y * z2,
        [d1 * x1, d1 * x2, d1, d2 * a1, d2],
    )
}

#[inline]
#[allow(clippy::too_many_arguments)]
fn shallow_by_hand(
    w11: f64,
    w12: f64,
    b1: f64,
    w2: f64,
    b2: f64,
    x1: f64,
    x2: f64,
    y: f64,
) -> (f64, [f64; 5]) {
    let a1 = (w11 * x1 + w12 * x2 + b1).tanh();
    let z2 = w2 * a1 + b2;
    let a2 = sigmoid(z2);
    let d2 = a2 - y;
    let d1 = d2 * w2 * (1.0 - a1) * (1.0 + a1);
    (softplus(z2) - y * z2, [d1 * x1, d1 * x2, d1, d2 * a1, d2])
}

const N: usize = 1024;

/// Inputs in [-3, 3] and labels 0 or 1, random, so `z` changes sign unpredictably.
fn samples() -> Vec<[f64; 3]> {
    let mut rng = StdRng::seed_from_u64(7);
    (0..N)
        .map(|_| {
            [
                rng.random_range(-3.0..3.0),
                rng.random_range(-3.0..3.0),
                f64::from(u8::from(rng.random_bool(0.5))),
            ]
        })
        .collect()
}

fn bench_neuron(c: &mut Criterion) {
    let data = samples();
    let mut group = c.benchmark_group("neuron");
    group.throughput(Throughput::Elements(N as u64));
    let (w1, w2, b) = (0.3, -0.2, 0.1);
    group.bench_function(BenchmarkId::new("grad", "generated"), |bench| {
        bench.iter(|| {
            let mut acc = [0.0; 4];
            for &[x1, x2, y] in black_box(&data) {
                let (l, g) = neuron::grad(black_box(w1), w2, b, x1, x2, y);
                acc = [acc[0] + l, acc[1] + g.w1, acc[2] + g.w2, acc[3] + g.b];
            }
            acc
        })
    });
    for (name, f) in [
        (
            "stable",
            neuron_by_hand as fn(f64, f64, f64, f64, f64, f64) -> (f64, [f64; 3]),
        ),
        ("naive", neuron_naive),
    ] {
        group.bench_function(BenchmarkId::new("grad", name), |bench| {
            bench.iter(|| {
                let mut acc = [0.0; 4];
                for &[x1, x2, y] in black_box(&data) {
                    let (l, g) = f(black_box(w1), w2, b, x1, x2, y);
                    acc = [acc[0] + l, acc[1] + g[0], acc[2] + g[1], acc[3] + g[2]];
                }
                acc
            })
        });
    }
    // The same batch as columns, through the generated batched form.
    let (x1s, x2s, ys): (Vec<f64>, Vec<f64>, Vec<f64>) = (
        data.iter().map(|s| s[0]).collect(),
        data.iter().map(|s| s[1]).collect(),
        data.iter().map(|s| s[2]).collect(),
    );
    group.bench_function(BenchmarkId::new("grad", "grad_sum"), |bench| {
        bench.iter(|| neuron::grad_sum(black_box(w1), w2, b, black_box(&x1s), &x2s, &ys))
    });
    group.finish();
}

fn bench_shallow(c: &mut Criterion) {
    let data = samples();
    let mut group = c.benchmark_group("shallow");
    group.throughput(Throughput::Elements(N as u64));
    let p = [0.3, -0.2, 0.1, 0.8, -0.1];
    group.bench_function(BenchmarkId::new("grad", "generated"), |bench| {
        bench.iter(|| {
            let mut acc = [0.0; 6];
            let [w11, w12, b1, w2, b2] = black_box(p);
            for &[x1, x2, y] in black_box(&data) {
                let (l, g) = shallow::grad(w11, w12, b1, w2, b2, x1, x2, y);
                acc = [
                    acc[0] + l,
                    acc[1] + g.w11,
                    acc[2] + g.w12,
                    acc[3] + g.b1,
                    acc[4] + g.w2,
                    acc[5] + g.b2,
                ];
            }
            acc
        })
    });
    let (x1s, x2s, ys): (Vec<f64>, Vec<f64>, Vec<f64>) = (
        data.iter().map(|s| s[0]).collect(),
        data.iter().map(|s| s[1]).collect(),
        data.iter().map(|s| s[2]).collect(),
    );
    group.bench_function(BenchmarkId::new("grad", "grad_sum"), |bench| {
        let [w11, w12, b1, w2, b2] = p;
        bench
            .iter(|| shallow::grad_sum(black_box(w11), w12, b1, w2, b2, black_box(&x1s), &x2s, &ys))
    });
    type Shallow = fn(f64, f64, f64, f64, f64, f64, f64, f64) -> (f64, [f64; 5]);
    for (name, f) in [
        ("stable", shallow_by_hand as Shallow),
        ("naive", shallow_naive),
    ] {
        group.bench_function(BenchmarkId::new("grad", name), |bench| {
            bench.iter(|| {
                let mut acc = [0.0; 6];
                let [w11, w12, b1, w2, b2] = black_box(p);
                for &[x1, x2, y] in black_box(&data) {
                    let (l, g) = f(w11, w12, b1, w2, b2, x1, x2, y);
                    acc = [
                        acc[0] + l,
                        acc[1] + g[0],
                        acc[2] + g[1],
                        acc[3] + g[2],
                        acc[4] + g[3],
                        acc[5] + g[4],
                    ];
                }
                acc
            })
        });
    }
    group.finish();
}

/// One epoch of per-sample gradient descent over `data` (a step after each sample), with
/// `grad` giving the loss and `[dw1, dw2, db]`; returns the weights and the summed loss.
fn descend(
    data: &[[f64; 3]],
    grad: impl Fn(f64, f64, f64, f64, f64, f64) -> (f64, [f64; 3]),
) -> ([f64; 3], f64) {
    let (mut w, mut total) = ([0.3, -0.2, 0.1], 0.0);
    for &[x1, x2, y] in data {
        let (l, g) = grad(w[0], w[1], w[2], x1, x2, y);
        total += l;
        for (wi, gi) in w.iter_mut().zip(g) {
            *wi -= 0.01 * gi;
        }
    }
    (w, total)
}

/// The per-sample descent over a million samples: generated `grad` against the closed
/// forms, interleaved rounds, median ns per sample and the ratios.
fn million_sample_descent() {
    const SAMPLES: usize = 1_000_000;
    let mut rng = StdRng::seed_from_u64(11);
    let data: Vec<[f64; 3]> = (0..SAMPLES)
        .map(|_| {
            [
                rng.random_range(-3.0..3.0),
                rng.random_range(-3.0..3.0),
                f64::from(u8::from(rng.random_bool(0.5))),
            ]
        })
        .collect();
    let generated = |w1, w2, b, x1, x2, y| {
        let (l, g) = neuron::grad(w1, w2, b, x1, x2, y);
        (l, [g.w1, g.w2, g.b])
    };
    type Epoch<'a> = &'a dyn Fn(&[[f64; 3]]) -> ([f64; 3], f64);
    let contenders: [(&str, Epoch); 3] = [
        ("generated", &|d| descend(d, generated)),
        ("stable", &|d| descend(d, neuron_by_hand)),
        ("naive", &|d| descend(d, neuron_naive)),
    ];
    let mut times = vec![Vec::new(); contenders.len()];
    for _ in 0..9 {
        for (t, (_, run)) in times.iter_mut().zip(&contenders) {
            let start = Instant::now();
            black_box(run(black_box(&data)));
            t.push(start.elapsed().as_secs_f64() * 1e9 / SAMPLES as f64);
        }
    }
    let medians: Vec<f64> = times.iter_mut().map(|t| interleaved::median(t)).collect();
    println!(
        "\nper-sample descent over {SAMPLES} samples (neuron, a step after each sample), median of 9 interleaved rounds:"
    );
    for ((name, _), m) in contenders.iter().zip(&medians) {
        println!(
            "  {name:<10} {m:>7.2} ns per sample, {:.3}× generated",
            m / medians[0]
        );
    }
    println!(
        "  generated/stable {:.3}, generated/naive {:.3}",
        medians[0] / medians[1],
        medians[0] / medians[2]
    );
}

fn main() {
    million_sample_descent();
    let mut c = Criterion::default().configure_from_args();
    bench_neuron(&mut c);
    bench_shallow(&mut c);
    c.final_summary();
    for group in ["neuron", "shallow"] {
        if let (Some(sum), Some(g)) = (
            estimates::mean_ns(&format!("{group}/grad/grad_sum")),
            estimates::mean_ns(&format!("{group}/grad/generated")),
        ) {
            println!(
                "\n{group}::grad_sum {:.2} ns/sample, {:.3}× the per-sample grad loop",
                sum / N as f64,
                sum / g
            );
        }
    }
    println!(
        "\nns per sample   generated   stable by hand   naive (libm, textbook)   generated/stable   generated/naive"
    );
    for group in ["neuron", "shallow"] {
        let mean = |name: &str| estimates::mean_ns(&format!("{group}/grad/{name}"));
        if let (Some(g), Some(s), Some(n)) = (mean("generated"), mean("stable"), mean("naive")) {
            println!(
                "{group:<15} {:>9.2} {:>16.2} {:>24.2} {:>18.3} {:>17.3}",
                g / N as f64,
                s / N as f64,
                n / N as f64,
                g / s,
                g / n
            );
        }
    }
}
