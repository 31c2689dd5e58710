//! Float types the macro cannot name directly: a type alias (`type Real = f64`) and a
//! `$t:ty` handed over by a `macro_rules!`, in scalar and tensor functions.

use cadena::gradcheck::{Tolerance, check, check_params};
use cadena::ndarray::{Array2, array};
use cadena::prelude::*;

type Real = f64;
type Single = f32;

#[differentiable(wrt(w, b))]
fn neuron_real(w: Real, b: Real, x: Real, y: Real) -> Real {
    let z = w * x + b * 2.0 - 0.5;
    bce(sigmoid(z), y)
}

#[differentiable(wrt(w, b))]
fn neuron_f64(w: f64, b: f64, x: f64, y: f64) -> f64 {
    let z = w * x + b * 2.0 - 0.5;
    bce(sigmoid(z), y)
}

/// A constant of `f64` in a function computing in an alias of it: the alias is `f64`
/// (a function generic over its float refuses it: tests/ui).
#[differentiable]
fn scaled_real(x: Real) -> Real {
    x * f64::EPSILON + x * std::f64::consts::PI
}

#[test]
fn an_alias_of_f64_reads_f64_constants() {
    let (value, g) = scaled_real::grad(2.0);
    let slope = f64::EPSILON + std::f64::consts::PI;
    assert_eq!(value, 2.0 * slope);
    assert_eq!(g.x, slope);
}

macro_rules! neuron_in {
    ($name:ident, $t:ty) => {
        #[differentiable(wrt(w, b))]
        pub fn $name(w: $t, b: $t, x: $t, y: $t) -> $t {
            let z = w * x + b * 2.0 - 0.5;
            bce(sigmoid(z), y)
        }
    };
}

neuron_in!(neuron_macro32, f32);
neuron_in!(neuron_macro64, f64);

#[differentiable(wrt(w))]
fn regression(w: &Array2<Single>, x: &Array2<Single>, y: &Array2<Single>) -> Single {
    mse(tanh(x.dot(w)) * 3.0, y)
}

#[test]
fn an_alias_of_f64_gives_the_same_code_as_f64() {
    let a = neuron_real::grad(0.3, -0.2, 1.5, 1.0);
    let b = neuron_f64::grad(0.3, -0.2, 1.5, 1.0);
    assert_eq!(a.0, b.0);
    assert_eq!((a.1.w, a.1.b), (b.1.w, b.1.b));
    assert_eq!(neuron_real::DERIVATION, neuron_f64::DERIVATION);
    assert_eq!(
        neuron_real::DERIVATION,
        "dL/dw = (sigmoid(z) - y) * x\ndL/db = 2 * (sigmoid(z) - y)"
    );
}

#[test]
fn a_float_type_from_macro_rules_works_at_both_widths() {
    let (l64, g64) = neuron_macro64::grad(0.3, -0.2, 1.5, 1.0);
    let (l32, g32) = neuron_macro32::grad(0.3, -0.2, 1.5, 1.0);
    assert_eq!(l64, neuron_f64(0.3, -0.2, 1.5, 1.0));
    assert!((f64::from(l32) - l64).abs() < 1e-6);
    assert!((f64::from(g32.w) - g64.w).abs() < 1e-6);
    check(
        |p| neuron_macro64(p[0], p[1], 1.5, 1.0),
        &[0.3, -0.2],
        &[g64.w, g64.b],
        &["w", "b"],
        &Tolerance::default(),
    )
    .unwrap();
}

#[test]
fn an_alias_of_f32_works_in_tensor_code() {
    let x: Array2<f32> = array![[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]];
    let y: Array2<f32> = array![[0.1], [0.9], [-0.4]];
    let w: Array2<f32> = array![[0.2], [-0.3]];
    let (loss, g) = regression::grad(&w, &x, &y);
    assert!((loss - regression(&w, &x, &y)).abs() < 1e-6);
    let wide = |w: &Array2<f64>| {
        let (x, y) = (x.mapv(f64::from), y.mapv(f64::from));
        let d = x.dot(w).mapv(|v| v.tanh() * 3.0) - &y;
        d.mapv(|v| v * v).mean().unwrap_or(0.0)
    };
    check_params(
        wide,
        &w.mapv(f64::from),
        &g.w.mapv(f64::from),
        &Tolerance {
            rtol: 1e-3,
            atol: 1e-4,
            ..Tolerance::default()
        },
    )
    .unwrap();
}
