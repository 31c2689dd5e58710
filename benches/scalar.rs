//! Is a `#[differentiable]` gradient as fast as the closed form a person would write?
//!
//! ```text
//! cargo bench --bench scalar
//! ```
//!
//! Each group computes loss and gradient for 1,024 samples, once with the generated
//! `grad` and once with the hand-derived closed form written below, on the same data.
//! After the groups, the ratio generated / hand-written of criterion's mean estimates
//! from this same run is printed per network.

#[path = "common/estimates.rs"]
mod estimates;

use std::hint::black_box;

use cadena::ops::scalar::{sigmoid, softplus};
use cadena::prelude::*;
use criterion::{BenchmarkId, Criterion, Throughput};

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

/// The course's closed form: L = softplus(z) - y z, dL/dw = (a - y) x.
#[inline]
fn neuron_by_hand(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> (f64, [f64; 3]) {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    let d = a - y;
    (softplus(z) - y * z, [d * x1, d * x2, d])
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

fn samples() -> Vec<[f64; 3]> {
    (0..N)
        .map(|i| {
            let t = i as f64 / N as f64;
            [
                (t * 7.0).sin() * 2.0,
                (t * 3.0).cos() * 1.5,
                f64::from(u8::from(i % 3 == 0)),
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
    group.bench_function(BenchmarkId::new("grad", "hand-written"), |bench| {
        bench.iter(|| {
            let mut acc = [0.0; 4];
            for &[x1, x2, y] in black_box(&data) {
                let (l, g) = neuron_by_hand(black_box(w1), w2, b, x1, x2, y);
                acc = [acc[0] + l, acc[1] + g[0], acc[2] + g[1], acc[3] + g[2]];
            }
            acc
        })
    });
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
    group.bench_function(BenchmarkId::new("grad", "hand-written"), |bench| {
        bench.iter(|| {
            let mut acc = [0.0; 6];
            let [w11, w12, b1, w2, b2] = black_box(p);
            for &[x1, x2, y] in black_box(&data) {
                let (l, g) = shallow_by_hand(w11, w12, b1, w2, b2, x1, x2, y);
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
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_neuron(&mut c);
    bench_shallow(&mut c);
    c.final_summary();
    if let (Some(sum), Some(g)) = (
        estimates::mean_ns("neuron/grad/grad_sum"),
        estimates::mean_ns("neuron/grad/generated"),
    ) {
        println!(
            "\nneuron::grad_sum {:.2} ns/sample, {:.3}× the per-sample grad loop",
            sum / N as f64,
            sum / g
        );
    }
    println!("\nnetwork   generated ns/sample   hand-written ns/sample   ratio");
    for group in ["neuron", "shallow"] {
        if let (Some(g), Some(h)) = (
            estimates::mean_ns(&format!("{group}/grad/generated")),
            estimates::mean_ns(&format!("{group}/grad/hand-written")),
        ) {
            println!(
                "{group:<9} {:>19.2} {:>24.2} {:>7.3}",
                g / N as f64,
                h / N as f64,
                g / h
            );
        }
    }
}
