//! Scalar kernels, generic over `f32` and `f64`, written to stay finite and accurate over
//! the whole input range. Generated code and the array ops both call these.

use crate::Float;

/// The logistic function `1 / (1 + e^-x)`, evaluated without overflow for any `x`.
///
/// ```text
/// x >= 0:  1 / (1 + e^-x)
/// x <  0:  e^x / (1 + e^x)
/// ```
///
/// ```
/// use cadena::ops::scalar::sigmoid;
/// assert_eq!(sigmoid(0.0_f64), 0.5);
/// assert_eq!(sigmoid(-800.0_f64), 0.0);
/// assert_eq!(sigmoid(800.0_f64), 1.0);
/// ```
///
/// Computed branch-free from `e = e^-|x|` (the same values bit for bit): the two cases
/// differ only in the numerator, a select, so random signs cost no mispredicted branch,
/// and `e^-|x|` is the exponential [`softplus`] computes too, which the compiler shares
/// when both are inlined (as in `bce(sigmoid(z), y)`'s value and gradient).
#[inline(always)]
pub fn sigmoid<T: Float>(x: T) -> T {
    let e = (-x.abs()).exp();
    let numerator = if x >= T::zero() { T::one() } else { e };
    numerator / (T::one() + e)
}

/// `ln(1 + e^x)`, exact to rounding for every `x` (no overflow for large `x`, no loss of
/// precision for very negative `x`).
///
/// ```text
/// softplus(x) = max(x, 0) + ln_1p(e^-|x|)
/// ```
///
/// ```
/// use cadena::ops::scalar::softplus;
/// assert_eq!(softplus(800.0_f64), 800.0);
/// assert!((softplus(0.0_f64) - 2f64.ln()).abs() < 1e-15);
/// assert!(softplus(-800.0_f64) >= 0.0);
/// ```
#[inline(always)]
pub fn softplus<T: Float>(x: T) -> T {
    x.max(T::zero()) + ln_1p_unit((-x.abs()).exp())
}

/// `ln(1 + e)` for `e` in `[0, 1]`, through `ln` rather than `ln_1p`: with `u = 1 + e`
/// rounded, `ln(u) · e / (u - 1)` corrects the rounding of `u` (Goldberg's formula,
/// within a few ulp of `ln_1p`), and where `u` rounds to 1, `ln(1 + e) = e` to the last
/// bit. One `ln` and a division cost less than libm's `ln_1p`, and both cases are
/// computed and selected, without a branch.
#[inline(always)]
fn ln_1p_unit<T: Float>(e: T) -> T {
    let u = T::one() + e;
    let d = u - T::one();
    // `d` is 0 exactly when `u` rounded to 1; dividing by 1 there keeps the unused
    // lane finite.
    let corrected = u.ln() * e / if d == T::zero() { T::one() } else { d };
    if d == T::zero() { e } else { corrected }
}

/// `x / (1 + |x|)`: a sigmoid-shaped activation in (-1, 1) whose tails approach their
/// limits polynomially instead of exponentially, so it saturates later than `tanh`.
///
/// ```
/// use cadena::ops::scalar::softsign;
/// assert_eq!(softsign(1.0_f64), 0.5);
/// assert_eq!(softsign(-3.0_f32), -0.75);
/// assert_eq!(softsign(0.0_f64), 0.0);
/// ```
#[inline(always)]
pub fn softsign<T: Float>(x: T) -> T {
    x / (T::one() + x.abs())
}

/// `max(x, 0)`.
///
/// ```
/// assert_eq!(cadena::ops::scalar::relu(-2.0_f32), 0.0);
/// assert_eq!(cadena::ops::scalar::relu(3.0_f32), 3.0);
/// ```
#[inline(always)]
pub fn relu<T: Float>(x: T) -> T {
    if x > T::zero() { x } else { T::zero() }
}

/// The derivative of [`relu`]: 1 where `x > 0`, else 0 (the subgradient at 0 is 0).
///
/// ```
/// assert_eq!(cadena::ops::scalar::step(0.0_f64), 0.0);
/// assert_eq!(cadena::ops::scalar::step(1e-300_f64), 1.0);
/// ```
#[inline(always)]
pub fn step<T: Float>(x: T) -> T {
    if x > T::zero() { T::one() } else { T::zero() }
}

/// 1 where `max(a, b)` returns `a`, else 0: routes the adjoint of `max(a, b)`. Ties go
/// to `a`, as `f64::max` returns `a` then; a NaN operand is ignored by `max`, so the
/// adjoint goes to the other one.
///
/// ```
/// use cadena::ops::scalar::ge;
/// assert_eq!(ge(2.0_f64, 1.0), 1.0);
/// assert_eq!(ge(1.0_f64, 2.0), 0.0);
/// assert_eq!((ge(1.0_f64, f64::NAN), ge(f64::NAN, 1.0_f64)), (1.0, 0.0));
/// ```
#[inline(always)]
pub fn ge<T: Float>(a: T, b: T) -> T {
    if a >= b || (b.is_nan() && !a.is_nan()) {
        T::one()
    } else {
        T::zero()
    }
}

/// 1 where `min(a, b)` returns `a`, else 0: routes the adjoint of `min(a, b)`. Ties go
/// to `a`; a NaN operand is ignored by `min`, so the adjoint goes to the other one.
///
/// ```
/// use cadena::ops::scalar::le;
/// assert_eq!(le(1.0_f64, 2.0), 1.0);
/// assert_eq!(le(2.0_f64, 1.0), 0.0);
/// assert_eq!((le(1.0_f64, f64::NAN), le(f64::NAN, 1.0_f64)), (1.0, 0.0));
/// ```
#[inline(always)]
pub fn le<T: Float>(a: T, b: T) -> T {
    if a <= b || (b.is_nan() && !a.is_nan()) {
        T::one()
    } else {
        T::zero()
    }
}

/// The larger of `a` and `b`; NaN if either is NaN (as NumPy's `maximum`, where
/// `f64::max` would return the other operand and hide the NaN).
///
/// ```
/// use cadena::ops::scalar::maximum;
/// assert_eq!(maximum(1.0_f64, 3.0), 3.0);
/// assert!(maximum(f64::NAN, 3.0).is_nan());
/// assert!(maximum(3.0, f64::NAN).is_nan());
/// ```
#[inline(always)]
pub fn maximum<T: Float>(a: T, b: T) -> T {
    // `a > b` is false when `b` is NaN, so `b`, the NaN, is returned; a NaN `a` is caught
    // by the second test.
    if a > b || a.is_nan() { a } else { b }
}

/// The smaller of `a` and `b`; NaN if either is NaN (as NumPy's `minimum`).
///
/// ```
/// use cadena::ops::scalar::minimum;
/// assert_eq!(minimum(1.0_f32, 3.0), 1.0);
/// assert!(minimum(1.0_f64, f64::NAN).is_nan());
/// ```
#[inline(always)]
pub fn minimum<T: Float>(a: T, b: T) -> T {
    if a < b || a.is_nan() { a } else { b }
}

/// The share of the gradient of [`maximum`]`(a, b)` that goes to `a`: 1 if `a > b`, 0 if
/// `a < b`, and 0.5 at a tie, where the two split it evenly (a subgradient, and the
/// average of the one-sided derivatives). `b`'s share is `above(b, a)`, so the shares
/// always add up to 1. A NaN counts as the larger value, because the NaN result came from
/// it: 1 if only `a` is NaN, 0 if only `b` is, 0.5 if both are.
///
/// ```
/// use cadena::ops::scalar::above;
/// assert_eq!(above(2.0_f64, 1.0), 1.0);
/// assert_eq!(above(1.0_f64, 2.0), 0.0);
/// assert_eq!(above(2.0_f64, 2.0), 0.5);
/// assert_eq!(above(f64::NAN, 2.0), 1.0);
/// assert_eq!(above(2.0, f64::NAN), 0.0);
/// ```
#[inline(always)]
pub fn above<T: Float>(a: T, b: T) -> T {
    let half = T::of(0.5);
    match (a.is_nan(), b.is_nan()) {
        (true, true) => half,
        (true, false) => T::one(),
        (false, true) => T::zero(),
        (false, false) if a > b => T::one(),
        (false, false) if a < b => T::zero(),
        (false, false) => half,
    }
}

/// The share of the gradient of [`minimum`]`(a, b)` that goes to `a`: 1 if `a < b`, 0 if
/// `a > b`, 0.5 at a tie; `b`'s share is `below(b, a)`. As in [`above`], a NaN operand
/// takes the whole gradient (half each if both are NaN).
///
/// ```
/// use cadena::ops::scalar::below;
/// assert_eq!(below(1.0_f64, 2.0), 1.0);
/// assert_eq!(below(2.0_f64, 2.0), 0.5);
/// assert_eq!(below(f64::NAN, 2.0), 1.0);
/// ```
#[inline(always)]
pub fn below<T: Float>(a: T, b: T) -> T {
    above(-a, -b)
}

/// `a` where the condition `c` holds (is not 0), else `b`: an `if` on values in a
/// `#[differentiable]` body, with both arms computed. The gradient of the arm not taken
/// is an exact 0.
///
/// ```
/// use cadena::ops::scalar::if_else;
/// assert_eq!(if_else(1.0_f64, 2.0, 3.0), 2.0);
/// assert!(if_else(0.0_f64, 2.0, f64::NAN).is_nan());
/// assert_eq!(if_else(1.0_f64, 2.0, f64::NAN), 2.0);
/// ```
#[inline(always)]
pub fn if_else<T: Float>(c: T, a: T, b: T) -> T {
    if c != T::zero() { a } else { b }
}

/// `c`, unless the adjoint `g` is exactly 0: then 0, even if `c` is NaN or infinite. The
/// backward pass of an `if` on values adds the arm not taken through this, so its 0/0s
/// stay out of the gradient.
///
/// ```
/// use cadena::ops::scalar::guard;
/// assert_eq!(guard(0.0_f64, f64::NAN), 0.0);
/// assert_eq!(guard(2.0_f64, 3.0), 3.0);
/// ```
#[inline(always)]
pub fn guard<T: Float>(g: T, c: T) -> T {
    if g == T::zero() { T::zero() } else { c }
}

/// 1 where the comparison `code` holds between `a` and `b`, else 0: the conditions of an
/// `if` on values. Codes: 0 `<`, 1 `<=`, 2 `>`, 3 `>=`, 4 `==`, 5 `!=`.
///
/// ```
/// use cadena::ops::scalar::compare;
/// assert_eq!(compare(1.0_f64, 0, 2.0), 1.0);
/// assert_eq!(compare(1.0_f64, 2, 2.0), 0.0);
/// assert_eq!(compare(f64::NAN, 5, 2.0), 1.0);
/// ```
#[inline(always)]
pub fn compare<T: Float>(a: T, code: i32, b: T) -> T {
    let holds = match code {
        0 => a < b,
        1 => a <= b,
        2 => a > b,
        3 => a >= b,
        4 => a == b,
        _ => a != b,
    };
    if holds { T::one() } else { T::zero() }
}

/// The sign of `x` as the derivative of `|x|`: -1, 0 or 1 (0 at 0, the subgradient
/// cadena uses).
///
/// ```
/// assert_eq!(cadena::ops::scalar::sign(-3.0_f64), -1.0);
/// assert_eq!(cadena::ops::scalar::sign(0.0_f64), 0.0);
/// ```
#[inline(always)]
pub fn sign<T: Float>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}

/// Binary cross-entropy of a probability `a` against a target `y`:
///
/// ```text
/// bce(a, y) = -(y ln a + (1 - y) ln(1 - a))
/// ```
///
/// Infinite when `a` is exactly 0 or 1 on the wrong side; `#[differentiable]` rewrites
/// `bce(sigmoid(z), y)` into [`bce_logits`], which never is.
///
/// ```
/// let l = cadena::ops::scalar::bce(0.5_f64, 1.0);
/// assert!((l - 2f64.ln()).abs() < 1e-15);
/// ```
#[inline(always)]
pub fn bce<T: Float>(a: T, y: T) -> T {
    -(y * a.ln() + (T::one() - y) * (-a).ln_1p())
}

/// Binary cross-entropy of `sigmoid(z)` against `y`, computed from the logit `z`:
///
/// ```text
/// bce(sigmoid(z), y) = (1 - y) softplus(z) + y softplus(-z)
///                    = (1 - y) max(z, 0) + y max(-z, 0) + ln_1p(e^-|z|)
/// ```
///
/// For a label `y` in [0, 1] every term is non-negative, so nothing cancels: the loss is
/// within a few ulp of the exact value, in relative terms, for every finite `z`. The
/// usual `max(z, 0) - z y + ln_1p(e^-|z|)` (PyTorch's `BCEWithLogits`) cancels where the
/// loss is small: at `y = 1`, `z = 30` it is `30 - 30 + 9.4e-14`, 1.3 % off, and 0 from
/// `z = 35` on. Measured against 60-digit values (`runtime/tools/loss_references.py`) at
/// `z = ±20, ±30, ±36, ±700`, `y = 0, 1, 0.25`: within 2 ulp.
///
/// ```
/// use cadena::ops::scalar::bce_logits;
/// assert_eq!(bce_logits(800.0_f64, 0.0), 800.0);
/// assert_eq!(bce_logits(-800.0_f64, 1.0), 800.0);
/// // ln(1 + e^-40) = 4.248354255291589e-18: a confident, correct prediction.
/// assert_eq!(bce_logits(40.0_f64, 1.0), 4.248354255291589e-18);
/// assert!(bce_logits(700.0_f64, 1.0) > 0.0);
/// ```
#[inline(always)]
pub fn bce_logits<T: Float>(z: T, y: T) -> T {
    // `e^-|z|` and its `ln_1p`, shared by both softplus terms (`softplus(z)` and
    // `softplus(-z)` differ only in the `max`).
    let tail = ln_1p_unit((-z.abs()).exp());
    (T::one() - y) * z.max(T::zero()) + y * (-z).max(T::zero()) + tail
}

/// The derivative of [`bce_logits`] in `z`, `sigmoid(z) - y`, written so that it keeps
/// its relative accuracy where it is small:
///
/// ```text
/// d bce_logits(z, y) / dz = (1 - y) sigmoid(z) - y sigmoid(-z)
/// ```
///
/// At `y = 1` that is `-sigmoid(-z)`, exact to rounding however large `z` is, where
/// `sigmoid(z) - 1` is 0 from `z = 37` on; at `y = 0` it is `sigmoid(z)`, the bits of
/// `sigmoid(z) - y`. For a label strictly between 0 and 1 the two forms agree to an ulp
/// of the larger term. `sigmoid(z)` and `sigmoid(-z)` share their exponential `e^-|z|`,
/// which the compiler computes once.
///
/// ```
/// use cadena::ops::scalar::{bce_logits_grad, sigmoid};
/// assert_eq!(bce_logits_grad(0.0_f64, 1.0), -0.5);
/// assert_eq!(bce_logits_grad(3.0_f64, 0.0), sigmoid(3.0));
/// // -sigmoid(-40) = -4.248354255291589e-18, where sigmoid(40) - 1 is 0.
/// assert_eq!(bce_logits_grad(40.0_f64, 1.0), -4.248354255291589e-18);
/// assert_eq!(bce_logits_grad(-800.0_f64, 1.0), -1.0);
/// ```
#[inline(always)]
pub fn bce_logits_grad<T: Float>(z: T, y: T) -> T {
    (T::one() - y) * sigmoid(z) - y * sigmoid(-z)
}

/// Squared error `(a - y)^2`.
///
/// ```
/// assert_eq!(cadena::ops::scalar::mse(3.0_f64, 1.0), 4.0);
/// ```
#[inline(always)]
pub fn mse<T: Float>(a: T, y: T) -> T {
    let d = a - y;
    d * d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_is_symmetric_and_finite_at_the_extremes() {
        for x in [-1e4, -800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0, 1e4] {
            let s: f64 = sigmoid(x);
            assert!(s.is_finite());
            assert!((s + sigmoid(-x) - 1.0).abs() < 1e-15, "x = {x}");
        }
    }

    #[test]
    fn ln_1p_through_ln_stays_within_four_ulp_of_ln_1p() {
        let mut e = 1.0_f64;
        while e > 1e-300 {
            for x in [e, e * 0.7, e * 0.55] {
                let (got, want) = (ln_1p_unit(x), x.ln_1p());
                let ulp = want.abs() * f64::EPSILON;
                assert!(
                    (got - want).abs() <= 4.0 * ulp,
                    "ln(1 + {x:e}): {got:e} vs {want:e}"
                );
                let (got, want) = (ln_1p_unit(x as f32), (x as f32).ln_1p());
                let ulp = want.abs() * f32::EPSILON;
                assert!(
                    (got - want).abs() <= 4.0 * ulp,
                    "f32 ln(1 + {x:e}): {got:e} vs {want:e}"
                );
            }
            e *= 0.9;
        }
        assert_eq!(ln_1p_unit(0.0_f64), 0.0);
    }

    #[test]
    fn softplus_matches_the_naive_form_where_that_is_accurate() {
        for x in [-20.0_f64, -3.0, -0.5, 0.0, 0.5, 3.0, 20.0] {
            let naive = (1.0 + x.exp()).ln();
            assert!(
                (softplus(x) - naive).abs() <= 1e-15 * naive.max(1.0),
                "x = {x}"
            );
        }
    }

    #[test]
    fn bce_logits_equals_bce_of_sigmoid_in_the_safe_range() {
        for z in [-5.0_f64, -1.0, 0.0, 0.3, 4.0] {
            for y in [0.0, 0.3, 1.0] {
                let direct = bce(sigmoid(z), y);
                assert!(
                    (bce_logits(z, y) - direct).abs() < 1e-12,
                    "z = {z}, y = {y}"
                );
            }
        }
    }

    /// How many ulp of `want` apart the two are (0 when equal, infinite from a zero).
    fn ulps<T: Float>(got: T, want: T) -> f64 {
        let (got, want) = (got.to_f64_lossless(), want.to_f64_lossless());
        if got == want {
            return 0.0;
        }
        let eps = if size_of::<T>() == 4 {
            f64::from(f32::EPSILON)
        } else {
            f64::EPSILON
        };
        (got - want).abs() / (want.abs() * eps)
    }

    #[test]
    fn bce_logits_and_its_gradient_are_within_two_ulp_of_high_precision_values() {
        use crate::ops::loss_references::BCE_LOGITS;
        for (z, y, loss, grad) in BCE_LOGITS {
            let (got, d) = (bce_logits(z, y), bce_logits_grad(z, y));
            assert!(
                ulps(got, loss) <= 2.0,
                "bce_logits({z}, {y}) = {got:e}, not {loss:e}"
            );
            assert!(
                ulps(d, grad) <= 2.0,
                "bce_logits_grad({z}, {y}) = {d:e}, not {grad:e}"
            );
            // f32 computes in f32 and is compared with the value rounded to f32 (0 at ±700).
            let (z, y) = (z as f32, y as f32);
            let (got, d) = (bce_logits(z, y), bce_logits_grad(z, y));
            assert!(
                ulps(got, loss as f32) <= 2.0,
                "f32 bce_logits({z}, {y}) = {got:e}"
            );
            assert!(
                ulps(d, grad as f32) <= 2.0,
                "f32 bce_logits_grad({z}, {y}) = {d:e}"
            );
        }
    }

    #[test]
    fn bce_logits_grad_is_sigmoid_minus_the_label() {
        for z in [-800.0_f64, -30.0, -3.0, -0.5, 0.0, 0.5, 3.0, 30.0, 800.0] {
            // At y = 0 the same bits; elsewhere within an ulp of the larger term.
            assert_eq!(bce_logits_grad(z, 0.0).to_bits(), sigmoid(z).to_bits());
            for y in [0.3, 1.0] {
                let naive = sigmoid(z) - y;
                assert!(
                    (bce_logits_grad(z, y) - naive).abs() <= f64::EPSILON,
                    "z = {z}, y = {y}"
                );
            }
        }
    }

    #[test]
    fn maximum_and_minimum_return_nan_from_either_side() {
        let nan = f64::NAN;
        for (a, b) in [(nan, 1.0), (1.0, nan), (nan, nan), (nan, f64::INFINITY)] {
            assert!(maximum(a, b).is_nan(), "maximum({a}, {b})");
            assert!(minimum(a, b).is_nan(), "minimum({a}, {b})");
        }
        assert_eq!(maximum(-1.0_f32, f32::NEG_INFINITY), -1.0);
        assert_eq!(minimum(-1.0_f32, f32::NEG_INFINITY), f32::NEG_INFINITY);
    }

    #[test]
    fn the_shares_of_a_maximum_or_minimum_gradient_add_up_to_one() {
        let values = [
            f64::NAN,
            f64::NEG_INFINITY,
            -2.0,
            0.0,
            0.5,
            2.0,
            f64::INFINITY,
        ];
        for a in values {
            for b in values {
                assert_eq!(above(a, b) + above(b, a), 1.0, "above({a}, {b})");
                assert_eq!(below(a, b) + below(b, a), 1.0, "below({a}, {b})");
                // The share goes to the operand the value came from.
                let from_a = maximum(a, b).to_bits() == a.to_bits() && a != b;
                if from_a && !b.is_nan() {
                    assert_eq!(above(a, b), 1.0, "above({a}, {b})");
                }
                if a < b {
                    assert_eq!((above(a, b), below(a, b)), (0.0, 1.0));
                }
            }
        }
        assert_eq!(above(1.0_f32, 1.0), 0.5);
        assert_eq!(below(f32::NAN, f32::NAN), 0.5);
    }

    /// The branch-free sigmoid gives the bits of the two-case textbook-stable form.
    #[test]
    fn branch_free_sigmoid_has_the_bits_of_the_two_case_form() {
        fn two_cases(x: f64) -> f64 {
            if x >= 0.0 {
                1.0 / (1.0 + (-x).exp())
            } else {
                let e = x.exp();
                e / (1.0 + e)
            }
        }
        let mut x = -800.0_f64;
        while x <= 800.0 {
            assert_eq!(sigmoid(x).to_bits(), two_cases(x).to_bits(), "at {x}");
            x += 0.173;
        }
        for x in [0.0, -0.0, 1e-300, -1e-300, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(sigmoid(x).to_bits(), two_cases(x).to_bits(), "at {x}");
        }
        assert!(sigmoid(f64::NAN).is_nan());
    }
}
