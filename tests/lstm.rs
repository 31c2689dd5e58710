//! LSTMs over a sequence, checked against finite differences: as in the textbook (`h`
//! and `c` carried side by side, four gates, a loss summed over the steps beside them);
//! the pair re-assigned from a cell's tuple, `(h, c) = cell(..)`; and both states carried
//! in one array (`concatenate!`) sliced apart (`s![..]`) in each step. Their Hessians
//! times a direction (`hvp`) against central differences of their gradients.

mod common;

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::{Array1, Array2, Array3, ArrayView2, Axis, concatenate, s};
use cadena::prelude::*;
use common::Rng;

#[derive(Parameters, Clone, Debug)]
pub struct Lstm {
    /// Input to the four gates (input, forget, cell, output), side by side.
    pub wx: Array2<f64>,
    /// Hidden state to the four gates.
    pub wh: Array2<f64>,
    pub b: Array1<f64>,
    pub out: Array2<f64>,
}

#[differentiable(wrt(p), hvp)]
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

/// The textbook LSTM: `h` and `c` carried, and a per-step loss summed beside them.
#[differentiable(wrt(p), hvp)]
fn lstm_loss_textbook(
    p: &Lstm,
    x: &Array3<f64>,
    h0: &Array2<f64>,
    y: &Array2<f64>,
    n: usize,
) -> f64 {
    let mut h = h0.to_owned();
    let mut c = h0.to_owned();
    let mut loss = 0.0;
    for xt in x.axis_iter(Axis(1)) {
        let z = xt.dot(&p.wx) + h.dot(&p.wh) + &p.b;
        let i = sigmoid(z.slice(s![.., 0..n]));
        let f = sigmoid(z.slice(s![.., n..2 * n]));
        let g = tanh(z.slice(s![.., 2 * n..3 * n]));
        let o = sigmoid(z.slice(s![.., 3 * n..4 * n]));
        c = f * &c + i * g;
        h = o * tanh(&c);
        loss = loss + softmax_cross_entropy(h.dot(&p.out), y);
    }
    loss + 0.1 * (&h * &h).sum()
}

/// One step of the cell, returning the new pair.
#[differentiable(wrt(p))]
fn cell(
    p: &Lstm,
    xt: ArrayView2<f64>,
    h: &Array2<f64>,
    c: &Array2<f64>,
    n: usize,
) -> (Array2<f64>, Array2<f64>) {
    let z = xt.dot(&p.wx) + h.dot(&p.wh) + &p.b;
    let i = sigmoid(z.slice(s![.., 0..n]));
    let f = sigmoid(z.slice(s![.., n..2 * n]));
    let g = tanh(z.slice(s![.., 2 * n..3 * n]));
    let o = sigmoid(z.slice(s![.., 3 * n..4 * n]));
    let c2 = f * c + i * g;
    let h2 = o * tanh(&c2);
    (h2, c2)
}

/// The pair declared together and re-assigned from the helper's tuple.
#[differentiable(wrt(p), hvp)]
fn lstm_pair(p: &Lstm, x: &Array3<f64>, h0: &Array2<f64>, y: &Array2<f64>, n: usize) -> f64 {
    let (mut h, mut c) = (h0.to_owned(), h0.to_owned());
    for xt in x.axis_iter(Axis(1)) {
        (h, c) = cell(p, xt, &h, &c, n);
    }
    softmax_cross_entropy(h.dot(&p.out), y) + 0.01 * c.sum()
}

fn setup() -> (Lstm, Array3<f64>, Array2<f64>, Array2<f64>, usize) {
    let mut r = Rng(7);
    let (batch, steps, inputs, n, classes) = (3, 5, 4, 6, 3);
    let p = Lstm {
        wx: r.array((inputs, 4 * n)),
        wh: r.array((n, 4 * n)),
        b: r.array(4 * n),
        out: r.array((n, classes)),
    };
    let x = r.array((batch, steps, inputs));
    let h0 = r.array((batch, n)) * 0.5;
    let y = cadena::ndarray::array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    (p, x, h0, y, n)
}

fn tolerance() -> Tolerance {
    Tolerance {
        rtol: 1e-5,
        atol: 1e-8,
        ..Tolerance::default()
    }
}

#[test]
fn a_textbook_lstm_carrying_h_c_and_a_loss_matches_finite_differences() {
    let (p, x, h0, y, n) = setup();
    let (value, g) = lstm_loss_textbook::grad(&p, &x, &h0, &y, n);
    assert!((value - lstm_loss_textbook(&p, &x, &h0, &y, n)).abs() < 1e-12);
    check_params(
        |p: &Lstm| lstm_loss_textbook(p, &x, &h0, &y, n),
        &p,
        &g.p,
        &tolerance(),
    )
    .unwrap();
}

#[test]
fn a_carried_pair_reassigned_from_a_helper_matches_finite_differences() {
    let (p, x, h0, y, n) = setup();
    let (value, g) = lstm_pair::grad(&p, &x, &h0, &y, n);
    assert!((value - lstm_pair(&p, &x, &h0, &y, n)).abs() < 1e-12);
    check_params(
        |p: &Lstm| lstm_pair(p, &x, &h0, &y, n),
        &p,
        &g.p,
        &tolerance(),
    )
    .unwrap();
}

#[test]
fn the_textbook_lstm_equals_the_one_carrying_one_array() {
    // The same network, its loss computed by hand over the steps: the forward agrees.
    let (p, x, h0, y, n) = setup();
    let mut h = h0.clone();
    let mut c = h0.clone();
    let mut loss = 0.0;
    let sig = |v: &Array2<f64>| v.mapv(|z| 1.0 / (1.0 + (-z).exp()));
    for xt in x.axis_iter(Axis(1)) {
        let z = xt.dot(&p.wx) + h.dot(&p.wh) + &p.b;
        let i = sig(&z.slice(s![.., 0..n]).to_owned());
        let f = sig(&z.slice(s![.., n..2 * n]).to_owned());
        let g = z.slice(s![.., 2 * n..3 * n]).mapv(f64::tanh);
        let o = sig(&z.slice(s![.., 3 * n..4 * n]).to_owned());
        c = f * &c + i * g;
        h = o * c.mapv(f64::tanh);
        let logits = h.dot(&p.out);
        let m = logits.map_axis(Axis(1), |r| r.fold(f64::MIN, |a, &b| a.max(b)));
        let lse = (&logits - &m.view().insert_axis(Axis(1)))
            .mapv(f64::exp)
            .sum_axis(Axis(1))
            .mapv(f64::ln)
            + &m;
        let picked = (&logits * &y).sum_axis(Axis(1));
        loss += (lse - picked).mean().unwrap();
    }
    let expected = loss + 0.1 * (&h * &h).sum();
    let got = lstm_loss_textbook(&p, &x, &h0, &y, n);
    assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
}

#[test]
fn the_textbook_lstm_s_derivation_threads_h_c_and_the_loss() {
    let text = lstm_loss_textbook::DERIVATION;
    assert!(text.contains("δc[i-1] = "), "{text}");
    assert!(text.contains("δloss[i-1] = δloss[i]"), "{text}");
}

/// ADBench's LSTM (Srajer, Kukelova and Fitzgibbon, 2018): diagonal gate weights, layers
/// stacked, the next character's log-probability summed over the sequence. Written layer
/// by layer: each layer runs the whole sequence (its states carried, its outputs pushed)
/// and hands it to the next.
#[derive(Parameters, Clone, Debug)]
pub struct DiagonalCell {
    /// Gate weights, rows forget, input, output, change.
    pub w: Array2<f64>,
    pub bias: Array2<f64>,
}

#[derive(Parameters, Clone, Debug)]
pub struct CharLstm {
    pub layers: Vec<DiagonalCell>,
    /// Input scale, output scale, output shift.
    pub extra: Array2<f64>,
}

#[differentiable(wrt(p))]
fn adbench_objective(
    p: &CharLstm,
    state: &Array2<f64>,
    seq: &Array2<f64>,
    c: usize,
    b: usize,
) -> f64 {
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

/// The same objective step by step, as ADBench's reference writes it.
fn adbench_reference(p: &CharLstm, state: &Array2<f64>, seq: &Array2<f64>) -> f64 {
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let (c, b) = seq.dim();
    let mut s = state.clone();
    let mut total = 0.0;
    for t in 0..c - 1 {
        let mut x: Vec<f64> = (0..b).map(|j| seq[[t, j]] * p.extra[[0, j]]).collect();
        for (i, l) in p.layers.iter().enumerate() {
            for j in 0..b {
                let (hid, cel) = (s[[2 * i, j]], s[[2 * i + 1, j]]);
                let forget = sig(x[j] * l.w[[0, j]] + l.bias[[0, j]]);
                let ingate = sig(hid * l.w[[1, j]] + l.bias[[1, j]]);
                let outgate = sig(x[j] * l.w[[2, j]] + l.bias[[2, j]]);
                let change = (hid * l.w[[3, j]] + l.bias[[3, j]]).tanh();
                let new_cell = cel * forget + ingate * change;
                s[[2 * i + 1, j]] = new_cell;
                s[[2 * i, j]] = outgate * new_cell.tanh();
                x[j] = s[[2 * i, j]];
            }
        }
        let ypred: Vec<f64> = (0..b)
            .map(|j| x[j] * p.extra[[1, j]] + p.extra[[2, j]])
            .collect();
        let lse = (ypred.iter().map(|v| v.exp()).sum::<f64>() + 2.0).ln();
        total += (0..b)
            .map(|j| seq[[t + 1, j]] * (ypred[j] - lse))
            .sum::<f64>();
    }
    -total / ((c - 1) * b) as f64
}

fn adbench_setup(layers: usize, c: usize, b: usize) -> (CharLstm, Array2<f64>, Array2<f64>) {
    let mut r = Rng(31);
    let p = CharLstm {
        layers: (0..layers)
            .map(|_| DiagonalCell {
                w: r.array((4, b)),
                bias: r.array((4, b)),
            })
            .collect(),
        extra: r.array((3, b)),
    };
    (p, r.array((2 * layers, b)), r.array((c, b)))
}

#[test]
fn adbench_s_stacked_lstm_layer_by_layer_is_the_reference_and_matches_finite_differences() {
    let (layers, c, b) = (2, 6, 5);
    let (p, state, seq) = adbench_setup(layers, c, b);
    let got = adbench_objective(&p, &state, &seq, c, b);
    let want = adbench_reference(&p, &state, &seq);
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    let (value, g) = adbench_objective::grad(&p, &state, &seq, c, b);
    assert!((value - got).abs() < 1e-12);
    check_params(
        |p: &CharLstm| adbench_objective(p, &state, &seq, c, b),
        &p,
        &g.p,
        &tolerance(),
    )
    .unwrap();
}

/// `p + s d`, field by field.
fn along(p: &Lstm, d: &Lstm, s: f64) -> Lstm {
    Lstm {
        wx: &p.wx + &(&d.wx * s),
        wh: &p.wh + &(&d.wh * s),
        b: &p.b + &(&d.b * s),
        out: &p.out + &(&d.out * s),
    }
}

/// `hv` against central differences of `grad` along `d`, field by field.
fn assert_hvp(hv: &Lstm, grad: impl Fn(&Lstm) -> Lstm, p: &Lstm, d: &Lstm) {
    let h = 1e-5;
    let (up, down) = (grad(&along(p, d, h)), grad(&along(p, d, -h)));
    let fields = [
        ("wx", &hv.wx, &up.wx - &down.wx),
        ("wh", &hv.wh, &up.wh - &down.wh),
        ("out", &hv.out, &up.out - &down.out),
    ];
    for (name, hv, diff) in fields {
        for (a, b) in hv.iter().zip(diff.iter().map(|d| d / (2.0 * h))) {
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                "{name}: {a} against {b}"
            );
        }
    }
    for (a, b) in
        hv.b.iter()
            .zip((&up.b - &down.b).iter().map(|d| d / (2.0 * h)))
    {
        assert!(
            (a - b).abs() <= 1e-6 * b.abs().max(1.0),
            "b: {a} against {b}"
        );
    }
}

#[test]
fn the_hessians_of_the_lstms_times_a_direction_match_differences_of_their_gradients() {
    let (p, x, h0, y, n) = setup();
    let mut r = Rng(9);
    let d = Lstm {
        wx: r.array(p.wx.dim()),
        wh: r.array(p.wh.dim()),
        b: r.array(p.b.dim()),
        out: r.array(p.out.dim()),
    };
    let hv = lstm_loss_textbook::hvp(
        &p,
        &x,
        &h0,
        &y,
        n,
        &lstm_loss_textbook::Grad { p: d.clone() },
    )
    .p;
    assert_hvp(
        &hv,
        |q| lstm_loss_textbook::grad(q, &x, &h0, &y, n).1.p,
        &p,
        &d,
    );
    let hv = lstm_pair::hvp(&p, &x, &h0, &y, n, &lstm_pair::Grad { p: d.clone() }).p;
    assert_hvp(&hv, |q| lstm_pair::grad(q, &x, &h0, &y, n).1.p, &p, &d);
    let hv = lstm_loss::hvp(&p, &x, &y, n, &lstm_loss::Grad { p: d.clone() }).p;
    assert_hvp(&hv, |q| lstm_loss::grad(q, &x, &y, n).1.p, &p, &d);
}
