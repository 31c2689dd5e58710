//! A stacked LSTM's gradient: ADBench's LSTM objective (Srajer, Kukelova and Fitzgibbon,
//! 2018; diagonal gate weights, 2 layers, a 1,024-character sequence of 14-wide one-hot
//! characters: `lstm_l2_c1024`), written layer by layer as in `tests/lstm.rs`, f64, one
//! thread. The JAX side is `benches/jax_lstm.py`, the same objective layer by layer with
//! `lax.scan` under `jit(value_and_grad)`.
//!
//! ```text
//! RAYON_NUM_THREADS=1 taskset -c 1 cargo bench --bench lstm
//! taskset -c 1 python3 benches/jax_lstm.py
//! ```
//!
//! Prints the median and fastest of repeated `grad` calls (and of the forward alone),
//! after a warm-up.

use std::hint::black_box;
use std::time::Instant;

use cadena::ndarray::{Array, Array2, Axis, ShapeBuilder, s};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct DiagonalCell {
    pub w: Array2<f64>,
    pub bias: Array2<f64>,
}

#[derive(Parameters, Clone)]
pub struct CharLstm {
    pub layers: Vec<DiagonalCell>,
    pub extra: Array2<f64>,
}

#[differentiable(wrt(p))]
fn objective(p: &CharLstm, state: &Array2<f64>, seq: &Array2<f64>, c: usize, b: usize) -> f64 {
    let mut x = &seq.slice(s![0..c - 1, ..]) * &p.extra.row(0);
    for (i, l) in p.layers.iter().enumerate() {
        let mut h = state.row(2 * i).to_owned();
        let mut cell = state.row(2 * i + 1).to_owned();
        let mut outs = Vec::new();
        for xt in x.axis_iter(Axis(0)) {
            let forget = sigmoid(&xt * &l.w.row(0) + &l.bias.row(0));
            let ingate = sigmoid(&h * &l.w.row(1) + &l.bias.row(1));
            let outgate = sigmoid(&xt * &l.w.row(2) + &l.bias.row(2));
            let change = tanh(&h * &l.w.row(3) + &l.bias.row(3));
            cell = &cell * &forget + ingate * change;
            h = outgate * tanh(&cell);
            outs.push(h.clone());
        }
        x = stack(Axis(0), &outs);
    }
    let ypred = &x * &p.extra.row(1) + &p.extra.row(2);
    let ynorm = &ypred - ln(exp(&ypred).sum_axis(Axis(1)) + 2.0).insert_axis(Axis(1));
    let gold = seq.slice(s![1..c, ..]);
    -sum(&gold * &ynorm) / ((c - 1) as f64 * b as f64)
}

const LAYERS: usize = 2;
const CHARS: usize = 1024;
const WIDTH: usize = 14;

struct Rng(u64);

impl Rng {
    fn array<Sh: ShapeBuilder>(&mut self, shape: Sh) -> Array<f64, Sh::Dim> {
        Array::from_shape_simple_fn(shape, || {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
    }
}

/// Median and fastest of `runs` calls, in milliseconds.
fn time(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..3 {
        f();
    }
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[t.len() / 2], t[0])
}

fn main() {
    let mut r = Rng(7);
    let p = CharLstm {
        layers: (0..LAYERS)
            .map(|_| DiagonalCell {
                w: r.array((4, WIDTH)),
                bias: r.array((4, WIDTH)),
            })
            .collect(),
        extra: r.array((3, WIDTH)),
    };
    let state = r.array((2 * LAYERS, WIDTH));
    // One-hot characters, as in the benchmark's text data.
    let mut seq = Array2::<f64>::zeros((CHARS, WIDTH));
    for (t, mut row) in seq.rows_mut().into_iter().enumerate() {
        row[(t * 7 + t / 3) % WIDTH] = 1.0;
    }
    let (value, _) = objective::grad(&p, &state, &seq, CHARS, WIDTH);
    println!("lstm_l{LAYERS}_c{CHARS} (width {WIDTH}, f64, one thread): objective {value:.6}");
    let (grad_median, grad_fastest) = time(30, || {
        black_box(objective::grad(black_box(&p), &state, &seq, CHARS, WIDTH));
    });
    let (fwd_median, fwd_fastest) = time(30, || {
        black_box(objective(black_box(&p), &state, &seq, CHARS, WIDTH));
    });
    println!("| cadena | median ms | fastest ms |");
    println!("|---|---|---|");
    println!("| objective + gradient | {grad_median:.3} | {grad_fastest:.3} |");
    println!("| objective alone | {fwd_median:.3} | {fwd_fastest:.3} |");
}
