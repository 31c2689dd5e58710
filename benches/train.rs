//! Does `cadena::train` add overhead to a plain grad + step loop?
//!
//! One SGD epoch (lr 0.1, batch 256, f32, one thread) of a 40 → 128 tanh → 64 tanh → 10
//! MLP with mean softmax cross-entropy over 60,000 synthetic samples, run two ways over
//! the same seeded shuffles:
//!
//! - `manual`: `Batches` + the hand-written gradient + `Sgd::step`, nothing else;
//! - `fit`: the same functions through `cadena::train::fit` (progress bar off, no
//!   training-accuracy pass, no validation set: those are extra work, not loop overhead).
//!
//! - `fit` + generated: the same loop with the gradient from `#[differentiable]`
//!   (`loss::grad`) instead of the hand-written one.
//!
//! The hand-written gradient is [`mlp_grad_handwritten`], a careful ndarray baseline.
//! It also counts what one training step asks of the allocator (a counting global
//! allocator): allocations and peak heap bytes per step of `fit` with each gradient,
//! after a warm-up epoch.
//!
//! Run with `cargo bench --bench train`; the JAX side is `benches/jax_mlp.py`.

#[path = "common/counting.rs"]
mod counting;
#[path = "common/interleaved.rs"]
mod interleaved;

#[global_allocator]
static ALLOC: counting::Counting = counting::Counting;

use std::hint::black_box;
use std::time::Instant;

use cadena::data::{Batches, Dataset};
use cadena::init::{Init, seeded};
use cadena::ndarray::{Array1, Array2, ArrayView2, Axis};
use cadena::optim::{Optimizer, Sgd};
use cadena::prelude::*;
use cadena::train::{TrainConfig, fit};
use criterion::{BenchmarkId, Criterion, criterion_group};
use rand::RngExt;

const SAMPLES: usize = 60_000;
const BATCH: usize = 256;
const SEED: u64 = 7;

#[derive(Parameters, Clone)]
struct Mlp {
    w1: Array2<f32>,
    b1: Array1<f32>,
    w2: Array2<f32>,
    b2: Array1<f32>,
    w3: Array2<f32>,
    b3: Array1<f32>,
}

fn mlp() -> Mlp {
    let mut rng = seeded(1);
    Mlp {
        w1: Init::XavierUniform.array2(40, 128, &mut rng),
        b1: Array1::zeros(128),
        w2: Init::XavierUniform.array2(128, 64, &mut rng),
        b2: Array1::zeros(64),
        w3: Init::XavierUniform.array2(64, 10, &mut rng),
        b3: Array1::zeros(10),
    }
}

fn data() -> Dataset<f32> {
    let mut rng = seeded(2);
    let labels: Vec<usize> = (0..SAMPLES).map(|_| rng.random_range(0..10)).collect();
    // Features carry a class-dependent shift so the task is learnable, as real data is.
    let x = Array2::from_shape_fn((SAMPLES, 40), |(i, j)| {
        rng.random::<f32>() * 2.0 - 1.0 + if j % 10 == labels[i] { 1.0 } else { 0.0 }
    });
    Dataset::classification(x, labels, 10).expect("labels are below 10")
}

#[differentiable(wrt(p))]
fn loss(p: &Mlp, x: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    let a2 = tanh(a1.dot(&p.w2) + &p.b2);
    let z3 = a2.dot(&p.w3) + &p.b3;
    softmax_cross_entropy(z3, y)
}

fn generated_grad(p: &Mlp, x: ArrayView2<f32>, y: ArrayView2<f32>) -> (f32, Mlp) {
    let (l, g) = loss::grad(p, x, y);
    (l, g.p)
}

fn logits(p: &Mlp, x: ArrayView2<f32>) -> Array2<f32> {
    let a1 = (x.dot(&p.w1) + &p.b1).mapv_into(f32::tanh);
    let a2 = (a1.dot(&p.w2) + &p.b2).mapv_into(f32::tanh);
    a2.dot(&p.w3) + &p.b3
}

/// The baseline: forward and backward of the MLP written by hand in ndarray.
fn mlp_grad_handwritten(p: &Mlp, x: ArrayView2<f32>, y: ArrayView2<f32>) -> (f32, Mlp) {
    let n = x.nrows() as f32;
    let a1 = (x.dot(&p.w1) + &p.b1).mapv_into(f32::tanh);
    let a2 = (a1.dot(&p.w2) + &p.b2).mapv_into(f32::tanh);
    let mut z3 = a2.dot(&p.w3) + &p.b3;
    // log_softmax in place, the loss, then softmax - y scaled by 1/n: dL/dz3.
    let mut loss = 0.0;
    for (mut row, yrow) in z3.rows_mut().into_iter().zip(y.rows()) {
        let m = row.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        let lse = m + row.iter().map(|&v| (v - m).exp()).sum::<f32>().ln();
        row.zip_mut_with(&yrow, |z, &t| {
            let logp = *z - lse;
            loss -= t * logp;
            *z = (logp.exp() - t) / n;
        });
    }
    let dz3 = z3;
    let mut dz2 = dz3.dot(&p.w3.t());
    dz2.zip_mut_with(&a2, |d, &a| *d *= 1.0 - a * a);
    let mut dz1 = dz2.dot(&p.w2.t());
    dz1.zip_mut_with(&a1, |d, &a| *d *= 1.0 - a * a);
    let grad = Mlp {
        w1: x.t().dot(&dz1),
        b1: dz1.sum_axis(Axis(0)),
        w2: a1.t().dot(&dz2),
        b2: dz2.sum_axis(Axis(0)),
        w3: a2.t().dot(&dz3),
        b3: dz3.sum_axis(Axis(0)),
    };
    (loss / n, grad)
}

fn manual_epoch(params: &mut Mlp, data: &Dataset<f32>) -> f32 {
    let mut sgd = Sgd::new(0.1).expect("valid lr");
    let mut rng = seeded(SEED);
    let mut batches = Batches::new(data, BATCH);
    batches.shuffle(&mut rng);
    let mut last = 0.0;
    while let Some(b) = batches.next_batch() {
        let (loss, g) = mlp_grad_handwritten(params, b.x, b.y);
        sgd.step(params, &g).expect("same shapes");
        last = loss;
    }
    last
}

fn fit_epoch(params: &mut Mlp, data: &Dataset<f32>) -> f64 {
    fit_epoch_with(params, data, mlp_grad_handwritten)
}

/// A gradient function as `fit` takes it.
type GradFn = fn(&Mlp, ArrayView2<f32>, ArrayView2<f32>) -> (f32, Mlp);

fn fit_epoch_with(params: &mut Mlp, data: &Dataset<f32>, grad: GradFn) -> f64 {
    let config = TrainConfig {
        epochs: 1,
        batch_size: BATCH,
        seed: SEED,
        progress: false,
        train_accuracy: false,
        ..Default::default()
    };
    let mut sgd = Sgd::new(0.1).expect("valid lr");
    let h = fit(params, &mut sgd, data, None, &config, grad, logits).expect("finite");
    h.epochs[0].train_loss
}

fn one_sgd_epoch(c: &mut Criterion) {
    let data = data();
    let init = mlp();
    // Both contenders must compute the same thing for the comparison to mean anything.
    let (mut a, mut b) = (init.clone(), init.clone());
    manual_epoch(&mut a, &data);
    fit_epoch(&mut b, &data);
    assert!(
        a.w1 == b.w1 && a.b3 == b.b3,
        "manual and fit epochs diverged"
    );

    let mut group = c.benchmark_group("one_sgd_epoch_mlp_60k");
    group
        .sample_size(10)
        .measurement_time(std::time::Duration::from_secs(10));
    group.bench_function(
        BenchmarkId::new("manual_grad_step", "handwritten"),
        |bench| {
            bench.iter(|| {
                let mut p = init.clone();
                black_box(manual_epoch(&mut p, &data));
                p
            })
        },
    );
    group.bench_function(BenchmarkId::new("train_fit", "handwritten"), |bench| {
        bench.iter(|| {
            let mut p = init.clone();
            black_box(fit_epoch(&mut p, &data));
            p
        })
    });
    group.bench_function(BenchmarkId::new("train_fit", "generated"), |bench| {
        bench.iter(|| {
            let mut p = init.clone();
            black_box(fit_epoch_with(&mut p, &data, generated_grad));
            p
        })
    });
    group.finish();
}

/// Criterion times the contenders one after the other; on a shared machine load drifts
/// between them. Alternating single epochs (A B A B ...) and comparing medians puts both
/// under the same load, which is what the overhead ratio needs.
fn interleaved_ratio(rounds: usize) {
    let data = data();
    let init = mlp();
    let time = |f: &dyn Fn(&mut Mlp)| {
        let mut p = init.clone();
        let start = Instant::now();
        f(&mut p);
        black_box(p);
        start.elapsed().as_secs_f64()
    };
    // The same batches, gathered once: the gradient calls of an epoch with nothing around
    // them, to show what share of the epoch the loop (batching, step, checks) takes.
    let gathered: Vec<(Array2<f32>, Array2<f32>)> = {
        let mut batches = Batches::new(&data, BATCH);
        batches.shuffle(&mut seeded(SEED));
        let mut all = Vec::new();
        while let Some(b) = batches.next_batch() {
            all.push((b.x.to_owned(), b.y.to_owned()));
        }
        all
    };
    let (mut manual, mut fitted, mut generated) = (Vec::new(), Vec::new(), Vec::new());
    let mut grads_only = Vec::new();
    for _ in 0..rounds {
        grads_only.push(time(&|p| {
            for (x, y) in &gathered {
                black_box(generated_grad(p, x.view(), y.view()));
            }
        }));
        generated.push(time(&|p| {
            black_box(fit_epoch_with(p, &data, generated_grad));
        }));
        manual.push(time(&|p| {
            black_box(manual_epoch(p, &data));
        }));
        fitted.push(time(&|p| {
            black_box(fit_epoch(p, &data));
        }));
    }
    let median = interleaved::median;
    let (m, f, g) = (
        median(&mut manual),
        median(&mut fitted),
        median(&mut generated),
    );
    println!(
        "interleaved medians over {rounds} rounds: manual {:.1} ms, fit {:.1} ms, fit/manual = {:.3}; fit with the generated gradient {:.1} ms, {:.3}× fit with the hand-written one",
        m * 1e3,
        f * 1e3,
        f / m,
        g * 1e3,
        g / f
    );
    // Fastest epochs: the figures least disturbed by other load, to set beside the best
    // epochs of `benches/jax_mlp.py`.
    println!(
        "fastest epochs: manual {:.1} ms, fit {:.1} ms, fit with the generated gradient {:.1} ms",
        manual[0] * 1e3,
        fitted[0] * 1e3,
        generated[0] * 1e3
    );
    let grads = median(&mut grads_only);
    println!(
        "the {} generated gradient calls alone: {:.1} ms median, {:.1} ms fastest ({:.1}% of the epoch's median)",
        gathered.len(),
        grads * 1e3,
        grads_only[0] * 1e3,
        100.0 * grads / g
    );
}

criterion_group!(benches, one_sgd_epoch);

/// Allocations and peak heap per step of one `fit` epoch, after a warm-up epoch. The
/// allocations of the steps are told apart from the run's own (its history, the progress
/// bar's text, …) by counting an epoch over the whole set and one over its first half:
/// the difference over the difference in steps is what one step asks for.
fn allocations_per_step() {
    let data = data();
    let half = data.select(&(0..data.len() / 2).collect::<Vec<_>>());
    let steps = data.len().div_ceil(BATCH);
    let half_steps = half.len().div_ceil(BATCH);
    for (name, grad) in [
        ("hand-written", mlp_grad_handwritten as GradFn),
        ("generated", generated_grad as GradFn),
    ] {
        let mut p = mlp();
        fit_epoch_with(&mut p, &data, grad);
        fit_epoch_with(&mut p, &half, grad);
        let calls = counting::allocations(|| {
            fit_epoch_with(&mut p, &data, grad);
        });
        let half_calls = counting::allocations(|| {
            fit_epoch_with(&mut p, &half, grad);
        });
        let peak = counting::peak_bytes(|| {
            fit_epoch_with(&mut p, &data, grad);
        });
        println!(
            "fit with the {name} gradient: {:.1} allocations per step ({calls} in an epoch of {steps} steps, {half_calls} in one of {half_steps}), peak heap {peak} B over the epoch",
            (calls as f64 - half_calls as f64) / (steps - half_steps) as f64
        );
    }
}

fn main() {
    benches();
    interleaved_ratio(15);
    allocations_per_step();
    Criterion::default().configure_from_args().final_summary();
}
