//! Is the generated gradient of an MLP as fast as a careful hand-written one?
//!
//! ```text
//! cargo bench --bench mlp
//! ```
//!
//! Workload: batch 256, 40 → 128 tanh → 64 tanh → 10 logits, mean softmax cross-entropy,
//! forward and backward of every weight and bias, f32, one thread. Contenders, same data:
//!
//! - `generated`: `loss::grad` from `#[differentiable]`;
//! - `hand-written`: ndarray with preallocated buffers, `general_mat_mul` into them, and
//!   the same vectorisable tanh (`cadena::ops::tensor::fast::tanh_inplace`, which like
//!   the generated code's fused maps runs with AVX2 where the CPU has it), derived by hand
//!   below;
//! - `naive`: ndarray operators with allocation per step and libm tanh, as a first attempt
//!   would write it.
//!
//! After the groups it prints the generated/hand-written ratio from interleaved blocks of
//! calls (robust to load drifting between criterion's groups), each contender's criterion
//! time relative to the hand-written one, and the peak heap bytes one call allocates (a
//! counting global allocator). The JAX side of the comparison is `benches/jax_mlp.py`.

#[path = "common/counting.rs"]
mod counting;
#[path = "common/estimates.rs"]
mod estimates;
#[path = "common/interleaved.rs"]
mod interleaved;

use std::hint::black_box;
use std::time::Instant;

use cadena::ndarray::linalg::general_mat_mul;
use cadena::ndarray::{Array1, Array2, Axis, Zip};
use cadena::ops::tensor::fast;
use cadena::prelude::*;
use criterion::{BenchmarkId, Criterion};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

#[global_allocator]
static ALLOC: counting::Counting = counting::Counting;

#[derive(Parameters, Clone)]
pub struct Mlp {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array2<f32>,
    pub b2: Array1<f32>,
    pub w3: Array2<f32>,
    pub b3: Array1<f32>,
}

#[differentiable(wrt(p))]
pub fn loss(p: &Mlp, x: &Array2<f32>, y: &Array2<f32>) -> f32 {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    let a2 = tanh(a1.dot(&p.w2) + &p.b2);
    let z3 = a2.dot(&p.w3) + &p.b3;
    softmax_cross_entropy(z3, y)
}

/// The same network split as users write it: a forward pass they call to predict...
#[differentiable]
pub fn logits(p: &Mlp, x: &Array2<f32>) -> Array2<f32> {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    let a2 = tanh(a1.dot(&p.w2) + &p.b2);
    a2.dot(&p.w3) + &p.b3
}

/// ... and a loss that calls it (inlined by the macro).
#[differentiable(wrt(p))]
pub fn split_loss(p: &Mlp, x: &Array2<f32>, y: &Array2<f32>) -> f32 {
    softmax_cross_entropy(logits(p, x), y)
}

/// `split_loss::grad` against `loss::grad`, interleaved: does the call cost anything?
fn split_ratio(p: &Mlp, x: &Array2<f32>, y: &Array2<f32>) {
    const ROUNDS: usize = 41;
    const CALLS: usize = 100;
    let (mut split, mut whole) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for _ in 0..CALLS {
            black_box(split_loss::grad(black_box(p), black_box(x), black_box(y)));
        }
        split.push(start.elapsed().as_secs_f64() / CALLS as f64);
        let start = Instant::now();
        for _ in 0..CALLS {
            black_box(loss::grad(black_box(p), black_box(x), black_box(y)));
        }
        whole.push(start.elapsed().as_secs_f64() / CALLS as f64);
    }
    let (s, w) = (
        interleaved::median(&mut split),
        interleaved::median(&mut whole),
    );
    println!(
        "split MLP (loss calling logits) vs one function, interleaved medians: {:.1} vs {:.1} µs, split/whole = {:.3}",
        s * 1e6,
        w * 1e6,
        s / w
    );
}

/// Activations and adjoints of the hand-written version, allocated once.
struct Buffers {
    a1: Array2<f32>,
    a2: Array2<f32>,
    z3: Array2<f32>,
    d2: Array2<f32>,
    d1: Array2<f32>,
}

impl Buffers {
    fn new(n: usize) -> Buffers {
        Buffers {
            a1: Array2::zeros((n, 128)),
            a2: Array2::zeros((n, 64)),
            z3: Array2::zeros((n, 10)),
            d2: Array2::zeros((n, 64)),
            d1: Array2::zeros((n, 128)),
        }
    }
}

fn dense_tanh(x: &Array2<f32>, w: &Array2<f32>, b: &Array1<f32>, out: &mut Array2<f32>) {
    general_mat_mul(1.0, x, w, 0.0, out);
    for mut row in out.rows_mut() {
        Zip::from(&mut row).and(b).for_each(|v, &b| *v += b);
    }
    // cadena's public in-place kernel: runs with AVX2 where the CPU has it, as the
    // generated code's fused maps do.
    fast::tanh_inplace(out.as_slice_mut().expect("preallocated row-major"));
}

/// The gradient derived by hand: softmax cross-entropy gives (p - y)/n, tanh' = 1 - a².
fn hand_written(p: &Mlp, x: &Array2<f32>, y: &Array2<f32>, buf: &mut Buffers, g: &mut Mlp) -> f32 {
    let n = x.nrows() as f32;
    dense_tanh(x, &p.w1, &p.b1, &mut buf.a1);
    dense_tanh(&buf.a1, &p.w2, &p.b2, &mut buf.a2);
    general_mat_mul(1.0, &buf.a2, &p.w3, 0.0, &mut buf.z3);
    let mut loss = 0.0;
    // z3 becomes dL/dz3 = (softmax(z3) - y) / n, row by row.
    for (mut z, yr) in buf.z3.rows_mut().into_iter().zip(y.rows()) {
        Zip::from(&mut z).and(&p.b3).for_each(|v, &b| *v += b);
        let m = z.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let mut s = 0.0;
        z.mapv_inplace(|v| {
            let e = fast::exp(v - m);
            s += e;
            e
        });
        let lse = m + s.ln();
        Zip::from(&mut z).and(&yr).for_each(|v, &t| {
            let p = *v / s;
            if t != 0.0 {
                loss += t * (lse - (p * s).ln() - m);
            }
            *v = (p - t) / n;
        });
    }
    general_mat_mul(1.0, &buf.a2.t(), &buf.z3, 0.0, &mut g.w3);
    g.b3 = buf.z3.sum_axis(Axis(0));
    general_mat_mul(1.0, &buf.z3, &p.w3.t(), 0.0, &mut buf.d2);
    Zip::from(&mut buf.d2)
        .and(&buf.a2)
        .for_each(|d, &a| *d *= (1.0 - a) * (1.0 + a));
    general_mat_mul(1.0, &buf.a1.t(), &buf.d2, 0.0, &mut g.w2);
    g.b2 = buf.d2.sum_axis(Axis(0));
    general_mat_mul(1.0, &buf.d2, &p.w2.t(), 0.0, &mut buf.d1);
    Zip::from(&mut buf.d1)
        .and(&buf.a1)
        .for_each(|d, &a| *d *= (1.0 - a) * (1.0 + a));
    general_mat_mul(1.0, &x.t(), &buf.d1, 0.0, &mut g.w1);
    g.b1 = buf.d1.sum_axis(Axis(0));
    loss / n
}

/// What a first attempt looks like: operators that allocate, libm tanh.
fn naive(p: &Mlp, x: &Array2<f32>, y: &Array2<f32>) -> (f32, Mlp) {
    let n = x.nrows() as f32;
    let a1 = (x.dot(&p.w1) + &p.b1).mapv(f32::tanh);
    let a2 = (a1.dot(&p.w2) + &p.b2).mapv(f32::tanh);
    let z3 = a2.dot(&p.w3) + &p.b3;
    let m = z3.map_axis(Axis(1), |r| r.fold(f32::NEG_INFINITY, |m, &v| m.max(v)));
    let e = (&z3 - &m.insert_axis(Axis(1))).mapv(f32::exp);
    let s = e.sum_axis(Axis(1)).insert_axis(Axis(1));
    let prob = &e / &s;
    let loss = -(y * &prob.mapv(f32::ln)).sum() / n;
    let dz3 = (&prob - y) / n;
    let da2 = dz3.dot(&p.w3.t()) * a2.mapv(|a| 1.0 - a * a);
    let da1 = da2.dot(&p.w2.t()) * a1.mapv(|a| 1.0 - a * a);
    let g = Mlp {
        w1: x.t().dot(&da1),
        b1: da1.sum_axis(Axis(0)),
        w2: a1.t().dot(&da2),
        b2: da2.sum_axis(Axis(0)),
        w3: a2.t().dot(&dz3),
        b3: dz3.sum_axis(Axis(0)),
    };
    (loss, g)
}

fn setup() -> (Mlp, Array2<f32>, Array2<f32>) {
    let mut rng = StdRng::seed_from_u64(42);
    let mut m =
        |r: usize, c: usize, s: f32| Array2::from_shape_fn((r, c), |_| rng.random_range(-s..s));
    let p = Mlp {
        w1: m(40, 128, 0.2),
        b1: Array1::from_elem(128, 0.01),
        w2: m(128, 64, 0.15),
        b2: Array1::from_elem(64, 0.01),
        w3: m(64, 10, 0.2),
        b3: Array1::from_elem(10, 0.0),
    };
    let x = m(256, 40, 1.0);
    let mut y = Array2::zeros((256, 10));
    for i in 0..256 {
        y[[i, (i * 7) % 10]] = 1.0;
    }
    (p, x, y)
}

/// Criterion runs contenders one after the other, and on a shared machine the load drifts
/// between them (the same build has measured 0.98× and 1.27×). Alternating blocks of calls
/// (A B A B ...) and comparing median block times puts both under the same load.
fn interleaved_ratio(p: &Mlp, x: &Array2<f32>, y: &Array2<f32>, buf: &mut Buffers, g: &mut Mlp) {
    const ROUNDS: usize = 41;
    const CALLS: usize = 100;
    let (mut generated, mut hand) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for _ in 0..CALLS {
            black_box(loss::grad(black_box(p), black_box(x), black_box(y)));
        }
        generated.push(start.elapsed().as_secs_f64() / CALLS as f64);
        let start = Instant::now();
        for _ in 0..CALLS {
            black_box(hand_written(
                black_box(p),
                black_box(x),
                black_box(y),
                buf,
                g,
            ));
        }
        hand.push(start.elapsed().as_secs_f64() / CALLS as f64);
    }
    let (gen_t, hand_t) = (
        interleaved::median(&mut generated),
        interleaved::median(&mut hand),
    );
    println!(
        "interleaved medians over {ROUNDS} rounds of {CALLS} calls: generated {:.1} µs, hand-written {:.1} µs, generated/hand-written = {:.3}",
        gen_t * 1e6,
        hand_t * 1e6,
        gen_t / hand_t
    );
    // The fastest block is the figure least disturbed by other work on the machine, and
    // the one to set beside `benches/jax_mlp.py`'s best (another process, another time).
    println!(
        "fastest block: generated {:.1} µs, hand-written {:.1} µs",
        generated[0] * 1e6,
        hand[0] * 1e6
    );
}

/// `calls` passes of `out = f(z + b)` (b broadcast over rows); seconds per pass. Generic,
/// so `f` inlines and the loop vectorises as it does in real code.
fn bias_act(
    out: &mut Array2<f32>,
    z: &Array2<f32>,
    b: &Array1<f32>,
    calls: usize,
    f: impl Fn(f32) -> f32,
) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        Zip::from(&mut *out)
            .and(z)
            .and_broadcast(b)
            .for_each(|o, &z, &b| *o = f(z + b));
        black_box(&*out);
    }
    start.elapsed().as_secs_f64() / calls as f64
}

/// The activation pass on its own: bias + tanh over a 256×128 pre-activation, with the
/// vectorised `fast::tanh` and with libm's `f32::tanh`, interleaved.
fn tanh_pass(x: &Array2<f32>, p: &Mlp) {
    const ROUNDS: usize = 41;
    const CALLS: usize = 200;
    let z = x.dot(&p.w1);
    let mut out = z.clone();
    let (mut fast_t, mut libm_t) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        fast_t.push(bias_act(&mut out, &z, &p.b1, CALLS, fast::tanh));
        libm_t.push(bias_act(&mut out, &z, &p.b1, CALLS, f32::tanh));
    }
    let (f, l) = (
        interleaved::median(&mut fast_t),
        interleaved::median(&mut libm_t),
    );
    println!(
        "bias + tanh over 256×128 (interleaved medians): fast::tanh {:.1} µs, libm tanh {:.1} µs ({:.1}× faster)",
        f * 1e6,
        l * 1e6,
        l / f
    );
}

fn main() {
    let (p, x, y) = setup();
    let mut buf = Buffers::new(256);
    let mut g = p.zeros_like();

    // The three contenders compute the same thing.
    let (l_gen, g_gen) = loss::grad(&p, &x, &y);
    let l_hand = hand_written(&p, &x, &y, &mut buf, &mut g);
    let (l_naive, g_naive) = naive(&p, &x, &y);
    assert!(
        (l_gen - l_hand).abs() < 1e-4 && (l_gen - l_naive).abs() < 1e-4,
        "{l_gen} {l_hand} {l_naive}"
    );
    for (a, b) in g_gen.p.w1.iter().zip(g_naive.w1.iter()) {
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("mlp");
    group.bench_function(BenchmarkId::new("grad", "generated"), |b| {
        b.iter(|| loss::grad(black_box(&p), black_box(&x), black_box(&y)))
    });
    group.bench_function(BenchmarkId::new("grad", "hand-written"), |b| {
        b.iter(|| {
            hand_written(
                black_box(&p),
                black_box(&x),
                black_box(&y),
                &mut buf,
                &mut g,
            )
        })
    });
    group.bench_function(BenchmarkId::new("grad", "naive"), |b| {
        b.iter(|| naive(black_box(&p), &x, &y))
    });
    group.finish();
    c.final_summary();

    let heap_generated = counting::peak_bytes(|| drop(black_box(loss::grad(&p, &x, &y))));
    let heap_naive = counting::peak_bytes(|| drop(black_box(naive(&p, &x, &y))));
    let heap_hand = counting::peak_bytes(|| {
        black_box(hand_written(&p, &x, &y, &mut buf, &mut g));
    });
    interleaved_ratio(&p, &x, &y, &mut buf, &mut g);
    split_ratio(&p, &x, &y);
    tanh_pass(&x, &p);
    let mean_ns = |id: &str| estimates::mean_ns(&format!("mlp/grad/{id}"));
    let hand = mean_ns("hand-written");
    println!("\ncontender      µs per grad   vs hand-written   peak heap per call");
    for (id, heap) in [
        ("generated", heap_generated),
        ("hand-written", heap_hand),
        ("naive", heap_naive),
    ] {
        if let (Some(t), Some(h)) = (mean_ns(id), hand) {
            println!(
                "{id:<13} {:>12.1} {:>16.3}× {:>17} KiB",
                t / 1e3,
                t / h,
                heap / 1024
            );
        }
    }
}
