//! Per-step outputs: a `Vec` declared before a loop, `outs.push(h.clone())` in it, and
//! `stack(Axis(1), &outs)` / `concatenate(Axis(1), &outs)` after it, so a recurrent layer
//! hands a whole sequence to the next one. Checked against finite differences.

mod common;

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::{Array1, Array2, Array3, Axis};
use cadena::prelude::*;
use common::Rng;

#[derive(Parameters, Clone, Debug)]
pub struct Rnn {
    pub wx1: Array2<f64>,
    pub wh1: Array2<f64>,
    pub wx2: Array2<f64>,
    pub wh2: Array2<f64>,
    pub b: Array1<f64>,
}

/// Two Elman layers, the first handing its whole sequence of states to the second.
#[differentiable(wrt(p))]
fn two_layers(p: &Rnn, x: &Array3<f64>, h0: &Array2<f64>) -> f64 {
    let mut h = h0.to_owned();
    let mut outs = Vec::new();
    for xt in x.axis_iter(Axis(1)) {
        h = tanh(xt.dot(&p.wx1) + h.dot(&p.wh1) + &p.b);
        outs.push(h.clone());
    }
    let seq = stack(Axis(1), &outs);
    let mut h2 = h0.to_owned();
    let mut outs2 = Vec::new();
    for st in seq.axis_iter(Axis(1)) {
        h2 = tanh(st.dot(&p.wx2) + h2.dot(&p.wh2));
        outs2.push(h2.clone());
    }
    let all = stack(Axis(1), &outs2);
    (&all * &all).sum() + 0.5 * h.sum()
}

/// A loop that carries nothing: one output per step, joined along the features.
#[differentiable(wrt(p))]
fn per_step(p: &Rnn, x: &Array3<f64>) -> f64 {
    let mut outs = Vec::new();
    for xt in x.axis_iter(Axis(1)) {
        outs.push(sigmoid(xt.dot(&p.wx1)));
    }
    let wide = concatenate(Axis(1), &outs);
    (&wide * &wide).sum()
}

fn setup() -> (Rnn, Array3<f64>, Array2<f64>) {
    let mut r = Rng(11);
    let (batch, steps, inputs, n) = (3, 4, 5, 6);
    let p = Rnn {
        wx1: r.array((inputs, n)),
        wh1: r.array((n, n)),
        wx2: r.array((n, n)),
        wh2: r.array((n, n)),
        b: r.array(n),
    };
    (p, r.array((batch, steps, inputs)), r.array((batch, n)))
}

fn tolerance() -> Tolerance {
    Tolerance {
        rtol: 1e-5,
        atol: 1e-8,
        ..Tolerance::default()
    }
}

#[test]
fn a_layer_handing_its_sequence_to_the_next_matches_finite_differences() {
    let (p, x, h0) = setup();
    let (value, g) = two_layers::grad(&p, &x, &h0);
    assert!((value - two_layers(&p, &x, &h0)).abs() < 1e-12);
    check_params(|p: &Rnn| two_layers(p, &x, &h0), &p, &g.p, &tolerance()).unwrap();
}

#[test]
fn a_loop_carrying_nothing_but_pushing_matches_finite_differences() {
    let (p, x, _) = setup();
    let (value, g) = per_step::grad(&p, &x);
    assert!((value - per_step(&p, &x)).abs() < 1e-12);
    check_params(|p: &Rnn| per_step(p, &x), &p, &g.p, &tolerance()).unwrap();
    // Untouched by the loss: zero, not missing.
    assert!(g.p.wh2.iter().all(|&v| v == 0.0));
}

#[test]
fn the_forward_stacks_what_was_pushed() {
    let (p, x, h0) = setup();
    let mut h = h0.clone();
    let mut outs = Vec::new();
    for xt in x.axis_iter(Axis(1)) {
        h = (xt.dot(&p.wx1) + h.dot(&p.wh1) + &p.b).mapv(f64::tanh);
        outs.push(h.clone());
    }
    let views: Vec<_> = outs.iter().map(|o| o.view()).collect();
    let seq = cadena::ndarray::stack(Axis(1), &views).unwrap();
    let mut h2 = h0.clone();
    let mut sum = 0.0;
    for st in seq.axis_iter(Axis(1)) {
        h2 = (st.dot(&p.wx2) + h2.dot(&p.wh2)).mapv(f64::tanh);
        sum += (&h2 * &h2).sum();
    }
    let expected = sum + 0.5 * h.sum();
    assert!((two_layers(&p, &x, &h0) - expected).abs() < 1e-12);
}
