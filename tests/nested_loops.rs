//! Loops inside loops: a helper that loops over a stack of layers, called in a loop over
//! time (issue 26's point 3: it compiled to `&Vec<Layer>: Operand` errors); each gradient
//! checked against finite differences.

mod common;

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::{Array1, Array2, Array3, ArrayView2, Axis};
use cadena::prelude::*;
use common::Rng;

#[derive(Parameters, Clone, Debug)]
pub struct Layer {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[derive(Parameters, Clone, Debug)]
pub struct Deep {
    pub layers: Vec<Layer>,
    pub wx: Array2<f64>,
}

/// A stack of tanh layers, looped over.
#[differentiable(wrt(p))]
fn through_layers(p: &Deep, h: ArrayView2<f64>) -> Array2<f64> {
    let mut a = h.to_owned();
    for l in &p.layers {
        a = tanh(a.dot(&l.w) + &l.b);
    }
    a
}

/// A recurrence whose step runs the whole stack: time × layers.
#[differentiable(wrt(p))]
fn deep_recurrence(p: &Deep, x: &Array3<f64>, h0: &Array2<f64>) -> f64 {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        h = through_layers(p, (xt.dot(&p.wx) + &h).view());
    }
    sum(&h * &h)
}

/// The same stack also run once directly: its gradient sums both loops' shares.
#[differentiable(wrt(p))]
fn shared_stack(p: &Deep, x: &Array3<f64>, h0: &Array2<f64>) -> f64 {
    let direct = through_layers(p, h0.view());
    deep_recurrence(p, x, h0) + sum(&direct)
}

fn setup() -> (Deep, Array3<f64>, Array2<f64>) {
    let mut r = Rng(21);
    let layer = |r: &mut Rng| Layer {
        w: r.array((3, 3)),
        b: r.array(3),
    };
    let p = Deep {
        layers: vec![layer(&mut r), layer(&mut r), layer(&mut r)],
        wx: r.array((2, 3)),
    };
    (p, r.array((2, 4, 2)), r.array((2, 3)))
}

fn tolerance() -> Tolerance {
    Tolerance {
        rtol: 1e-5,
        atol: 1e-8,
        ..Tolerance::default()
    }
}

#[test]
fn a_helper_looping_over_layers_inside_a_loop_over_time_matches_finite_differences() {
    let (p, x, h0) = setup();
    let (value, g) = deep_recurrence::grad(&p, &x, &h0);
    assert!((value - deep_recurrence(&p, &x, &h0)).abs() < 1e-12);
    check_params(
        |p: &Deep| deep_recurrence(p, &x, &h0),
        &p,
        &g.p,
        &tolerance(),
    )
    .unwrap();
}

#[test]
fn a_stack_looped_over_inside_and_outside_a_loop_sums_both_gradients() {
    let (p, x, h0) = setup();
    let (value, g) = shared_stack::grad(&p, &x, &h0);
    assert!((value - shared_stack(&p, &x, &h0)).abs() < 1e-12);
    check_params(|p: &Deep| shared_stack(p, &x, &h0), &p, &g.p, &tolerance()).unwrap();
}
