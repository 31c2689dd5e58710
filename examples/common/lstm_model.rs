//! The network of `audio_lstm`: an LSTM over each clip's MFCC frames, written as in the
//! textbook — `h` and `c` carried by the loop side by side, four gates — with the frames
//! pipeline of `audio_rnn` (`rnn_model.rs`).

use cadena::init::Init;
use cadena::ndarray::{Array1, Array2, ArrayView2, ArrayView3, Axis, s};
use cadena::prelude::*;
use rand::rngs::StdRng;

/// Units of each state, `h` and `c`. The frames, learning rate and decay are `audio_rnn`'s
/// (chosen on the training kits by `audio_rnn_tune`); this size was not tuned.
pub const HIDDEN: usize = 64;

/// An LSTM cell's weights, the four gates (input, forget, cell, output) side by side, and
/// the output layer reading the last `h`.
#[derive(Parameters, Clone)]
pub struct Lstm {
    pub wx: Array2<f32>,
    pub wh: Array2<f32>,
    pub b: Array1<f32>,
    pub wo: Array2<f32>,
    pub bo: Array1<f32>,
}

impl Lstm {
    /// A network for frames of `inputs` numbers, states of `hidden` units and `classes`
    /// classes, Xavier-initialised, the forget gate's bias at 1 (Jozefowicz et al., 2015:
    /// the cell remembers by default at the start of training).
    pub fn new(inputs: usize, hidden: usize, classes: usize, rng: &mut StdRng) -> Lstm {
        let mut b = Array1::zeros(4 * hidden);
        b.slice_mut(s![hidden..2 * hidden]).fill(1.0);
        Lstm {
            wx: Init::XavierUniform.array2(inputs, 4 * hidden, rng),
            wh: Init::XavierUniform.array2(hidden, 4 * hidden, rng),
            b,
            wo: Init::XavierUniform.array2(hidden, classes, rng),
            bo: Array1::zeros(classes),
        }
    }

    fn hidden(&self) -> usize {
        self.wh.nrows()
    }
}

/// The logits of each sequence of `x` (batch × time × coefficients), from the states
/// `h0` = `c0` (batch × `n`, zeros).
#[differentiable(wrt(p))]
pub fn forward(p: &Lstm, x: ArrayView3<f32>, h0: ArrayView2<f32>, n: usize) -> Array2<f32> {
    let mut h = h0.to_owned();
    let mut c = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        let z = xt.dot(&p.wx) + h.dot(&p.wh) + &p.b;
        let i = sigmoid(z.slice(s![.., 0..n]));
        let f = sigmoid(z.slice(s![.., n..2 * n]));
        let g = tanh(z.slice(s![.., 2 * n..3 * n]));
        let o = sigmoid(z.slice(s![.., 3 * n..4 * n]));
        c = f * &c + i * g;
        h = o * tanh(&c);
    }
    h.dot(&p.wo) + &p.bo
}

/// Mean softmax cross-entropy of the logits against one-hot labels (`forward` inlined,
/// so the softmax and the cross-entropy fuse into `p - y`).
#[differentiable(wrt(p))]
pub fn loss(
    p: &Lstm,
    x: ArrayView3<f32>,
    h0: ArrayView2<f32>,
    y: ArrayView2<f32>,
    n: usize,
) -> f32 {
    softmax_cross_entropy(forward(p, x, h0, n), y)
}

/// Row-major rows of time-major frames as batch × time × coefficients (a view), and the
/// zero state every sequence starts from.
fn sequences<'a>(p: &Lstm, rows: ArrayView2<'a, f32>) -> (ArrayView3<'a, f32>, Array2<f32>) {
    let (n, cols) = rows.dim();
    let coefficients = p.wx.nrows();
    let seq = rows
        .into_shape_with_order((n, cols / coefficients, coefficients))
        .expect("row-major rows of whole frames");
    (seq, Array2::zeros((n, p.hidden())))
}

/// The logits of each row of `x`, a data set's time-major frames.
pub fn predict(p: &Lstm, x: ArrayView2<f32>) -> Array2<f32> {
    let rows = x.as_standard_layout();
    let (seq, h0) = sequences(p, rows.view());
    forward(p, seq, h0.view(), p.hidden())
}

/// Loss and gradient for a batch of rows, as `cadena::train::fit` hands them.
pub fn loss_grad(p: &Lstm, x: ArrayView2<f32>, y: ArrayView2<f32>) -> (f32, Lstm) {
    let rows = x.as_standard_layout();
    let (seq, h0) = sequences(p, rows.view());
    let (l, g) = loss::grad(p, seq, h0.view(), y, p.hidden());
    (l, g.p)
}
