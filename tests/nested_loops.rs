//! Loops inside loops: time × layers written as two `for` loops, layer by layer over whole
//! sequences (each layer's states pushed and stacked for the next), points × components in
//! scalar code, and a helper that loops over a stack of layers called in a loop over time
//! (issue 26's point 3: it compiled to `&Vec<Layer>: Operand` errors). Each gradient is
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

/// `deep_recurrence` with the inner loop written in place.
#[differentiable(wrt(p))]
fn time_by_layers(p: &Deep, x: &Array3<f64>, h0: &Array2<f64>) -> f64 {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        let mut a = xt.dot(&p.wx) + &h;
        for l in &p.layers {
            a = tanh(a.dot(&l.w) + &l.b);
        }
        h = a;
    }
    sum(&h * &h)
}

#[derive(Parameters, Clone, Debug)]
pub struct Recurrent {
    pub wx: Array2<f64>,
    pub wh: Array2<f64>,
}

#[derive(Parameters, Clone, Debug)]
pub struct Stacked {
    pub layers: Vec<Recurrent>,
}

/// A stacked Elman network, layer by layer: each layer runs the whole sequence and
/// hands it on.
#[differentiable(wrt(p))]
fn layer_by_layer(p: &Stacked, x: &Array3<f64>, h0: &Array2<f64>) -> f64 {
    let mut seq = x.to_owned();
    for l in &p.layers {
        let mut h = h0.to_owned();
        let mut outs = Vec::new();
        for st in seq.axis_iter(Axis(1)) {
            h = tanh(st.dot(&l.wx) + h.dot(&l.wh));
            outs.push(h.clone());
        }
        seq = stack(Axis(1), &outs);
    }
    sum(&seq * &seq)
}

/// Points × components in scalar code: each point's softened distance to all centres.
#[differentiable]
fn pairwise(c: &[f64; 3], x: &[f64; 4]) -> f64 {
    let mut total = 0.0;
    for &xi in x {
        let mut acc = 0.0;
        for &cj in c {
            acc = acc + (xi - cj).powi(2);
        }
        total = total + (acc + 1.0).sqrt();
    }
    total
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

#[test]
fn time_by_layers_written_as_two_loops_matches_the_helper_and_finite_differences() {
    let (p, x, h0) = setup();
    let (value, g) = time_by_layers::grad(&p, &x, &h0);
    assert!((value - deep_recurrence(&p, &x, &h0)).abs() < 1e-12);
    let (_, g_helper) = deep_recurrence::grad(&p, &x, &h0);
    assert!((&g.p.wx - &g_helper.p.wx).iter().all(|d| d.abs() < 1e-12));
    check_params(
        |p: &Deep| time_by_layers(p, &x, &h0),
        &p,
        &g.p,
        &tolerance(),
    )
    .unwrap();
}

#[test]
fn a_stacked_recurrent_network_layer_by_layer_matches_finite_differences() {
    let mut r = Rng(4);
    let layer = |r: &mut Rng| Recurrent {
        wx: r.array((3, 3)),
        wh: r.array((3, 3)),
    };
    let p = Stacked {
        layers: vec![layer(&mut r), layer(&mut r)],
    };
    let (x, h0) = (r.array((2, 4, 3)), r.array((2, 3)));
    let (value, g) = layer_by_layer::grad(&p, &x, &h0);
    assert!((value - layer_by_layer(&p, &x, &h0)).abs() < 1e-12);
    check_params(
        |p: &Stacked| layer_by_layer(p, &x, &h0),
        &p,
        &g.p,
        &tolerance(),
    )
    .unwrap();
}

#[test]
fn points_by_components_in_scalar_code_matches_finite_differences() {
    let (c, x) = ([0.3, -1.0, 2.0], [0.5, 1.5, -0.7, 0.1]);
    let (value, g) = pairwise::grad(&c, &x);
    assert!((value - pairwise(&c, &x)).abs() < 1e-12);
    for k in 0..3 {
        let (mut up, mut down) = (c, c);
        up[k] += 1e-6;
        down[k] -= 1e-6;
        let fd = (pairwise(&up, &x) - pairwise(&down, &x)) / 2e-6;
        assert!((g.c[k] - fd).abs() < 1e-7, "c[{k}]: {} vs {fd}", g.c[k]);
    }
    for k in 0..4 {
        let (mut up, mut down) = (x, x);
        up[k] += 1e-6;
        down[k] -= 1e-6;
        let fd = (pairwise(&c, &up) - pairwise(&c, &down)) / 2e-6;
        assert!((g.x[k] - fd).abs() < 1e-7, "x[{k}]: {} vs {fd}", g.x[k]);
    }
}

/// The advice of the error for an enclosing loop's index read inside an inner loop,
/// followed: select in the enclosing body, read the selection inside.
#[differentiable(wrt(w))]
fn selected_before(x: &Array3<f64>, w: &Array2<f64>) -> f64 {
    let mut h = x.index_axis(Axis(1), 0).dot(w);
    for t in 0..x.len_of(Axis(1)) {
        let xt = x.index_axis(Axis(1), t);
        for _ in 0..2 {
            h = tanh(h.dot(w) + xt.dot(w));
        }
    }
    sum(h)
}

#[test]
fn an_enclosing_loop_s_selection_read_inside_matches_finite_differences() {
    let mut r = Rng(8);
    let (x, w) = (r.array((2, 3, 3)), r.array((3, 3)));
    let (value, g) = selected_before::grad(&x, &w);
    assert!((value - selected_before(&x, &w)).abs() < 1e-12);
    check_params(
        |w: &Array2<f64>| selected_before(&x, w),
        &w,
        &g.w,
        &tolerance(),
    )
    .unwrap();
}

/// A squashing head over a matrix, the loss's last step.
#[differentiable(wrt(p))]
fn head(p: &Deep, z: ArrayView2<f64>) -> f64 {
    sum(tanh(z.dot(&p.wx.t())))
}

/// A looping helper's result multiplied and handed on to another helper (issue 26's
/// point 4: `type annotations needed` in generated code).
#[differentiable(wrt(p))]
fn encoded_then_head(p: &Deep, h0: &Array2<f64>, e: &Array2<f64>) -> f64 {
    let s = through_layers(p, h0.view());
    head(p, e.dot(&s).view())
}

#[test]
fn a_looping_helper_s_result_handed_on_matches_finite_differences() {
    let (p, _, h0) = setup();
    let e = Rng(3).array((2, 2));
    let (value, g) = encoded_then_head::grad(&p, &h0, &e);
    assert!((value - encoded_then_head(&p, &h0, &e)).abs() < 1e-12);
    check_params(
        |p: &Deep| encoded_then_head(p, &h0, &e),
        &p,
        &g.p,
        &tolerance(),
    )
    .unwrap();
}

/// An inner range that reads the enclosing loop's index (`for j in 0..i`): a triangle of
/// steps, three levels deep (the fuzzer's `cannot find value i`: the range was emitted as
/// written, where the generated loop names its index otherwise).
#[differentiable]
fn triangle(c: &[f64; 4], x: f64) -> f64 {
    let mut acc = x;
    for i in 0..4 {
        for j in 0..i {
            for k in j..4 {
                acc = acc * 0.5 + c[k] * x;
            }
        }
        acc = (acc * x).sin() + c[i];
    }
    acc
}

#[test]
fn an_inner_range_reading_the_enclosing_index_matches_finite_differences() {
    let (c, x) = ([0.3, -1.0, 0.7, 0.2], 0.6);
    let (value, g) = triangle::grad(&c, x);
    assert!((value - triangle(&c, x)).abs() < 1e-12);
    for k in 0..4 {
        let (mut up, mut down) = (c, c);
        up[k] += 1e-6;
        down[k] -= 1e-6;
        let fd = (triangle(&up, x) - triangle(&down, x)) / 2e-6;
        assert!((g.c[k] - fd).abs() < 1e-7, "c[{k}]: {} vs {fd}", g.c[k]);
    }
    let fd = (triangle(&c, x + 1e-6) - triangle(&c, x - 1e-6)) / 2e-6;
    assert!((g.x - fd).abs() < 1e-7, "x: {} vs {fd}", g.x);
}
