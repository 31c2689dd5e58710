//! Every supported scalar operation, compiled through `#[differentiable]`, against central
//! finite differences (`cadena::gradcheck`), at several points of its domain; and the f32
//! code path against the f64 one.

use cadena::gradcheck::{Tolerance, check};
use cadena::prelude::*;

const PI_ISH: f64 = 3.0;

/// Declares one differentiable function of `x` (and `y`) per case, then one test that
/// checks each at the given points. The parameters' names come from the invocation, as
/// the bodies' do: a name `macro_rules!` wrote itself would be another variable (hygiene).
macro_rules! cases {
    ($test:ident($xn:ident, $yn:ident): $($name:ident => $body:expr, [$($x:expr),+];)+) => {
        $(
            #[differentiable]
            #[allow(unused_variables)]
            fn $name($xn: f64, $yn: f64) -> f64 {
                $body
            }
        )+

        #[test]
        fn $test() {
            $(
                for x in [$($x),+] {
                    let y = 0.37;
                    let (v, g) = $name::grad(x, y);
                    assert_eq!(v.to_bits(), $name(x, y).to_bits(), "{} at {x}: grad's value is the forward value", stringify!($name));
                    if let Err(e) = check(|p| $name(p[0], p[1]), &[x, y], &[g.x, g.y], &["x", "y"], &Tolerance::default()) {
                        panic!("{} at x = {x}: {e}", stringify!($name));
                    }
                }
            )+
        }
    };
}

cases! {
    arithmetic_matches_finite_differences(x, y):
    add => x + y, [-1.5, 0.2, 3.0];
    sub => x - y * 2.0, [-1.5, 0.2, 3.0];
    mul => x * y * x, [-1.5, 0.2, 3.0];
    div => x / (y + 1.0) - y / (x * x + 1.0), [-1.5, 0.2, 3.0];
    neg => -(x * y), [-1.5, 0.2];
    constant => x * PI_ISH + std::f64::consts::E, [0.5];
}

cases! {
    methods_match_finite_differences(x, y):
    exp_method => x.exp(), [-3.0, 0.0, 2.0];
    ln_method => x.ln() * y, [0.1, 1.0, 5.0];
    log10 => x.log10(), [0.1, 7.0];
    log2 => x.log2(), [0.1, 7.0];
    sqrt => x.sqrt(), [0.01, 2.0];
    powi => x.powi(3) + x.powi(-2), [-2.0, 0.5, 3.0];
    powf => x.powf(y) + y.powf(x), [0.5, 2.0];
    sin => x.sin(), [-1.0, 0.3, 2.5];
    cos => x.cos(), [-1.0, 0.3, 2.5];
    tan => x.tan(), [-1.0, 0.3, 1.2];
    tanh_method => x.tanh(), [-3.0, 0.1, 4.0];
    abs => x.abs() * y, [-2.0, 1.5];
    max => x.max(y), [-1.0, 2.0];
    min => x.min(y), [-1.0, 2.0];
    ln_1p => x.ln_1p(), [-0.5, 1e-8, 3.0];
    exp_m1 => x.exp_m1(), [-2.0, 1e-8, 1.0];
    recip => x.recip(), [-2.0, 0.5];
}

cases! {
    prelude_functions_match_finite_differences(x, y):
    sigmoid_fn => sigmoid(x), [-30.0, -2.0, 0.0, 3.0];
    tanh_fn => tanh(x), [-2.0, 0.5];
    relu_fn => relu(x) * y, [-1.0, 2.0];
    softplus_fn => softplus(x), [-40.0, -1.0, 0.0, 40.0];
    softsign_fn => softsign(x) * y, [-30.0, -0.7, 0.0, 2.0];
    exp_fn => exp(x), [-1.0, 1.5];
    ln_fn => ln(x), [0.2, 4.0];
    bce_fn => bce(x.tanh() * 0.45 + 0.5, y), [-1.0, 0.4];
    bce_logits => bce(sigmoid(x), y), [-20.0, -1.0, 2.0, 20.0];
    mse_fn => mse(x, y), [-1.0, 3.0];
    ln_sigmoid => ln(sigmoid(x)), [-30.0, 0.5, 30.0];
    ln_one_minus_sigmoid => ln(1.0 - sigmoid(x)), [-30.0, 0.5, 30.0];
    logistic_by_hand => 1.0 / (1.0 + (-x).exp()), [-5.0, 0.5];
}

#[differentiable]
fn composite32(x: f32) -> f32 {
    let u = x.powi(2);
    u.sin().exp()
}

#[differentiable]
fn composite64(x: f64) -> f64 {
    let u = x.powi(2);
    u.sin().exp()
}

#[test]
fn f32_and_f64_code_agree() {
    for x in [-1.3_f32, -0.2, 0.0, 0.8, 1.7] {
        let (v32, g32) = composite32::grad(x);
        let (v64, g64) = composite64::grad(f64::from(x));
        assert!(
            (f64::from(v32) - v64).abs() <= 1e-6 * v64.abs().max(1.0),
            "value at {x}"
        );
        assert!(
            (f64::from(g32.x) - g64.x).abs() <= 1e-5 * g64.x.abs().max(1.0),
            "gradient at {x}"
        );
    }
}

#[differentiable]
fn ln_of_sigmoid_extreme(z: f64) -> f64 {
    ln(sigmoid(z))
}

#[test]
fn ln_sigmoid_is_finite_where_the_naive_form_is_not() {
    // ln(sigmoid(-800)) naively is ln(0) = -inf; the softplus form gives -800.
    let (v, g) = ln_of_sigmoid_extreme::grad(-800.0);
    assert_eq!((v, g.z), (-800.0, 1.0));
    let (v, g) = ln_of_sigmoid_extreme::grad(800.0);
    assert_eq!((v, g.z), (0.0, 0.0));
}

#[differentiable]
fn shadowing(x: f64, y: f64) -> f64 {
    let x = x * 2.0;
    let x = x + y;
    x * x
}

#[test]
fn shadowed_bindings_are_distinct_values() {
    let (v, g) = shadowing::grad(0.5, 0.25);
    assert_eq!(v, 1.5625);
    assert_eq!((g.x, g.y), (2.0 * 1.25 * 2.0, 2.0 * 1.25));
}
