//! `fn f<T: Float>`: one generic `#[differentiable]` function, instantiated at `f32` and
//! `f64` by its callers, in scalar and tensor code.

use cadena::gradcheck::{Tolerance, check, check_params};
use cadena::ndarray::{Array1, Array2, array};
use cadena::prelude::*;

#[differentiable(wrt(w1, w2, b))]
pub fn neuron<T: Float>(w1: T, w2: T, b: T, x1: T, x2: T, y: T) -> T {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    bce(a, y)
}

#[differentiable(wrt(w, b))]
pub fn layer<T>(w: &Array2<T>, b: &Array1<T>, x: &Array2<T>, y: &Array2<T>) -> T
where
    T: Float,
{
    let h = tanh(x.dot(w) + b) * 0.5;
    mse(h, y)
}

#[test]
fn a_generic_scalar_function_works_at_both_widths() {
    let (l64, g64) = neuron::grad(0.5_f64, -0.5, 0.1, 1.0, 2.0, 1.0);
    let (l32, g32) = neuron::grad(0.5_f32, -0.5, 0.1, 1.0, 2.0, 1.0);
    assert_eq!(l64, neuron(0.5_f64, -0.5, 0.1, 1.0, 2.0, 1.0));
    assert!((f64::from(l32) - l64).abs() < 1e-6);
    assert!((f64::from(g32.w2) - g64.w2).abs() < 1e-6);
    assert_eq!(
        neuron::DERIVATION,
        "dL/dw1 = (a - y) * x1\ndL/dw2 = (a - y) * x2\ndL/db = a - y"
    );
    // Stable at extreme logits, as the f64-only neuron is.
    let (l, g) = neuron::grad(400.0_f64, 400.0, 0.0, 1.0, 1.0, 0.0);
    assert!(l.is_finite() && (g.b - 1.0).abs() < 1e-12);
    check(
        |p| neuron(p[0], p[1], p[2], 1.0, 2.0, 1.0),
        &[0.5, -0.5, 0.1],
        &[g64.w1, g64.w2, g64.b],
        &["w1", "w2", "b"],
        &Tolerance::default(),
    )
    .unwrap();
    let picture = neuron::trace(0.5_f32, -0.5, 0.1, 1.0, 2.0, 1.0);
    assert_eq!(picture.nodes.len(), 12);
}

#[test]
fn a_generic_tensor_function_works_at_both_widths() {
    let x = array![[0.5, -1.0, 0.25], [1.5, 0.25, -0.5]];
    let y = array![[0.1, -0.2], [0.3, 0.0]];
    let w = array![[0.2, -0.1], [0.4, 0.3], [-0.3, 0.5]];
    let b = array![0.05, -0.05];
    let (l64, g64) = layer::grad(&w, &b, &x, &y);
    let tol = Tolerance::default();
    check_params(|w: &Array2<f64>| layer(w, &b, &x, &y), &w, &g64.w, &tol).unwrap();
    check_params(|b: &Array1<f64>| layer(&w, b, &x, &y), &b, &g64.b, &tol).unwrap();
    let f = |a: &Array2<f64>| a.mapv(|v| v as f32);
    let (l32, g32) = layer::grad(&f(&w), &b.mapv(|v| v as f32), &f(&x), &f(&y));
    assert!((f64::from(l32) - l64).abs() < 1e-6);
    assert!((f64::from(g32.w[[1, 0]]) - g64.w[[1, 0]]).abs() < 1e-6);
}

// Loops in a generic function: a recurrence over rows carrying an array, and a loop
// carrying a float (its loop helpers took only `f32` and `f64` operands, so neither
// compiled).
#[differentiable(wrt(w))]
pub fn recurrent<T: Float>(w: &Array2<T>, h0: &Array1<T>, x: &Array2<T>) -> T {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(cadena::ndarray::Axis(0)) {
        h = tanh(xt.dot(w) + &h);
    }
    let mut s = sum(h);
    for _ in 0..3 {
        s = s * 0.5 + s.sin();
    }
    s
}

#[differentiable]
pub fn horner_like<T: Float>(x: T) -> T {
    let mut acc = x;
    for _ in 0..3 {
        acc = acc * x + x.sin();
    }
    acc
}

#[test]
fn loops_of_a_generic_function_work_at_both_widths() {
    let w = array![[0.3, -0.2], [0.1, 0.4]];
    let h0 = array![0.1, -0.1];
    let x = array![[0.5, -1.0], [1.5, 0.25], [-0.5, 0.75]];
    let (l64, g64) = recurrent::grad(&w, &h0, &x);
    check_params(
        |w: &Array2<f64>| recurrent(w, &h0, &x),
        &w,
        &g64.w,
        &Tolerance::default(),
    )
    .unwrap();
    let f = |a: &Array2<f64>| a.mapv(|v| v as f32);
    let (l32, g32) = recurrent::grad(&f(&w), &h0.mapv(|v| v as f32), &f(&x));
    assert!((f64::from(l32) - l64).abs() < 1e-5);
    assert!((f64::from(g32.w[[1, 0]]) - g64.w[[1, 0]]).abs() < 1e-4);
    let (v64, d64) = horner_like::grad(0.7_f64);
    let (v32, d32) = horner_like::grad(0.7_f32);
    assert!((f64::from(v32) - v64).abs() < 1e-5 && (f64::from(d32.x) - d64.x).abs() < 1e-4);
    check(
        |p| horner_like(p[0]),
        &[0.7],
        &[d64.x],
        &["x"],
        &Tolerance::default(),
    )
    .unwrap();
}

// A loop carrying a float that meets an array argument: the backward run sums the
// array's gradient to the float's shape, a float it once borrowed (`&T`, no operand for a
// type parameter), so neither compiled.
#[differentiable]
pub fn float_meets_array<T: Float>(x: &Array1<T>, w: T) -> T {
    let mut acc = w;
    for _ in 0..3 {
        acc = acc * w + (x * acc).sin().sum() + (x * acc).cos().sum();
    }
    acc
}

#[differentiable]
pub fn two_floats_meet_an_array<T: Float>(x: &Array1<T>, w: T) -> T {
    let mut a = w;
    let mut b = w;
    for _ in 0..3 {
        a = a * w + (x * b).sin().sum();
        b = b + a * 0.5;
    }
    a + b
}

#[test]
fn floats_a_generic_loop_carries_meet_arrays_at_both_widths() {
    let x = array![0.1, -0.2, 0.3];
    let tol = Tolerance::default();
    let (v, g) = float_meets_array::grad(&x, 0.5);
    check_params(|x: &Array1<f64>| float_meets_array(x, 0.5), &x, &g.x, &tol).unwrap();
    check(
        |p| float_meets_array(&x, p[0]),
        &[0.5],
        &[g.w],
        &["w"],
        &tol,
    )
    .unwrap();
    let (v2, g2) = two_floats_meet_an_array::grad(&x, 0.5);
    check_params(
        |x: &Array1<f64>| two_floats_meet_an_array(x, 0.5),
        &x,
        &g2.x,
        &tol,
    )
    .unwrap();
    check(
        |p| two_floats_meet_an_array(&x, p[0]),
        &[0.5],
        &[g2.w],
        &["w"],
        &tol,
    )
    .unwrap();
    let x32 = x.mapv(|v| v as f32);
    let (v32, g32) = float_meets_array::grad(&x32, 0.5_f32);
    assert!((f64::from(v32) - v).abs() < 1e-4 && (f64::from(g32.w) - g.w).abs() < 1e-3);
    let (v32, g32) = two_floats_meet_an_array::grad(&x32, 0.5_f32);
    assert!((f64::from(v32) - v2).abs() < 1e-4 && (f64::from(g32.x[1]) - g2.x[1]).abs() < 1e-3);
}

/// A model generic over its float with a float field, read in arithmetic and as a loop's
/// start: a `T` the macro cannot see is a float, borrowed as it borrows an `f64` field.
#[derive(cadena::Parameters, Clone)]
pub struct Tempered<T: Float> {
    pub w: Array2<T>,
    pub s: T,
}

#[differentiable(wrt(p))]
pub fn tempered<T: Float>(p: &Tempered<T>, x: &Array2<T>) -> T {
    let h = tanh(x.dot(&p.w) * p.s);
    let mut acc = p.s;
    for _ in 0..4 {
        acc = acc.sin() * p.s + mean(h.clone()) * acc;
    }
    acc * mean(h * h)
}

#[test]
fn a_generic_models_float_field_at_both_widths() {
    let p = Tempered {
        w: array![[0.1, 0.2, -0.3], [0.3, -0.1, 0.2]],
        s: 0.7,
    };
    let x = array![[0.5, -1.0], [1.5, 0.25], [-0.5, 0.75]];
    let (v, g) = tempered::grad(&p, &x);
    assert_eq!(v, tempered(&p, &x));
    check_params(
        |q: &Tempered<f64>| tempered(q, &x),
        &p,
        &g.p,
        &Tolerance::default(),
    )
    .unwrap();
    let p32 = Tempered {
        w: p.w.mapv(|v| v as f32),
        s: 0.7_f32,
    };
    let (v32, g32) = tempered::grad(&p32, &x.mapv(|v| v as f32));
    assert!((f64::from(v32) - v).abs() < 1e-4 && (f64::from(g32.p.s) - g.p.s).abs() < 1e-3);
}
