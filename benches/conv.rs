//! `conv1d` and `conv2d`, forward and backward, at an audio CNN's shapes, one thread, f32:
//! cadena's side of the comparison with PyTorch (`benches/torch_conv.py`) and JAX
//! (`benches/jax_conv.py`), which time the same cases and print the same table.
//!
//! Cases (stride 1, padding 1, 3-tap kernels, PyTorch layouts):
//!
//! - `conv2d-l1`: x 32 × 1 × 64 × 64 (a batch of log-mel patches), w 16 × 1 × 3 × 3;
//! - `conv2d-l2`: x 32 × 16 × 32 × 32 (after a 2 × 2 max-pool), w 32 × 16 × 3 × 3;
//! - `conv1d`: x 32 × 16 × 64, w 32 × 16 × 3.
//!
//! Measures, each a median (and the fastest) of timed calls in ms:
//!
//! - `forward`: the runtime kernel `cadena::ops::tensor::conv2d` (or `conv1d`) called
//!   directly;
//! - `vjp_x`, `vjp_w`, `vjp_b`: each VJP kernel alone, given a random upstream gradient
//!   `g` of the output's shape;
//! - `backward`: the three VJP kernels, one after the other;
//! - `fwd+bwd`: the forward kernel and the three VJP kernels (what a training step asks
//!   of one layer, input gradient included), called directly;
//! - `loss-grad`: what users get, `loss::grad` of a `#[differentiable(wrt(x, w, b))]`
//!   loss `sum(conv2d(x, w, b, (1, 1), (1, 1)) * g)` (the forward, the product with `g`
//!   and its sum, then the three VJPs as the macro generates them).
//!
//! Every result goes back to the buffer pool (`pool::recycle`) as a training step's do, so
//! the kernels' warm calls take their buffers from it. The measures of all cases are timed
//! in alternation, one call of each per round (`WARMUP` untimed rounds, then `ROUNDS`, or
//! `CONV_ROUNDS` if set), so load drifting on a shared machine reaches all of them alike;
//! each call therefore starts with caches holding another measure's data, as a layer's
//! does in a network (a measure repeated alone can run faster: `CONV_ONLY=conv2d-l1/fwd`
//! keeps the measures whose `case/measure` contains the text, e.g. for a profiler). The
//! Python scripts time the same way. The global rayon pool is built with one thread.
//!
//! Before the table, each case prints checksums (sums of the output and of each gradient,
//! for `g` of ones, on fixed inputs given by the same formula as in the Python scripts)
//! and the gradients' shapes, so the three implementations can be seen to agree;
//! `--derivation` prints the two losses' `DERIVATION`s.
//!
//! ```text
//! taskset -c 1 cargo bench --bench conv
//! python3 benches/conv_table.py      # this, torch_conv.py and jax_conv.py: ratio table
//! ```

#[path = "common/interleaved.rs"]
mod interleaved;

use std::hint::black_box;
use std::time::Instant;

use cadena::init::seeded;
use cadena::ndarray::{Array, Array1, Array3, Array4, Dimension, IntoDimension};
use cadena::ops::tensor::{self as t, pool};
use cadena::prelude::*;
use rand::RngExt;

const WARMUP: usize = 5;
/// Timed rounds, unless `CONV_ROUNDS` says otherwise (a smoke run: `CONV_ROUNDS=3`).
const ROUNDS: usize = 101;

#[differentiable(wrt(x, w, b))]
fn conv2d_loss(x: &Array4<f32>, w: &Array4<f32>, b: &Array1<f32>, g: &Array4<f32>) -> f32 {
    sum(conv2d(x, w, b, (1, 1), (1, 1)) * g)
}

#[differentiable(wrt(x, w, b))]
fn conv1d_loss(x: &Array3<f32>, w: &Array3<f32>, b: &Array1<f32>, g: &Array3<f32>) -> f32 {
    sum(conv1d(x, w, b, 1, 1) * g)
}

/// Uniform in [-1, 1), from `rng`.
fn random<D: Dimension>(
    shape: impl IntoDimension<Dim = D>,
    rng: &mut rand::rngs::StdRng,
) -> Array<f32, D> {
    Array::from_shape_simple_fn(shape, || rng.random::<f32>() * 2.0 - 1.0)
}

/// The scripts' fixed inputs: `((7·i mod m) - h) / h` at each flat (row-major) index `i`,
/// `h = m / 2` (integer division), exact in f32 however it is computed.
fn fixed<D: Dimension>(shape: impl IntoDimension<Dim = D>, m: usize) -> Array<f32, D> {
    let h = (m / 2) as f32;
    let mut a = Array::zeros(shape);
    for (i, v) in a.iter_mut().enumerate() {
        *v = ((7 * i % m) as f32 - h) / h;
    }
    a
}

/// The inputs of one case: x, w, b and an upstream gradient of the output's shape.
struct Case<D: Dimension> {
    x: Array<f32, D>,
    w: Array<f32, D>,
    b: Array1<f32>,
    g: Array<f32, D>,
}

/// A timed measure: its case, its name and the closure one call of it runs.
type Measure<'a> = (&'static str, &'static str, Box<dyn FnMut() + 'a>);

fn conv2d_measures<'a>(name: &'static str, c: &'a Case<cadena::ndarray::Ix4>) -> Vec<Measure<'a>> {
    let (s, p) = ((1, 1), (1, 1));
    let Case { x, w, b, g } = c;
    vec![
        (
            name,
            "forward",
            Box::new(move || pool::recycle(t::conv2d(x, w, b, s, p))),
        ),
        (
            name,
            "vjp_x",
            Box::new(move || pool::recycle(t::conv2d_vjp_x(g, w, x, s, p))),
        ),
        (
            name,
            "vjp_w",
            Box::new(move || pool::recycle(t::conv2d_vjp_w(g, x, w, s, p))),
        ),
        (
            name,
            "vjp_b",
            Box::new(move || pool::recycle(t::conv2d_vjp_b(g, b))),
        ),
        (
            name,
            "backward",
            Box::new(move || {
                pool::recycle(t::conv2d_vjp_x(g, w, x, s, p));
                pool::recycle(t::conv2d_vjp_w(g, x, w, s, p));
                pool::recycle(t::conv2d_vjp_b(g, b));
            }),
        ),
        (
            name,
            "fwd+bwd",
            Box::new(move || {
                pool::recycle(t::conv2d(x, w, b, s, p));
                pool::recycle(t::conv2d_vjp_x(g, w, x, s, p));
                pool::recycle(t::conv2d_vjp_w(g, x, w, s, p));
                pool::recycle(t::conv2d_vjp_b(g, b));
            }),
        ),
        (
            name,
            "loss-grad",
            Box::new(move || {
                let (l, grad) = conv2d_loss::grad(x, w, b, g);
                black_box(l);
                pool::recycle(grad.x);
                pool::recycle(grad.w);
                pool::recycle(grad.b);
            }),
        ),
    ]
}

fn conv1d_measures<'a>(name: &'static str, c: &'a Case<cadena::ndarray::Ix3>) -> Vec<Measure<'a>> {
    let Case { x, w, b, g } = c;
    vec![
        (
            name,
            "forward",
            Box::new(move || pool::recycle(t::conv1d(x, w, b, 1, 1))),
        ),
        (
            name,
            "vjp_x",
            Box::new(move || pool::recycle(t::conv1d_vjp_x(g, w, x, 1, 1))),
        ),
        (
            name,
            "vjp_w",
            Box::new(move || pool::recycle(t::conv1d_vjp_w(g, x, w, 1, 1))),
        ),
        (
            name,
            "vjp_b",
            Box::new(move || pool::recycle(t::conv1d_vjp_b(g, b))),
        ),
        (
            name,
            "backward",
            Box::new(move || {
                pool::recycle(t::conv1d_vjp_x(g, w, x, 1, 1));
                pool::recycle(t::conv1d_vjp_w(g, x, w, 1, 1));
                pool::recycle(t::conv1d_vjp_b(g, b));
            }),
        ),
        (
            name,
            "fwd+bwd",
            Box::new(move || {
                pool::recycle(t::conv1d(x, w, b, 1, 1));
                pool::recycle(t::conv1d_vjp_x(g, w, x, 1, 1));
                pool::recycle(t::conv1d_vjp_w(g, x, w, 1, 1));
                pool::recycle(t::conv1d_vjp_b(g, b));
            }),
        ),
        (
            name,
            "loss-grad",
            Box::new(move || {
                let (l, grad) = conv1d_loss::grad(x, w, b, g);
                black_box(l);
                pool::recycle(grad.x);
                pool::recycle(grad.w);
                pool::recycle(grad.b);
            }),
        ),
    ]
}

/// Sum in f64, so that the checksums do not depend on the order of a long f32 sum.
fn total<D: Dimension>(a: &Array<f32, D>) -> f64 {
    a.iter().map(|&v| f64::from(v)).sum()
}

/// Sums (in f64) of the output and of each gradient for `g` of ones, on the scripts'
/// fixed inputs, through the `#[differentiable]` losses (whose value is the output's sum).
fn checksums() {
    println!("checksums (fixed inputs, g = ones): sum(y) sum(dx) sum(dw) sum(db), gradient shapes");
    let line = |name: &str, y: f64, d: [f64; 3], shapes: [&[usize]; 3]| {
        println!(
            "  {name:10} {:.6e} {:.6e} {:.6e} {:.6e}  dx {:?} dw {:?} db {:?}",
            y, d[0], d[1], d[2], shapes[0], shapes[1], shapes[2]
        );
    };
    for (name, xs, ws) in [
        ("conv2d-l1", (32, 1, 64, 64), (16, 1, 3, 3)),
        ("conv2d-l2", (32, 16, 32, 32), (32, 16, 3, 3)),
    ] {
        let (x, w, b) = (fixed(xs, 97), fixed(ws, 13), fixed(ws.0, 5));
        let g = Array4::ones((xs.0, ws.0, xs.2, xs.3));
        let y = total(&t::conv2d(&x, &w, &b, (1, 1), (1, 1)));
        let (_, d) = conv2d_loss::grad(&x, &w, &b, &g);
        let sums = [total(&d.x), total(&d.w), total(&d.b)];
        line(name, y, sums, [d.x.shape(), d.w.shape(), d.b.shape()]);
    }
    let (xs, ws) = ((32, 16, 64), (32, 16, 3));
    let (x, w, b) = (fixed(xs, 97), fixed(ws, 13), fixed(ws.0, 5));
    let g = Array3::ones((xs.0, ws.0, xs.2));
    let y = total(&t::conv1d(&x, &w, &b, 1, 1));
    let (_, d) = conv1d_loss::grad(&x, &w, &b, &g);
    let sums = [total(&d.x), total(&d.w), total(&d.b)];
    line("conv1d", y, sums, [d.x.shape(), d.w.shape(), d.b.shape()]);
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if std::env::args().any(|a| a == "--derivation") {
        println!("{}\n\n{}", conv2d_loss::DERIVATION, conv1d_loss::DERIVATION);
        return;
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("the global rayon pool is built once, here");
    println!(
        "cadena {}, f32, {} rayon thread",
        env!("CARGO_PKG_VERSION"),
        rayon::current_num_threads()
    );
    checksums();

    let mut rng = seeded(10);
    let mut case4 = |xs: (usize, usize, usize, usize), ws: (usize, usize, usize, usize)| Case {
        x: random(xs, &mut rng),
        w: random(ws, &mut rng),
        b: random(ws.0, &mut rng),
        g: random((xs.0, ws.0, xs.2, xs.3), &mut rng),
    };
    let l1 = case4((32, 1, 64, 64), (16, 1, 3, 3));
    let l2 = case4((32, 16, 32, 32), (32, 16, 3, 3));
    let c1 = Case {
        x: random((32, 16, 64), &mut rng),
        w: random((32, 16, 3), &mut rng),
        b: random(32, &mut rng),
        g: random((32, 32, 64), &mut rng),
    };

    let mut measures = conv2d_measures("conv2d-l1", &l1);
    measures.extend(conv2d_measures("conv2d-l2", &l2));
    measures.extend(conv1d_measures("conv1d", &c1));
    if let Ok(only) = std::env::var("CONV_ONLY") {
        measures.retain(|(case, measure, _)| format!("{case}/{measure}").contains(&only));
    }
    let rounds = std::env::var("CONV_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(ROUNDS);
    let mut times = vec![Vec::with_capacity(rounds); measures.len()];
    for round in 0..WARMUP + rounds {
        for ((_, _, f), times) in measures.iter_mut().zip(&mut times) {
            let start = Instant::now();
            f();
            if round >= WARMUP {
                times.push(1e3 * start.elapsed().as_secs_f64());
            }
        }
    }

    println!(
        "cadena, f32, {} rayon thread, {rounds} interleaved rounds after {WARMUP}",
        rayon::current_num_threads()
    );
    println!(
        "{:10} {:10} {:>10} {:>10}",
        "case", "measure", "median ms", "best ms"
    );
    for ((case, measure, _), times) in measures.iter().zip(&mut times) {
        let median = interleaved::median(times);
        println!("{case:10} {measure:10} {median:10.3} {:10.3}", times[0]);
    }
}
