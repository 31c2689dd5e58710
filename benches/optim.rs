//! What one optimiser step costs, and what the vectorised Adam loop gains.
//!
//! A model of 1.1 M f32 parameters (a 1000×1000 and a 1000×100 matrix), one step at a
//! time, one thread:
//!
//! - `Adam` and AdamW (`Adam::adamw`) as cadena runs them: a slice loop dispatched to
//!   AVX2 where the CPU has it;
//! - the same rule written as the obvious ndarray `Zip` over the dynamic-dimensional views
//!   of weight and gradient and the two moments, testing per element whether to apply
//!   decoupled decay — exactly what `Adam` did before, and the baseline, checked to give
//!   the same bits. That per-element test is what kept LLVM from vectorising the loop
//!   (without it the `Zip` runs about 3.7× faster, still short of the dispatched loop);
//! - `Sgd`, the floor (one multiply-add per weight), and with momentum and Nesterov.
//!
//! Then the Adam / baseline ratio from interleaved blocks (A B A B …), which is robust to
//! the machine's load drifting. Run with `cargo bench --bench optim`.

#[path = "common/interleaved.rs"]
mod interleaved;

use std::hint::black_box;
use std::time::Instant;

use cadena::ndarray::{Array2, ArrayD, Zip};
use cadena::optim::{Adam, Optimizer, Sgd, SgdConfig};
use cadena::prelude::*;
use criterion::{Criterion, criterion_group};

#[derive(Parameters, Clone)]
struct Model {
    w: Array2<f32>,
    v: Array2<f32>,
}

fn model(phase: f32) -> Model {
    let f = |(i, j): (usize, usize)| ((i * 7 + j) as f32 * 0.013 + phase).sin() * 0.1;
    Model {
        w: Array2::from_shape_fn((1000, 1000), f),
        v: Array2::from_shape_fn((1000, 100), f),
    }
}

/// Adam with the textbook loop, as `Adam` itself was written before: `Zip` over the
/// dynamic-dimensional views `Parameters::visit_with_grad` hands out (weight, gradient)
/// and the two moments, constants folded as `Adam` folds them.
struct ZipAdam {
    t: i32,
    moments: Vec<(ArrayD<f32>, ArrayD<f32>)>,
}

impl ZipAdam {
    fn new(p: &Model) -> Self {
        let mut moments = Vec::new();
        p.visit(&mut |_, t| moments.push((ArrayD::zeros(t.raw_dim()), ArrayD::zeros(t.raw_dim()))));
        ZipAdam { t: 0, moments }
    }

    fn step(&mut self, p: &mut Model, g: &Model) {
        let (lr, beta1, beta2, eps) = (1e-3_f64, 0.9_f64, 0.999_f64, 1e-8_f64);
        self.t += 1;
        let step = (lr / (1.0 - beta1.powi(self.t))) as f32;
        let sqrt_bc2 = (1.0 - beta2.powi(self.t)).sqrt() as f32;
        let (b1, b2, eps) = (beta1 as f32, beta2 as f32, eps as f32);
        let (one_b1, one_b2) = ((1.0 - beta1) as f32, (1.0 - beta2) as f32);
        // Plain Adam here, but the loop tests for decoupled decay per element as `Adam` did.
        let (decoupled, decay) = (black_box(false), 1.0_f32);
        let mut moments = self.moments.iter_mut();
        p.visit_with_grad(g, &mut |_, w, g| {
            let (m, v) = moments.next().expect("one pair per tensor");
            Zip::from(w).and(&g).and(m).and(v).for_each(|w, &g, m, v| {
                if decoupled {
                    *w *= decay;
                }
                *m = b1 * *m + one_b1 * g;
                *v = b2 * *v + one_b2 * g * g;
                *w -= step * *m / (v.sqrt() / sqrt_bc2 + eps);
            });
        });
    }
}

fn one_step(c: &mut Criterion) {
    let grad = model(1.3);
    // The baseline must compute what `Adam` computes, to the bit.
    let (mut a, mut b) = (model(0.0), model(0.0));
    let (mut adam, mut zip) = (Adam::new(1e-3).unwrap(), ZipAdam::new(&b));
    for _ in 0..3 {
        adam.step(&mut a, &grad).unwrap();
        zip.step(&mut b, &grad);
    }
    assert!(
        a.w == b.w && a.v == b.v,
        "Adam and the Zip baseline diverged"
    );

    let mut group = c.benchmark_group("optimiser_step_1_1M_f32");
    let mut p = model(0.0);
    let mut opt = Adam::new(1e-3).unwrap();
    group.bench_function("adam", |bench| {
        bench.iter(|| opt.step(black_box(&mut p), &grad).unwrap())
    });
    let mut opt = Adam::adamw(1e-3, 0.1).unwrap();
    group.bench_function("adamw", |bench| {
        bench.iter(|| opt.step(black_box(&mut p), &grad).unwrap())
    });
    let mut zip = ZipAdam::new(&p);
    group.bench_function("adam_zip_baseline", |bench| {
        bench.iter(|| zip.step(black_box(&mut p), &grad))
    });
    let mut opt = Sgd::new(1e-3).unwrap();
    group.bench_function("sgd", |bench| {
        bench.iter(|| opt.step(black_box(&mut p), &grad).unwrap())
    });
    for (name, nesterov) in [("sgd_momentum", false), ("sgd_nesterov", true)] {
        let mut opt = Sgd::with_config(SgdConfig {
            lr: 1e-3,
            momentum: 0.9,
            nesterov,
            ..SgdConfig::default()
        })
        .unwrap();
        group.bench_function(name, |bench| {
            bench.iter(|| opt.step(black_box(&mut p), &grad).unwrap())
        });
    }
    group.finish();
}

/// Alternating blocks of 20 steps of each; the ratio of medians and the fastest blocks.
fn interleaved_ratio(rounds: usize) {
    let grad = model(1.3);
    let mut p = model(0.0);
    let mut adam = Adam::new(1e-3).unwrap();
    let mut zip = ZipAdam::new(&p);
    let (mut fast, mut base) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..20 {
            adam.step(black_box(&mut p), &grad).unwrap();
        }
        fast.push(t.elapsed().as_secs_f64() / 20.0);
        let t = Instant::now();
        for _ in 0..20 {
            zip.step(black_box(&mut p), &grad);
        }
        base.push(t.elapsed().as_secs_f64() / 20.0);
    }
    let (mf, mb) = (
        interleaved::median(&mut fast),
        interleaved::median(&mut base),
    );
    println!(
        "Adam step, 1.1 M f32 parameters, {rounds} interleaved blocks of 20: cadena {:.3} ms, \
         Zip baseline {:.3} ms (medians) -> {:.2}x faster; fastest blocks {:.3} vs {:.3} ms",
        mf * 1e3,
        mb * 1e3,
        mb / mf,
        fast[0] * 1e3,
        base[0] * 1e3,
    );
}

criterion_group!(benches, one_step);

fn main() {
    benches();
    interleaved_ratio(15);
    Criterion::default().configure_from_args().final_summary();
}
