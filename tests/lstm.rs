//! An LSTM cell run over a sequence, its two states `h` and `c` carried together in one
//! array (`concatenate!`) and sliced apart (`s![..]`) in each step, with a loss on the
//! last hidden state: checked against finite differences.

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::{Array, Array1, Array2, Array3, Axis, ShapeBuilder, concatenate, s};
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug)]
pub struct Lstm {
    /// Input to the four gates (input, forget, cell, output), side by side.
    pub wx: Array2<f64>,
    /// Hidden state to the four gates.
    pub wh: Array2<f64>,
    pub b: Array1<f64>,
    pub out: Array2<f64>,
}

#[differentiable(wrt(p))]
fn lstm_loss(p: &Lstm, x: &Array3<f64>, y: &Array2<f64>, n: usize) -> f64 {
    let start = x.index_axis(Axis(1), 0).dot(&p.wx).slice(s![.., 0..2 * n]) * 0.0;
    let mut hc = start;
    for xt in x.axis_iter(Axis(1)) {
        let h = hc.slice(s![.., 0..n]);
        let c = hc.slice(s![.., n..2 * n]);
        let z = xt.dot(&p.wx) + h.dot(&p.wh) + &p.b;
        let i = sigmoid(z.slice(s![.., 0..n]));
        let f = sigmoid(z.slice(s![.., n..2 * n]));
        let g = tanh(z.slice(s![.., 2 * n..3 * n]));
        let o = sigmoid(z.slice(s![.., 3 * n..4 * n]));
        let c2 = f * c + i * g;
        let h2 = o * tanh(&c2);
        hc = concatenate![Axis(1), h2, c2];
    }
    let h = hc.slice(s![.., 0..n]);
    softmax_cross_entropy(h.dot(&p.out), y)
}

struct Rng(u64);

impl Rng {
    fn array<Sh: ShapeBuilder>(&mut self, shape: Sh) -> Array<f64, Sh::Dim> {
        Array::from_shape_simple_fn(shape, || {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let u = (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64;
            u - 0.5
        })
    }
}

#[test]
fn an_lstm_carrying_h_and_c_in_one_array_matches_finite_differences() {
    let mut r = Rng(42);
    let (batch, steps, inputs, n, classes) = (3, 5, 4, 6, 3);
    let p = Lstm {
        wx: r.array((inputs, 4 * n)),
        wh: r.array((n, 4 * n)),
        b: r.array(4 * n),
        out: r.array((n, classes)),
    };
    let x = r.array((batch, steps, inputs));
    let y = cadena::ndarray::array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    let (value, g) = lstm_loss::grad(&p, &x, &y, n);
    assert!((value - lstm_loss(&p, &x, &y, n)).abs() < 1e-12);
    let tol = Tolerance {
        rtol: 1e-5,
        atol: 1e-8,
        ..Tolerance::default()
    };
    check_params(|p: &Lstm| lstm_loss(p, &x, &y, n), &p, &g.p, &tol).unwrap();
}
