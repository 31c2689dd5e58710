//! Does a loop cost anything? The course's 3-layer MLP written with a `for` loop over a
//! stack of layers, against the same network unrolled by hand into one function; and how
//! much memory a backward pass through a loop keeps.
//!
//! ```text
//! cargo bench --bench loops
//! ```
//!
//! Workload as `benches/mlp.rs`: batch 256, 40 → 128 tanh → 64 tanh → 10 logits, mean
//! softmax cross-entropy, f32, one thread; and a 50-step Elman network (batch 32,
//! 20 features, 64 hidden units, tanh), the shape of the audio case study's clips.
//! Prints the looped/unrolled ratio of interleaved medians (A B A B …, so both see the
//! same load), and the peak heap bytes one `grad` call allocates (a counting global
//! allocator) beside the minimum a backward pass must keep: the activations.

#[path = "common/counting.rs"]
mod counting;
#[path = "common/interleaved.rs"]
mod interleaved;

use std::hint::black_box;
use std::time::Instant;

use cadena::ndarray::{Array1, Array2, Array3, ArrayView2, ArrayView3, Axis};
use cadena::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

#[global_allocator]
static ALLOC: counting::Counting = counting::Counting;

#[derive(Parameters, Clone)]
pub struct Layer {
    pub w: Array2<f32>,
    pub b: Array1<f32>,
}

#[derive(Parameters, Clone)]
pub struct Deep {
    pub layers: Vec<Layer>,
    pub out: Layer,
}

#[differentiable(wrt(p))]
pub fn looped(p: &Deep, x: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    let mut h = x.to_owned();
    for l in &p.layers {
        h = tanh(h.dot(&l.w) + &l.b);
    }
    softmax_cross_entropy(h.dot(&p.out.w) + &p.out.b, y)
}

#[differentiable(wrt(p))]
pub fn unrolled(p: &Deep, x: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    let h1 = tanh(x.dot(&p.layers[0].w) + &p.layers[0].b);
    let h2 = tanh(h1.dot(&p.layers[1].w) + &p.layers[1].b);
    softmax_cross_entropy(h2.dot(&p.out.w) + &p.out.b, y)
}

#[derive(Parameters, Clone)]
pub struct Rnn {
    pub wx: Array2<f32>,
    pub wh: Array2<f32>,
    pub b: Array1<f32>,
    pub out: Layer,
}

#[differentiable(wrt(p))]
pub fn rnn(p: &Rnn, x: ArrayView3<f32>, h0: ArrayView2<f32>, y: &[usize]) -> f32 {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        h = tanh(xt.dot(&p.wx) + h.dot(&p.wh) + &p.b);
    }
    softmax_cross_entropy(h.dot(&p.out.w) + &p.out.b, y)
}

fn matrix(rng: &mut StdRng, r: usize, c: usize, s: f32) -> Array2<f32> {
    Array2::from_shape_fn((r, c), |_| rng.random_range(-s..s))
}

fn layer(rng: &mut StdRng, i: usize, o: usize, s: f32) -> Layer {
    Layer {
        w: matrix(rng, i, o, s),
        b: Array1::from_elem(o, 0.01),
    }
}

/// Median seconds per call of `a` and `b`, timed in alternating blocks.
fn interleaved_medians(mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    const ROUNDS: usize = 41;
    const CALLS: usize = 100;
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for _ in 0..CALLS {
            a();
        }
        ta.push(start.elapsed().as_secs_f64() / CALLS as f64);
        let start = Instant::now();
        for _ in 0..CALLS {
            b();
        }
        tb.push(start.elapsed().as_secs_f64() / CALLS as f64);
    }
    (interleaved::median(&mut ta), interleaved::median(&mut tb))
}

fn main() {
    let mut rng = StdRng::seed_from_u64(42);
    let p = Deep {
        layers: vec![
            layer(&mut rng, 40, 128, 0.2),
            layer(&mut rng, 128, 64, 0.15),
        ],
        out: layer(&mut rng, 64, 10, 0.2),
    };
    let x = matrix(&mut rng, 256, 40, 1.0);
    let mut y = Array2::zeros((256, 10));
    for i in 0..256 {
        y[[i, (i * 7) % 10]] = 1.0;
    }
    let (lo, lu) = (
        looped::grad(&p, x.view(), y.view()).0,
        unrolled::grad(&p, x.view(), y.view()).0,
    );
    assert_eq!(lo, lu, "the two spellings compute the same loss");

    println!("3-layer MLP (batch 256, 40-128-64-10, f32), one thread:");
    // Warm-up: the first calls pay for page faults and cold caches.
    for _ in 0..300 {
        black_box(looped::grad(&p, x.view(), y.view()));
        black_box(unrolled::grad(&p, x.view(), y.view()));
    }
    for round in 1..=6 {
        let (t_loop, t_unrolled) = interleaved_medians(
            || drop(black_box(looped::grad(black_box(&p), x.view(), y.view()))),
            || drop(black_box(unrolled::grad(black_box(&p), x.view(), y.view()))),
        );
        println!(
            "  round {round}: looped {:.1} µs, unrolled {:.1} µs, looped/unrolled = {:.3}",
            t_loop * 1e6,
            t_unrolled * 1e6,
            t_loop / t_unrolled
        );
    }
    let heap_loop = counting::peak_bytes(|| drop(black_box(looped::grad(&p, x.view(), y.view()))));
    let heap_unrolled =
        counting::peak_bytes(|| drop(black_box(unrolled::grad(&p, x.view(), y.view()))));
    let activations = 256 * (128 + 64) * 4;
    println!(
        "  peak heap per grad: looped {heap_loop} B, unrolled {heap_unrolled} B; the hidden activations alone are {activations} B"
    );

    let (batch, steps, features, hidden) = (32, 50, 20, 64);
    let cell = Rnn {
        wx: matrix(&mut rng, features, hidden, 0.2),
        wh: matrix(&mut rng, hidden, hidden, 0.1),
        b: Array1::from_elem(hidden, 0.0),
        out: layer(&mut rng, hidden, 4, 0.2),
    };
    let xs = Array3::from_shape_fn((batch, steps, features), |_| rng.random_range(-1.0..1.0));
    let h0 = Array2::zeros((batch, hidden));
    let labels: Vec<usize> = (0..batch).map(|i| i % 4).collect();
    let heap_rnn =
        counting::peak_bytes(|| drop(black_box(rnn::grad(&cell, xs.view(), h0.view(), &labels))));
    let heap_forward = counting::peak_bytes(|| {
        black_box(rnn(&cell, xs.view(), h0.view(), &labels));
    });
    let states = steps * batch * hidden * 4;
    let (t_grad, t_forward) = interleaved_medians(
        || {
            drop(black_box(rnn::grad(
                black_box(&cell),
                xs.view(),
                h0.view(),
                &labels,
            )))
        },
        || {
            black_box(rnn(black_box(&cell), xs.view(), h0.view(), &labels));
        },
    );
    println!("{steps}-step Elman RNN (batch {batch}, {features} features, {hidden} hidden, f32):");
    println!(
        "  grad {:.1} µs, forward {:.1} µs ({:.2}×); peak heap per grad {heap_rnn} B, per forward {heap_forward} B; the hidden states alone are {states} B",
        t_grad * 1e6,
        t_forward * 1e6,
        t_grad / t_forward
    );
}
