//! Branch-free approximations of `exp`, `tanh` and the logistic sigmoid that LLVM
//! vectorises when applied over a slice (no libm calls, no data-dependent branches: range
//! checks compile to selects). In an MLP forward pass, libm's `tanh` costs more than the
//! matrix product; these kernels remove that cost.
//!
//! | function | f32 | f64 |
//! |---|---|---|
//! | [`exp`] | range reduction `2^k · e^r`, degree-7 Taylor on `\|r\| ≤ ln2/2` | same, degree 13 |
//! | [`tanh`] | rational `x·P(x²)/Q(x²)` (degrees 6 and 3) on `\|x\| ≤ 9` | `f64::tanh` (exact, libm) |
//! | [`sigmoid`] | `1 / (1 + e^-x)` with the fast `exp` | same |
//!
//! Every function is generic over [`Float`] and picks the `f32` or `f64` kernel by the
//! element's width at compile time. Error bounds are stated on each item and checked in
//! this module's tests on dense grids against the `f64` (libm) result.

use crate::Float;

/// Runs `kernel` compiled for the widest vector instructions this CPU has (AVX2 + FMA on
/// most x86-64 machines, though a default build only assumes SSE2), chosen at run time.
/// The loops inside are plain Rust that LLVM vectorises; `pulp` supplies the
/// feature-detected entry point, so cadena itself needs no `unsafe`.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub(crate) fn vectorised<R>(kernel: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(kernel)
}

/// In a build with debug assertions (unoptimised, as `cargo build` and `cargo test`
/// compile) the kernel runs as it is: dispatch would compile every generated map once
/// per instruction set, for code that is not optimised anyway. The results are the same
/// bits: the kernels are the same Rust either way.
#[cfg(debug_assertions)]
#[inline(always)]
pub(crate) fn vectorised<R>(kernel: impl FnOnce() -> R) -> R {
    kernel()
}

mod k32 {
    /// Adding 1.5·2^23 rounds a float of magnitude < 2^22 to an integer and leaves that
    /// integer in the low mantissa bits.
    const ROUND: f32 = 12_582_912.0;
    /// ln 2 split so `k · LN2_HI` is exact for |k| < 2^9 (Cody–Waite reduction).
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    /// Beyond these, e^x is infinite or rounds to zero in f32.
    const HI: f32 = 89.0;
    const LO: f32 = -104.0;

    #[inline(always)]
    pub(super) fn exp(x: f32) -> f32 {
        // `clamp` passes NaN through, so NaN propagates.
        let x = x.clamp(LO, HI);
        let t = x * std::f32::consts::LOG2_E + ROUND;
        let kf = t - ROUND;
        let k = (t.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
        let r = (x - kf * LN2_HI) - kf * LN2_LO;
        let p = 1.0
            + r * (1.0
                + r * (1.0 / 2.0
                    + r * (1.0 / 6.0
                        + r * (1.0 / 24.0
                            + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
        // Two factors so 2^k stays representable down to the subnormals and up to overflow.
        let k1 = k >> 1;
        let k2 = k.wrapping_sub(k1);
        let s1 = f32::from_bits((k1.wrapping_add(127) << 23) as u32);
        let s2 = f32::from_bits((k2.wrapping_add(127) << 23) as u32);
        p * s1 * s2
    }

    /// `tanh x ≈ x · P(x²) / Q(x²)` on `|x| ≤ 9`, a rational fit (relative error of the
    /// fit 6e-9 in f64, so f32 rounding dominates) made by `runtime/tools/fit_tanh.py`.
    /// Beyond 9, f32 `tanh` is 1 to within 3e-8, so inputs are clamped there.
    const CLAMP: f32 = 9.0;
    const P1: f32 = 0.130_792_68;
    const P2: f32 = 0.003_098_770_7;
    const P3: f32 = 1.110_303_5e-5;
    const P4: f32 = -2.003_444_5e-8;
    const P5: f32 = 5.195_03e-11;
    const P6: f32 = -8.297_283e-14;
    const Q1: f32 = 0.464_125_87;
    const Q2: f32 = 0.024_474_226;
    const Q3: f32 = 0.000_253_877_05;

    /// One division and ten multiply-adds, no `exp`. It replaced `1 - 2/(e^2x + 1)` with a
    /// polynomial near zero (1.3 ulp), which took 2.7× as long in an MLP's bias + tanh pass
    /// when the two were timed side by side: 5 ulp is the price, far inside the 1e-6
    /// absolute an activation needs.
    #[inline(always)]
    pub(super) fn tanh(x: f32) -> f32 {
        // `clamp` passes NaN through; `x` keeps its sign, so tanh(-0) = -0.
        let x = x.clamp(-CLAMP, CLAMP);
        let u = x * x;
        let p = 1.0 + u * (P1 + u * (P2 + u * (P3 + u * (P4 + u * (P5 + u * P6)))));
        let q = 1.0 + u * (Q1 + u * (Q2 + u * Q3));
        // Rounding can leave the quotient an ulp above 1 near the clamp; |tanh| ≤ 1 is
        // what callers rely on (`1 - a` as a factor, `ln(1 - a)`).
        (x * p / q).clamp(-1.0, 1.0)
    }

    #[inline(always)]
    pub(super) fn sigmoid(x: f32) -> f32 {
        1.0 / (1.0 + exp(-x))
    }
}

pub(crate) mod k64 {
    /// 1.5·2^52: rounds to an integer held in the low mantissa bits.
    pub(crate) const ROUND: f64 = 6_755_399_441_055_744.0;
    /// ln 2 with 32 significant bits in the high part, so `k · LN2_HI` is exact.
    pub(crate) const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    pub(crate) const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const HI: f64 = 710.0;
    const LO: f64 = -746.0;

    #[inline(always)]
    pub(super) fn exp(x: f64) -> f64 {
        exp_with(x, |a, b, c| a * b + c)
    }

    /// `e^x`, each step `a · b + c` taken by `madd`: separately rounded here, fused
    /// (`f64::mul_add`) in `ops::lanes`, which runs compiled for FMA.
    #[inline(always)]
    pub(crate) fn exp_with(x: f64, madd: impl Fn(f64, f64, f64) -> f64) -> f64 {
        let x = x.clamp(LO, HI);
        let t = madd(x, std::f64::consts::LOG2_E, ROUND);
        let kf = t - ROUND;
        let k = (t.to_bits() as i64).wrapping_sub(ROUND.to_bits() as i64);
        let r = madd(kf, -LN2_LO, madd(kf, -LN2_HI, x));
        // Taylor to degree 13: the first omitted term is below 5e-18 for |r| ≤ ln2/2.
        let mut p = 1.0 / 6_227_020_800.0;
        for c in [
            1.0 / 479_001_600.0,
            1.0 / 39_916_800.0,
            1.0 / 3_628_800.0,
            1.0 / 362_880.0,
            1.0 / 40_320.0,
            1.0 / 5_040.0,
            1.0 / 720.0,
            1.0 / 120.0,
            1.0 / 24.0,
            1.0 / 6.0,
            1.0 / 2.0,
            1.0,
            1.0,
        ] {
            p = madd(p, r, c);
        }
        // Halving k by rounding in floating point, not by an arithmetic shift: SSE2 has no
        // 64-bit arithmetic shift, and the shift would keep this loop scalar.
        let k1 = ((kf * 0.5 + ROUND).to_bits() as i64).wrapping_sub(ROUND.to_bits() as i64);
        let k2 = k.wrapping_sub(k1);
        let s1 = f64::from_bits((k1.wrapping_add(1023) << 52) as u64);
        let s2 = f64::from_bits((k2.wrapping_add(1023) << 52) as u64);
        p * s1 * s2
    }

    #[inline(always)]
    pub(super) fn sigmoid(x: f64) -> f64 {
        1.0 / (1.0 + exp(-x))
    }
}

/// Runs the `f32` or the `f64` kernel, chosen by the width of `A`. The conversions are
/// identities for the chosen width and fold away, leaving the kernel inline.
#[inline(always)]
fn by_width<A: Float>(x: A, f32_kernel: impl Fn(f32) -> f32, f64_kernel: impl Fn(f64) -> f64) -> A {
    if size_of::<A>() == 4 {
        A::of(f64::from(f32_kernel(x.to_f64_lossless() as f32)))
    } else {
        A::of(f64_kernel(x.to_f64_lossless()))
    }
}

/// `e^x`, vectorisable.
///
/// Accuracy, measured in this module's tests on every step of 1e-4 (f32) or 1e-3 (f64)
/// of the normal range: f32 within 1.18 ulp of the exact value over [-87.3, 88.7]; where
/// the f32 result is subnormal (x down to -104) within 1.5e-45 absolute. f64 within 1 ulp
/// of `f64::exp` over [-708, 709]. Overflow gives `inf`, underflow `0`, NaN propagates.
///
/// ```
/// use cadena::ops::tensor::fast;
///
/// assert!((fast::exp(1.0_f32) - std::f32::consts::E).abs() <= f32::EPSILON * 3.0);
/// assert_eq!(fast::exp(100.0_f32), f32::INFINITY);
/// assert_eq!(fast::exp(-200.0_f32), 0.0);
/// assert!(fast::exp(f64::NAN).is_nan());
/// ```
#[inline(always)]
pub fn exp<A: Float>(x: A) -> A {
    by_width(x, k32::exp, k64::exp)
}

/// Hyperbolic tangent, vectorisable for f32; f64 uses `f64::tanh` (libm, exact, not
/// vectorised).
///
/// Accuracy for f32, measured against `f64::tanh` on every step of 1e-4 in [-10, 10]:
/// at most 3.0e-7 absolute and 5.0 ulp; on every 97th f32 in [1e-30, 0.7] (both signs):
/// at most 3.5 ulp. `|tanh x| ≤ 1`, `tanh(±inf) = ±1`, `tanh(-0) = -0`, NaN propagates.
/// (The same trade as XLA's f32 `tanh`: a rational function with one division, for speed.)
///
/// ```
/// use cadena::ops::tensor::fast;
///
/// assert!((fast::tanh(0.5_f32) - 0.5_f32.tanh()).abs() < 4e-7);
/// assert_eq!(fast::tanh(f32::INFINITY), 1.0);
/// assert_eq!(fast::tanh(-20.0_f32), -1.0);
/// ```
#[inline(always)]
pub fn tanh<A: Float>(x: A) -> A {
    by_width(x, k32::tanh, f64::tanh)
}

/// The logistic function `1 / (1 + e^-x)` on the fast [`exp`], vectorisable.
///
/// Accuracy, measured on every step of 1e-4 in [-87, 20]: f32 within 2.47 ulp of the
/// exact value; f64 within 4 ulp of `1 / (1 + f64::exp(-x))`. Below x ≈ -87.3 the f32
/// result would be subnormal; it is flushed towards 0 (absolute error under 1.2e-38).
/// `sigmoid(+inf) = 1`, `sigmoid(-inf) = 0`, NaN propagates.
///
/// ```
/// use cadena::ops::tensor::fast;
///
/// assert_eq!(fast::sigmoid(0.0_f32), 0.5);
/// assert_eq!(fast::sigmoid(1e4_f64), 1.0);
/// assert_eq!(fast::sigmoid(-1e4_f32), 0.0);
/// ```
#[inline(always)]
pub fn sigmoid<A: Float>(x: A) -> A {
    by_width(x, k32::sigmoid, k64::sigmoid)
}

/// Overwrites every element of `xs` with [`exp`] of it, in one vectorised pass.
///
/// ```
/// let mut v = [0.0_f32, 1.0];
/// cadena::ops::tensor::fast::exp_inplace(&mut v);
/// assert_eq!(v[0], 1.0);
/// ```
pub fn exp_inplace<A: Float>(xs: &mut [A]) {
    vectorised(
        #[inline(always)]
        || xs.iter_mut().for_each(|x| *x = exp(*x)),
    );
}

/// Overwrites every element of `xs` with [`tanh`] of it, in one vectorised pass.
///
/// ```
/// let mut v = [0.0_f32, 100.0];
/// cadena::ops::tensor::fast::tanh_inplace(&mut v);
/// assert_eq!(v, [0.0, 1.0]);
/// ```
pub fn tanh_inplace<A: Float>(xs: &mut [A]) {
    vectorised(
        #[inline(always)]
        || xs.iter_mut().for_each(|x| *x = tanh(*x)),
    );
}

/// Overwrites every element of `xs` with [`sigmoid`] of it, in one vectorised pass.
///
/// ```
/// let mut v = [0.0_f64, -1e4];
/// cadena::ops::tensor::fast::sigmoid_inplace(&mut v);
/// assert_eq!(v, [0.5, 0.0]);
/// ```
pub fn sigmoid_inplace<A: Float>(xs: &mut [A]) {
    vectorised(
        #[inline(always)]
        || xs.iter_mut().for_each(|x| *x = sigmoid(*x)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place of `want` (rounded to f32).
    fn ulps32(got: f32, want: f64) -> f64 {
        let w = want as f32;
        let ulp = if w == 0.0 {
            f32::from_bits(1)
        } else {
            f32::from_bits(w.abs().to_bits() + 1) - w.abs()
        };
        (f64::from(got) - want).abs() / f64::from(ulp)
    }

    fn ulps64(got: f64, want: f64) -> f64 {
        let ulp = f64::from_bits(want.abs().to_bits() + 1) - want.abs();
        (got - want).abs() / ulp
    }

    #[test]
    fn f32_tanh_is_within_3_2e_7_absolute_and_bounded_by_1_on_every_1e_4_step_of_minus_10_to_10() {
        let (mut worst_abs, mut worst_ulp) = (0.0_f64, 0.0_f64);
        for i in -100_000..=100_000 {
            let x = i as f32 * 1e-4;
            let got = tanh(x);
            let want = f64::from(x).tanh();
            assert!(got.abs() <= 1.0, "tanh({x}) = {got}");
            worst_abs = worst_abs.max((f64::from(got) - want).abs());
            worst_ulp = worst_ulp.max(ulps32(got, want));
        }
        eprintln!("f32 tanh grid: max abs {worst_abs:e}, max ulp {worst_ulp}");
        assert!(worst_abs <= 3.2e-7, "max abs error {worst_abs:e}");
        assert!(worst_ulp <= 5.5, "max ulp error {worst_ulp}");
    }

    #[test]
    fn f32_tanh_is_within_3_5_ulp_near_zero() {
        let mut worst = 0.0_f64;
        // Every 97th f32 from 1e-30 up to 0.7, both signs: relative accuracy where tanh x ≈ x.
        let (lo, hi) = (1e-30_f32.to_bits(), 0.7_f32.to_bits());
        for bits in (lo..hi).step_by(97) {
            for x in [f32::from_bits(bits), -f32::from_bits(bits)] {
                worst = worst.max(ulps32(tanh(x), f64::from(x).tanh()));
            }
        }
        eprintln!("f32 tanh near zero: max ulp {worst}");
        assert!(worst <= 3.5, "max ulp error {worst}");
    }

    #[test]
    fn f32_exp_is_within_1_2_ulp_over_its_normal_range() {
        let mut worst = 0.0_f64;
        for i in -873_000..=887_000 {
            let x = i as f32 * 1e-4;
            worst = worst.max(ulps32(exp(x), f64::from(x).exp()));
        }
        eprintln!("f32 exp: max ulp {worst}");
        assert!(worst <= 1.2, "max ulp error {worst}");
    }

    #[test]
    fn f32_exp_is_close_in_the_subnormal_range_and_exact_at_the_limits() {
        for i in 0..=1650 {
            let x = -87.4 - i as f32 * 0.01;
            let err = (f64::from(exp(x)) - f64::from(x).exp()).abs();
            assert!(err <= 1.5e-45, "x = {x}: error {err:e}");
        }
        assert_eq!(exp(89.0_f32), f32::INFINITY);
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(0.0_f32), 1.0);
        assert!(exp(f32::NAN).is_nan());
        assert_eq!(exp(88.72_f32), 88.72_f32.exp());
    }

    #[test]
    fn f64_exp_is_within_1_ulp_over_its_normal_range() {
        let mut worst = 0.0_f64;
        for i in -708_000..=709_000 {
            let x = i as f64 * 1e-3 + 1.234_567e-4;
            worst = worst.max(ulps64(exp(x), x.exp()));
        }
        eprintln!("f64 exp: max ulp {worst}");
        assert!(worst <= 1.0, "max ulp error {worst}");
        assert_eq!(exp(710.0_f64), f64::INFINITY);
        assert_eq!(exp(-800.0_f64), 0.0);
        assert!(exp(f64::NAN).is_nan());
    }

    #[test]
    fn sigmoid_is_within_a_few_ulp_and_saturates_cleanly() {
        let (mut w32, mut w64) = (0.0_f64, 0.0_f64);
        for i in -870_000..=200_000 {
            let x = i as f64 * 1e-4;
            let want = 1.0 / (1.0 + (-x).exp());
            w32 = w32.max(ulps32(
                sigmoid(x as f32),
                1.0 / (1.0 + (-f64::from(x as f32)).exp()),
            ));
            w64 = w64.max(ulps64(sigmoid(x), want));
        }
        eprintln!("sigmoid: f32 max ulp {w32}, f64 max ulp {w64}");
        assert!(w32 <= 2.5, "f32 max ulp error {w32}");
        assert!(w64 <= 4.0, "f64 max ulp error {w64}");
        assert_eq!(sigmoid(f32::INFINITY), 1.0);
        assert_eq!(sigmoid(f32::NEG_INFINITY), 0.0);
        assert!(sigmoid(f64::NAN).is_nan());
    }

    #[test]
    fn tanh_keeps_limits_signed_zero_and_nan() {
        assert_eq!(tanh(f32::INFINITY), 1.0);
        assert_eq!(tanh(f32::NEG_INFINITY), -1.0);
        assert!(tanh(-0.0_f32).is_sign_negative());
        assert!(tanh(f32::NAN).is_nan());
        assert_eq!(tanh(0.3_f64), 0.3_f64.tanh());
    }

    /// The in-place kernels run through `vectorised` (AVX2 + FMA where the CPU has them);
    /// the same functions called one element at a time here run as the baseline (SSE2)
    /// build compiled them. Without fast-math the two must agree to the bit.
    #[test]
    fn inplace_kernels_match_the_elementwise_functions_bit_for_bit() {
        fn check(inplace: fn(&mut [f32]), one: fn(f32) -> f32) {
            let xs: Vec<f32> = (-40_000..40_000).map(|i| i as f32 * 2.5e-3).collect();
            let mut got = xs.clone();
            inplace(&mut got);
            for (&x, &g) in xs.iter().zip(&got) {
                assert_eq!(
                    g.to_bits(),
                    std::hint::black_box(one)(x).to_bits(),
                    "x = {x}"
                );
            }
        }
        check(exp_inplace, exp);
        check(tanh_inplace, tanh);
        check(sigmoid_inplace, sigmoid);
    }
}
