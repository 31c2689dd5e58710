//! Bodies the macro once accepted and then emitted code that did not compile, panicked
//! on, or differentiated wrongly (issue 26): each now compiles and is checked.

// The macro's copies of a function `allow` what they must; under the function's
// `forbid(unused)` that was a future-incompatibility warning, an error here.
#![deny(forbidden_lint_groups)]

use cadena::ndarray::{Array2, Axis};
use cadena::prelude::*;

#[differentiable(wrt(c))]
fn loop_over_a_wrt_array(c: &[f64; 5], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in 0..5 {
        acc = acc + c[i] * x;
    }
    acc
}

#[test]
fn a_loop_reading_a_wrt_array_beside_a_float_outside_wrt_compiles() {
    let c = [1.0, 2.0, 3.0, 4.0, 5.0];
    let (value, g) = loop_over_a_wrt_array::grad(&c, 2.0);
    assert_eq!(value, 30.0);
    assert_eq!(g.c, [2.0; 5]);
}

#[differentiable]
fn folded_past_f32(x: f32) -> f32 {
    (x * 1e20).powi(2)
}

#[test]
fn a_folded_constant_that_overflows_f32_is_infinite_as_the_arithmetic_would_be() {
    let (value, g) = folded_past_f32::grad(1.0);
    assert_eq!(value, f32::INFINITY);
    assert_eq!(g.x, f32::INFINITY);
}

// The body the fuzzer found, as written; clippy rightly finds it odd.
#[allow(clippy::eq_op)]
#[differentiable]
fn over_a_cancelling_sum(x: f64) -> f64 {
    x / (x - x)
}

#[test]
fn a_quotient_by_a_cancelling_sum_has_a_derivation() {
    assert!(over_a_cancelling_sum::DERIVATION.starts_with("dL/dx = "));
    assert!(over_a_cancelling_sum(1.0).is_infinite());
}

#[forbid(unused)]
#[differentiable]
fn forbids_unused(x: f64, y: f64) -> f64 {
    let v = x * y;
    v.tanh()
}

#[test]
fn a_function_forbidding_unused_code_compiles() {
    assert_eq!(
        forbids_unused::grad(0.0, 2.0),
        (0.0, forbids_unused::Grad { x: 2.0, y: 0.0 })
    );
}

#[differentiable]
fn spelled_out_floats(x: std::primitive::f64, y: f64) -> core::primitive::f64 {
    x * y * 1.0f64
}

#[test]
fn float_types_spelled_out_from_std_and_core_are_floats() {
    assert_eq!(
        spelled_out_floats::grad(1.0, 2.0),
        (2.0, spelled_out_floats::Grad { x: 2.0, y: 1.0 })
    );
}

// An unused lifetime parameter is the function's own business; `grad_sum`'s kernel used
// to declare it too, and a struct may not declare a lifetime it does not use.
#[differentiable(wrt(a, b))]
#[rustfmt::skip] // keeps the `;;`
#[allow(
    redundant_semicolons,
    clippy::extra_unused_lifetimes,
    clippy::needless_lifetimes
)]
fn with_a_lifetime<'a>(a: f64, b: f64, x: f64) -> f64 {
    let mut s = a;
    for _ in 0..2 {
        s = s * b;;
    }
    s * x
}

#[test]
fn a_lifetime_parameter_and_a_stray_semicolon_in_a_loop_compile() {
    assert_eq!(
        with_a_lifetime::grad(1.0, 2.0, 3.0),
        (12.0, with_a_lifetime::Grad { a: 12.0, b: 12.0 })
    );
}

#[differentiable]
fn max_of_a_nan(x: f64) -> f64 {
    x.max(x.ln())
}

#[differentiable]
fn min_of_a_nan(x: f64) -> f64 {
    x.ln().min(x)
}

#[test]
fn the_derivative_of_max_and_min_follows_the_operand_a_nan_left_standing() {
    // ln(-0.5) is NaN; Rust's max and min return the other operand, x.
    let (value, g) = max_of_a_nan::grad(-0.5);
    assert_eq!((value, g.x), (-0.5, 1.0));
    let (value, g) = min_of_a_nan::grad(-0.5);
    assert_eq!((value, g.x), (-0.5, 1.0));
}

/// Found by the fuzzer: two values carried through a loop turn NaN, and only decide a
/// branch afterwards. The comparison hands back no derivative, and its 0 used to be
/// multiplied through the loop's backward run, where 0 · NaN made the gradient NaN.
#[differentiable(wrt(z, y))]
fn nan_loop_deciding_a_branch(z: f64, y: f64) -> f64 {
    let mut u = y;
    let mut v = y;
    for _ in 0..3 {
        (u, v) = (v * f64::NAN, u + (v * z).sin());
    }
    (if 1.5 - v >= y { z * 2.0 } else { z * 3.0 }) + y
}

#[test]
fn a_value_that_only_decides_a_branch_adds_no_nan_to_the_gradient() {
    let (value, g) = nan_loop_deciding_a_branch::grad(0.5, 0.25);
    assert_eq!((value, g.z, g.y), (1.75, 3.0, 1.0));
}

#[differentiable(wrt(w))]
fn tensor_abs_in_a_loop(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let mut acc = x.clone();
    for _ in 0..3 {
        acc = (acc.dot(w)).abs() + 0.5;
    }
    sum(acc)
}

#[test]
fn abs_inside_a_tensor_loop_compiles() {
    let w = cadena::ndarray::array![[0.5, -0.2], [0.1, 0.3]];
    let x = cadena::ndarray::array![[1.0, -2.0]];
    let (value, _) = tensor_abs_in_a_loop::grad(&w, &x);
    assert!((value - tensor_abs_in_a_loop(&w, &x)).abs() < 1e-12);
}

#[differentiable]
fn logistic_loss(z: f64, y: f64) -> f64 {
    bce(sigmoid(z), y)
}

#[test]
fn the_fused_logistic_loss_and_its_gradient_stay_accurate_at_large_logits() {
    // References: log1p(e^-z) and -1/(1 + e^z), from mpmath at 60 digits, rounded to
    // f64 (runtime/tools/loss_references.py computes the same family).
    for (z, loss, grad) in [
        (30.0, 9.357622968839737e-14, -9.357622968839299e-14),
        (36.0, 2.319522830243569e-16, -2.3195228302435686e-16),
        (700.0, 9.85967654375977e-305, -9.85967654375977e-305),
    ] {
        let (value, g) = logistic_loss::grad(z, 1.0);
        assert!(
            ((value - loss) / loss).abs() < 4e-16,
            "loss at {z}: {value}"
        );
        assert!(
            ((g.z - grad) / grad).abs() < 4e-16,
            "gradient at {z}: {}",
            g.z
        );
    }
    assert_eq!(
        logistic_loss::DERIVATION.lines().next(),
        Some("dL/dz = sigmoid(z) - y")
    );
}

#[allow(unused_variables)]
#[differentiable]
fn an_unused_shadowing_let(a: f64, b: f64) -> f64 {
    let v = a * 2.0;
    let a = b;
    v
}

#[test]
fn an_unused_let_shadowing_an_argument_leaves_the_argument_alone_before_it() {
    let (value, g) = an_unused_shadowing_let::grad(1.5, 4.0);
    assert_eq!((value, g.a, g.b), (3.0, 2.0, 0.0));
}

/// 120 chained elementwise `let`s: fused maps are cut every 32 links, so no emitted
/// expression nests deeper than that however long the chain.
#[differentiable(wrt(w))]
fn chained(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let s0 = x.dot(w);
    let s1 = s0.sin() + x.dot(w);
    let s2 = s1.sin() + x.dot(w);
    let s3 = s2.sin() + x.dot(w);
    let s4 = s3.sin() + x.dot(w);
    let s5 = s4.sin() + x.dot(w);
    let s6 = s5.sin() + x.dot(w);
    let s7 = s6.sin() + x.dot(w);
    let s8 = s7.sin() + x.dot(w);
    let s9 = s8.sin() + x.dot(w);
    let s10 = s9.sin() + x.dot(w);
    let s11 = s10.sin() + x.dot(w);
    let s12 = s11.sin() + x.dot(w);
    let s13 = s12.sin() + x.dot(w);
    let s14 = s13.sin() + x.dot(w);
    let s15 = s14.sin() + x.dot(w);
    let s16 = s15.sin() + x.dot(w);
    let s17 = s16.sin() + x.dot(w);
    let s18 = s17.sin() + x.dot(w);
    let s19 = s18.sin() + x.dot(w);
    let s20 = s19.sin() + x.dot(w);
    let s21 = s20.sin() + x.dot(w);
    let s22 = s21.sin() + x.dot(w);
    let s23 = s22.sin() + x.dot(w);
    let s24 = s23.sin() + x.dot(w);
    let s25 = s24.sin() + x.dot(w);
    let s26 = s25.sin() + x.dot(w);
    let s27 = s26.sin() + x.dot(w);
    let s28 = s27.sin() + x.dot(w);
    let s29 = s28.sin() + x.dot(w);
    let s30 = s29.sin() + x.dot(w);
    let s31 = s30.sin() + x.dot(w);
    let s32 = s31.sin() + x.dot(w);
    let s33 = s32.sin() + x.dot(w);
    let s34 = s33.sin() + x.dot(w);
    let s35 = s34.sin() + x.dot(w);
    let s36 = s35.sin() + x.dot(w);
    let s37 = s36.sin() + x.dot(w);
    let s38 = s37.sin() + x.dot(w);
    let s39 = s38.sin() + x.dot(w);
    let s40 = s39.sin() + x.dot(w);
    let s41 = s40.sin() + x.dot(w);
    let s42 = s41.sin() + x.dot(w);
    let s43 = s42.sin() + x.dot(w);
    let s44 = s43.sin() + x.dot(w);
    let s45 = s44.sin() + x.dot(w);
    let s46 = s45.sin() + x.dot(w);
    let s47 = s46.sin() + x.dot(w);
    let s48 = s47.sin() + x.dot(w);
    let s49 = s48.sin() + x.dot(w);
    let s50 = s49.sin() + x.dot(w);
    let s51 = s50.sin() + x.dot(w);
    let s52 = s51.sin() + x.dot(w);
    let s53 = s52.sin() + x.dot(w);
    let s54 = s53.sin() + x.dot(w);
    let s55 = s54.sin() + x.dot(w);
    let s56 = s55.sin() + x.dot(w);
    let s57 = s56.sin() + x.dot(w);
    let s58 = s57.sin() + x.dot(w);
    let s59 = s58.sin() + x.dot(w);
    let s60 = s59.sin() + x.dot(w);
    let s61 = s60.sin() + x.dot(w);
    let s62 = s61.sin() + x.dot(w);
    let s63 = s62.sin() + x.dot(w);
    let s64 = s63.sin() + x.dot(w);
    let s65 = s64.sin() + x.dot(w);
    let s66 = s65.sin() + x.dot(w);
    let s67 = s66.sin() + x.dot(w);
    let s68 = s67.sin() + x.dot(w);
    let s69 = s68.sin() + x.dot(w);
    let s70 = s69.sin() + x.dot(w);
    let s71 = s70.sin() + x.dot(w);
    let s72 = s71.sin() + x.dot(w);
    let s73 = s72.sin() + x.dot(w);
    let s74 = s73.sin() + x.dot(w);
    let s75 = s74.sin() + x.dot(w);
    let s76 = s75.sin() + x.dot(w);
    let s77 = s76.sin() + x.dot(w);
    let s78 = s77.sin() + x.dot(w);
    let s79 = s78.sin() + x.dot(w);
    let s80 = s79.sin() + x.dot(w);
    let s81 = s80.sin() + x.dot(w);
    let s82 = s81.sin() + x.dot(w);
    let s83 = s82.sin() + x.dot(w);
    let s84 = s83.sin() + x.dot(w);
    let s85 = s84.sin() + x.dot(w);
    let s86 = s85.sin() + x.dot(w);
    let s87 = s86.sin() + x.dot(w);
    let s88 = s87.sin() + x.dot(w);
    let s89 = s88.sin() + x.dot(w);
    let s90 = s89.sin() + x.dot(w);
    let s91 = s90.sin() + x.dot(w);
    let s92 = s91.sin() + x.dot(w);
    let s93 = s92.sin() + x.dot(w);
    let s94 = s93.sin() + x.dot(w);
    let s95 = s94.sin() + x.dot(w);
    let s96 = s95.sin() + x.dot(w);
    let s97 = s96.sin() + x.dot(w);
    let s98 = s97.sin() + x.dot(w);
    let s99 = s98.sin() + x.dot(w);
    let s100 = s99.sin() + x.dot(w);
    let s101 = s100.sin() + x.dot(w);
    let s102 = s101.sin() + x.dot(w);
    let s103 = s102.sin() + x.dot(w);
    let s104 = s103.sin() + x.dot(w);
    let s105 = s104.sin() + x.dot(w);
    let s106 = s105.sin() + x.dot(w);
    let s107 = s106.sin() + x.dot(w);
    let s108 = s107.sin() + x.dot(w);
    let s109 = s108.sin() + x.dot(w);
    let s110 = s109.sin() + x.dot(w);
    let s111 = s110.sin() + x.dot(w);
    let s112 = s111.sin() + x.dot(w);
    let s113 = s112.sin() + x.dot(w);
    let s114 = s113.sin() + x.dot(w);
    let s115 = s114.sin() + x.dot(w);
    let s116 = s115.sin() + x.dot(w);
    let s117 = s116.sin() + x.dot(w);
    let s118 = s117.sin() + x.dot(w);
    let s119 = s118.sin() + x.dot(w);
    let s120 = s119.sin() + x.dot(w);
    sum(s120)
}

#[test]
fn a_long_chain_of_elementwise_lets_is_fused_in_bounded_pieces() {
    let x = cadena::ndarray::array![[0.1, 0.2], [0.3, -0.4]];
    let w = cadena::ndarray::array![[0.5, -0.1], [0.2, 0.3]];
    let (value, g) = chained::grad(&x, &w);
    assert!((value - chained(&x, &w)).abs() < 1e-9);
    let h = 1e-6;
    let (mut up, mut down) = (w.clone(), w.clone());
    up[[0, 1]] += h;
    down[[0, 1]] -= h;
    let numeric = (chained(&x, &up) - chained(&x, &down)) / (2.0 * h);
    assert!((g.w[[0, 1]] - numeric).abs() < 1e-5 * (1.0 + numeric.abs()));
}

/// A `let` named like the generated code's temporaries (`t1`, `t6`): the gradient read
/// the user's value in place of its own (found by the random program generator).
#[differentiable]
fn named_like_a_temporary(x: f64) -> f64 {
    let t1 = x.sin().powf(1.5);
    t1
}

#[differentiable]
fn carried_named_like_a_temporary(c: f64) -> f64 {
    let mut s = 0.0;
    let mut t6 = c.exp();
    for _ in 0..2 {
        (s, t6) = (t6, s + t6);
    }
    s + t6
}

#[test]
fn lets_named_like_temporaries_keep_their_gradients() {
    let x: f64 = 1.1;
    let (v, g) = named_like_a_temporary::grad(x);
    assert_eq!(v, x.sin().powf(1.5));
    let want = 1.5 * x.sin().sqrt() * x.cos();
    assert!((g.x - want).abs() < 1e-12, "{} vs {want}", g.x);
    let c: f64 = 0.3;
    let (v, g) = carried_named_like_a_temporary::grad(c);
    // s, t = (0, e^c) -> (e^c, e^c) -> (e^c, 2e^c): s + t = 3e^c.
    assert!((v - 3.0 * c.exp()).abs() < 1e-12);
    assert!((g.c - 3.0 * c.exp()).abs() < 1e-12);
}

/// A fuzzer finding: the condition reads a NaN (`(y + NaN).log2()`), so the comparison is
/// false and the value is `z^1.5 + z`; its derivative with respect to `y` is 0, not the
/// NaN that 0 (the comparison's adjoint) times the logarithm's partial would give.
#[differentiable(wrt(z, y))]
fn nan_in_a_condition(z: f64, y: f64) -> f64 {
    (if y >= (y + f64::NAN).log2() {
        y
    } else {
        z.powf(1.5)
    }) + z
}

#[test]
fn a_zero_adjoint_passes_nothing_through_a_nan_partial() {
    let (value, g) = nan_in_a_condition::grad(0.25, -0.8);
    assert_eq!(value, 0.25_f64.powf(1.5) + 0.25);
    assert_eq!(g.y, 0.0);
    assert_eq!(g.z, 1.5 * 0.25_f64.sqrt() + 1.0);
}

/// A fuzzer finding: `f64::from(b)`, in a binding the result does not read, was taken for
/// a call of a `#[differentiable]` function (`f64::from_needs_differentiable_attribute!`).
/// Of a float it is that float.
#[differentiable]
fn primitive_path_in_a_dead_let(w1: f64, b: f64, x1: f64) -> f64 {
    let _v = f64::from(b);
    w1 * x1 + b
}

#[test]
fn a_path_through_a_primitive_type_is_not_imported() {
    let (value, g) = primitive_path_in_a_dead_let::grad(2.0, 0.5, 3.0);
    assert_eq!((value, g.w1, g.b, g.x1), (6.5, 3.0, 1.0, 2.0));
}

/// A float's method called by its path (`f64::sin(x)`, `f64::max(a, b)`) is the method
/// on its first argument, live or in a dead `let` (a fuzzer finding: `f64::asin(b)` in a
/// dead `let` was taken for another crate's function, and its expansion did not compile).
#[differentiable]
fn methods_by_path(a: f64, b: f64) -> f64 {
    let _unused = f64::exp(b);
    f64::max(a, b) * f64::sin(a) + f64::powi(b, 2)
}

#[test]
fn a_float_method_called_by_its_path_is_the_method() {
    let (a, b) = (0.7, 0.3);
    let (value, g) = methods_by_path::grad(a, b);
    assert_eq!(value, a.max(b) * a.sin() + b.powi(2));
    // a > b: d/da = sin(a) + a cos(a); d/db = 2b.
    assert!((g.a - (a.sin() + a * a.cos())).abs() < 1e-15);
    assert!((g.b - 2.0 * b).abs() < 1e-15);
}

// An argument of the other float type that the body neither reads nor differentiates is
// valid Rust; the check that a model's floats are the function's skipped it (a fuzzer
// finding: "this model's parameters are `f64`" on an unused `&[f64; 3]`).
#[differentiable(wrt(b))]
fn unused_other_float_array(b: f32, _v: &[f64; 3]) -> f32 {
    b * b
}

// Differentiated too (no `wrt`: every float argument): its gradient is zeros of its own
// type.
#[differentiable]
#[allow(unused_variables)]
fn unused_other_float_array_differentiated(v: &[f64; 3], b: f32) -> f32 {
    b * b
}

#[test]
fn an_unused_argument_of_the_other_float_type_is_accepted() {
    let (value, g) = unused_other_float_array::grad(3.0, &[1.0; 3]);
    assert_eq!((value, g.b), (9.0, 6.0));
    let (value, g) = unused_other_float_array_differentiated::grad(&[1.0; 3], 3.0);
    assert_eq!((value, g.b, g.v), (9.0, 6.0, [0.0; 3]));
}

// A gate (relu's step, max's routing) selects the adjoint instead of multiplying it: where
// it is shut the gradient is 0, also when what it gates is infinite at the clamped value
// (`sqrt` at 0 has derivative ∞, and 0 · ∞ was NaN; a fuzzer finding).
#[differentiable]
fn sqrt_of_relu(a: f64) -> f64 {
    relu(a - 1.0).sqrt()
}

#[differentiable]
fn sqrt_of_relu_array(x: &cadena::ndarray::Array1<f64>) -> f64 {
    sum(sqrt(relu(x - 1.0)))
}

#[test]
fn a_shut_gate_gives_zero_not_nan() {
    assert_eq!(
        sqrt_of_relu::grad(-1.0),
        (0.0, sqrt_of_relu::Grad { a: 0.0 })
    );
    assert_eq!(sqrt_of_relu::grad(5.0).1.a, 0.25);
    let x = cadena::ndarray::array![-1.0, 5.0];
    let (value, g) = sqrt_of_relu_array::grad(&x);
    assert_eq!(value, 2.0);
    assert_eq!(g.x.to_vec(), vec![0.0, 0.25]);
}

// The same in `grad_sum`, whose batched kernels are compiled apart.
#[differentiable(wrt(w))]
fn sqrt_of_relu_sample(w: f64, x: f64) -> f64 {
    relu(x - w).sqrt()
}

#[test]
fn a_shut_gate_gives_zero_in_a_batched_gradient_too() {
    // x - w = -2 or 4: every other sample's gate is open (d/dw = -1/4 there); 32
    // samples, so that whole chunks run the vectorised kernels.
    let xs: Vec<f64> = (0..32)
        .map(|i| if i % 2 == 0 { -1.0 } else { 5.0 })
        .collect();
    let (total, g) = sqrt_of_relu_sample::grad_sum(1.0, &xs);
    assert_eq!(total, 32.0);
    assert_eq!(g.w, -4.0);
}

// What a gate selects may be written as a block (a constant from the scope is emitted as
// `{ let c: f64 = K; c }`), and a user's name may be `gate`: the select binds both first,
// under hygienic names (a fuzzer finding: `{ {..} * gate }` parsed as a statement and a
// dereference).
const K: f64 = 0.7;

#[differentiable(wrt(b))]
fn gated_constant(b: f64) -> f64 {
    let gate = 0.25_f64 + b;
    bce(sigmoid(K), tanh(gate).min(b.tanh().tan())) + b * 1e-3
}

#[test]
fn a_gate_selecting_a_constant_compiles_and_matches_finite_differences() {
    for b in [-0.8, 0.3] {
        let (value, g) = gated_constant::grad(b);
        assert!((value - gated_constant(b)).abs() < 1e-12);
        let fd = (gated_constant(b + 1e-6) - gated_constant(b - 1e-6)) / 2e-6;
        assert!((g.b - fd).abs() < 1e-6, "at {b}: {} vs {fd}", g.b);
    }
}

// A value made of one float shared many times over (`s + s`, 40 deep: 2^40 paths through
// the graph), then compared in an `if` of ndarray code and chosen between arms: the
// checks of what is an array walked every path (the expansion never finished); they
// now visit each node once.
#[differentiable(wrt(x))]
fn doubled_forty_times(x: &Array2<f64>, c: f64) -> f64 {
    let s = c + c;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let s = s + s;
    let y = if s > 1.0 { x * s } else { x * 2.0 };
    sum(y) + sum(logsumexp(softmax(x, Axis(1)) * s, Axis(1)))
}

#[test]
fn a_value_shared_along_many_paths_is_checked_once_per_node() {
    let x = Array2::from_elem((2, 3), 0.5);
    // s = 2^40 c. At s = 1, the `else` arm: y = 2x; at s = 4, y = 4x. The rows of the
    // softmax are all 1/3, so each row's logsumexp is s/3 + ln 3 and its gradient 0.
    let (value, g) = doubled_forty_times::grad(&x, 2f64.powi(-40));
    let expected = 6.0 + 2.0 * (1.0 / 3.0 + 3f64.ln());
    assert!(
        (value - expected).abs() < 1e-12,
        "{value} against {expected}"
    );
    assert!(g.x.iter().all(|d| (d - 2.0).abs() < 1e-12), "{:?}", g.x);
    let (value, g) = doubled_forty_times::grad(&x, 2f64.powi(-38));
    let expected = 12.0 + 2.0 * (4.0 / 3.0 + 3f64.ln());
    assert!(
        (value - expected).abs() < 1e-12,
        "{value} against {expected}"
    );
    assert!(g.x.iter().all(|d| (d - 4.0).abs() < 1e-12), "{:?}", g.x);
}

// `assume_finite` in ndarray code: `v * 0.0` is an array of zeros there, which a loop
// carries as an array (a fuzzer finding: the law `x * 0 == 0` made it the float 0, and the
// generated loop did not compile). The laws change nothing in ndarray code.
#[differentiable(wrt(w), assume_finite)]
fn zeros_carried(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let h = x.dot(w);
    let mut s = h * 0.0;
    for _ in 0..2 {
        s = tanh(&s + &h);
    }
    mean(&s * &s)
}

#[differentiable(wrt(w))]
fn zeros_carried_exactly(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let h = x.dot(w);
    let mut s = h * 0.0;
    for _ in 0..2 {
        s = tanh(&s + &h);
    }
    mean(&s * &s)
}

#[test]
fn assume_finite_keeps_an_array_times_zero_an_array() {
    let w = Array2::from_shape_fn((3, 2), |(i, j)| (i as f64 - j as f64) * 0.3);
    let x = Array2::from_shape_fn((4, 3), |(i, j)| ((i + 2 * j) as f64 * 0.7).sin());
    let (a, ga) = zeros_carried::grad(&w, &x);
    let (b, gb) = zeros_carried_exactly::grad(&w, &x);
    assert_eq!(a, b);
    assert_eq!(ga.w, gb.w);
    assert!(a > 0.0);
}

// A `match` whose arms name no type (`_ => y`) in ndarray code compiles: its patterns
// say nothing to check (a fuzzer finding: the check of the patterns left rustc a closure
// argument of no inferable type, reported on the attribute).
#[differentiable(wrt(w))]
fn wildcard_match(w: &Array2<f64>, x: &Array2<f64>, labels: &[usize]) -> f64 {
    let _same = match labels {
        _ => labels,
    };
    softmax_cross_entropy(x.dot(w), labels)
}

#[test]
fn a_match_of_wildcards_compiles() {
    let w = Array2::from_shape_fn((3, 2), |(i, j)| (i as f64 - j as f64) * 0.3);
    let x = Array2::from_shape_fn((2, 3), |(i, j)| ((i + 2 * j) as f64 * 0.7).sin());
    let (loss, g) = wildcard_match::grad(&w, &x, &[0, 1]);
    assert!(loss > 0.0 && g.w.iter().all(|v| v.is_finite()));
}
