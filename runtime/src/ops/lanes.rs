//! Vectorisable twins of the [`scalar`](super::scalar) kernels, for batched scalar
//! gradients (`f::grad_sum`): the generated code runs the per-sample body over a chunk of
//! samples in a loop LLVM turns into SIMD lanes, and a loop with a libm call inside
//! (`exp`, `ln`, `tanh`) stays scalar. These kernels are branch-free polynomials
//! instead, each within a few ulp of libm (bounds stated on each, checked in the tests on
//! dense grids), so a batched gradient agrees with the per-sample one to about 1e-15
//! relative. Kernels without transcendental calls (`relu`, `mse`, ...) are `scalar`'s own,
//! re-exported.
//!
//! `f32` is computed through the `f64` kernels (exact after rounding to `f32`).

pub use super::scalar::{
    above, compare, ge, guard, if_else, le, maximum, minimum, mse, relu, sign, softsign, step,
};
use crate::Float;

/// Runs the `f64` kernel on `x`'s value, returned in `x`'s type.
#[inline(always)]
fn in_f64<A: Float>(x: A, kernel: impl Fn(f64) -> f64) -> A {
    A::of(kernel(x.to_f64_lossless()))
}

mod k64 {
    use crate::ops::tensor::fast::k64::{LN2_HI, LN2_LO};

    /// `e^x` as [`fast::exp`](crate::ops::tensor::fast::exp) (the same reduction and
    /// degree-13 polynomial), its steps fused multiply-adds: `grad_sum` runs these
    /// kernels compiled for AVX2 + FMA where the CPU has them, and Rust never fuses
    /// `a * b + c` on its own.
    #[inline(always)]
    pub(super) fn exp(x: f64) -> f64 {
        crate::ops::tensor::fast::k64::exp_with(x, f64::mul_add)
    }

    /// `ln x` from `x = 2^k m`, `m` in [√½, √2): `ln m = 2 atanh(s)`, `s = (m-1)/(m+1)`,
    /// `|s| ≤ 0.172`, its series to `s^23` (first omitted term below 2e-19).
    #[inline(always)]
    pub(super) fn ln(x: f64) -> f64 {
        const TWO54: f64 = 18_014_398_509_481_984.0;
        // Subnormals are scaled into the normal range first.
        let tiny = x < f64::MIN_POSITIVE;
        let xs = if tiny { x * TWO54 } else { x };
        let bits = xs.to_bits();
        // The biased exponent fits in 11 bits: converted through i32, which every
        // vector unit converts to f64 (64-bit integer conversion needs AVX-512).
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
        let big = m > std::f64::consts::SQRT_2;
        let m = if big { m * 0.5 } else { m };
        let k =
            f64::from(biased - 1023) + if big { 1.0 } else { 0.0 } - if tiny { 54.0 } else { 0.0 };
        let s = (m - 1.0) / (m + 1.0);
        let s2 = s * s;
        let mut p: f64 = 1.0 / 23.0;
        for c in [
            1.0 / 21.0,
            1.0 / 19.0,
            1.0 / 17.0,
            1.0 / 15.0,
            1.0 / 13.0,
            1.0 / 11.0,
            1.0 / 9.0,
            1.0 / 7.0,
            1.0 / 5.0,
            1.0 / 3.0,
            1.0,
        ] {
            p = p.mul_add(s2, c);
        }
        let r = k.mul_add(LN2_HI, (2.0 * s).mul_add(p, k * LN2_LO));
        // ln 0 = -inf, ln of a negative or NaN is NaN, ln inf = inf.
        let r = if x == 0.0 { f64::NEG_INFINITY } else { r };
        let r = if x < 0.0 || x.is_nan() { f64::NAN } else { r };
        if x == f64::INFINITY { x } else { r }
    }

    /// `e^x - 1`: near zero its Taylor series to degree 17 (|x| ≤ 0.5: first omitted term
    /// below 2e-21 relative), elsewhere `e^x - 1`, which cancels nothing there.
    #[inline(always)]
    pub(super) fn exp_m1(x: f64) -> f64 {
        let mut p: f64 = 1.0 / 355_687_428_096_000.0;
        let mut f = 355_687_428_096_000.0_f64;
        for n in (1..17).rev() {
            f /= f64::from(n + 1);
            p = p.mul_add(x, 1.0 / f);
        }
        let near = x * p;
        let far = exp(x) - 1.0;
        if x.abs() <= 0.5 { near } else { far }
    }

    /// `ln(1 + x)` for `x > -1`, through [`ln`] with Goldberg's correction of `1 + x`'s
    /// rounding.
    #[inline(always)]
    pub(super) fn ln_1p(x: f64) -> f64 {
        let u = 1.0 + x;
        let d = u - 1.0;
        let corrected = ln(u) * x / if d == 0.0 { 1.0 } else { d };
        if d == 0.0 { x } else { corrected }
    }

    /// `tanh |x| = -m / (2 + m)` with `m = e^(-2|x|) - 1`, sign restored: no cancellation
    /// near zero, `±1` beyond ±19.
    #[inline(always)]
    pub(super) fn tanh(x: f64) -> f64 {
        let m = exp_m1(-2.0 * x.abs());
        let t = -m / (2.0 + m);
        t.copysign(x)
    }

    /// `e = e^-|x|` and `1 / ((1 + e)(2 + e))`: the one division both [`sigmoid`] (which
    /// needs `1 / (1 + e)`) and [`softplus`] (`e / (2 + e)`) take their quotient from.
    /// Written the same in both, so where a gradient needs both of the same `x` (a
    /// logistic loss and its derivative) the compiler computes it once.
    #[inline(always)]
    fn shared(x: f64) -> (f64, f64) {
        let e = exp(-x.abs());
        (e, 1.0 / ((1.0 + e) * (2.0 + e)))
    }

    #[inline(always)]
    pub(super) fn sigmoid(x: f64) -> f64 {
        let (e, inv) = shared(x);
        let numerator = if x >= 0.0 { 1.0 } else { e };
        numerator * (2.0 + e) * inv
    }

    /// `ln(1 + e)` for `e` in [0, 1], the case `softplus` needs: `2 atanh(s)` with
    /// `s = e / (2 + e)` in [0, 1/3] (from `inv`, see [`shared`]), its series to `s^35`
    /// (first omitted term below 2e-18 relative). No division of its own and no bit
    /// manipulation, against two divisions for [`ln_1p`] through [`ln`].
    #[inline(always)]
    fn ln_1p_unit(e: f64, inv: f64) -> f64 {
        let s = e * (1.0 + e) * inv;
        let s2 = s * s;
        let mut p: f64 = 1.0 / 35.0;
        for n in (0..17).rev() {
            p = p.mul_add(s2, 1.0 / f64::from(2 * n + 1));
        }
        2.0 * s * p
    }

    #[inline(always)]
    pub(super) fn softplus(x: f64) -> f64 {
        let (e, inv) = shared(x);
        x.max(0.0) + ln_1p_unit(e, inv)
    }

    /// [`scalar::bce_logits`](crate::ops::scalar::bce_logits)'s form, non-negative terms
    /// only: `(1 - y) max(z, 0) + y max(-z, 0) + ln(1 + e^-|z|)`.
    #[inline(always)]
    pub(super) fn bce_logits(z: f64, y: f64) -> f64 {
        let (e, inv) = shared(z);
        (1.0 - y) * z.max(0.0) + y * (-z).max(0.0) + ln_1p_unit(e, inv)
    }

    /// `(1 - y) sigmoid(z) - y sigmoid(-z)`. The two sigmoids are [`sigmoid`]'s
    /// numerators (1 or `e`, swapped by the sign of `z`, both 1 at 0) over one shared
    /// denominator, so they cost one exponential and one division, not two of each.
    #[inline(always)]
    pub(super) fn bce_logits_grad(z: f64, y: f64) -> f64 {
        let (e, inv) = shared(z);
        let of_z = if z >= 0.0 { 1.0 } else { e };
        let of_minus_z = if z <= 0.0 { 1.0 } else { e };
        ((1.0 - y) * of_z - y * of_minus_z) * (2.0 + e) * inv
    }
}

/// `e^x`, within 1 ulp of `f64::exp`.
#[inline(always)]
pub fn exp<A: Float>(x: A) -> A {
    in_f64(x, k64::exp)
}

/// `ln x`, within 2 ulp of `f64::ln` (tested on positive normals and subnormals).
#[inline(always)]
pub fn ln<A: Float>(x: A) -> A {
    in_f64(x, k64::ln)
}

/// `ln(1 + x)`, within 4 ulp of `f64::ln_1p` for `x > -1`.
#[inline(always)]
pub fn ln_1p<A: Float>(x: A) -> A {
    in_f64(x, k64::ln_1p)
}

/// `e^x - 1`, within 2 ulp of `f64::exp_m1`.
#[inline(always)]
pub fn exp_m1<A: Float>(x: A) -> A {
    in_f64(x, k64::exp_m1)
}

/// `tanh x`, within 3 ulp of `f64::tanh`.
#[inline(always)]
pub fn tanh<A: Float>(x: A) -> A {
    in_f64(x, k64::tanh)
}

/// [`scalar::sigmoid`](super::scalar::sigmoid) on the vectorisable `exp`.
#[inline(always)]
pub fn sigmoid<A: Float>(x: A) -> A {
    in_f64(x, k64::sigmoid)
}

/// [`scalar::softplus`](super::scalar::softplus), vectorisable.
#[inline(always)]
pub fn softplus<A: Float>(x: A) -> A {
    in_f64(x, k64::softplus)
}

/// [`scalar::bce`](super::scalar::bce), vectorisable.
#[inline(always)]
pub fn bce<A: Float>(a: A, y: A) -> A {
    -(y * ln(a) + (A::one() - y) * ln_1p(-a))
}

/// Runs the two-argument `f64` kernel on `a`'s and `b`'s values, returned in their type.
#[inline(always)]
fn in_f64_2<A: Float>(a: A, b: A, kernel: impl Fn(f64, f64) -> f64) -> A {
    A::of(kernel(a.to_f64_lossless(), b.to_f64_lossless()))
}

/// [`scalar::bce_logits`](super::scalar::bce_logits), vectorisable: within 4 ulp of it
/// (relative, for labels in [0, 1]), so as accurate for large logits.
///
/// ```
/// use cadena::ops::lanes::bce_logits;
/// assert_eq!(bce_logits(-800.0_f64, 1.0), 800.0);
/// assert!((bce_logits(40.0_f64, 1.0) / 4.248354255291589e-18 - 1.0).abs() < 1e-15);
/// ```
#[inline(always)]
pub fn bce_logits<A: Float>(z: A, y: A) -> A {
    in_f64_2(z, y, k64::bce_logits)
}

/// [`scalar::bce_logits_grad`](super::scalar::bce_logits_grad), vectorisable: within 4 ulp
/// of it at labels 0 and 1 (where it is `sigmoid(z)` and `-sigmoid(-z)`), within 4 ulp of
/// the larger term for labels between.
///
/// ```
/// use cadena::ops::lanes::bce_logits_grad;
/// assert_eq!(bce_logits_grad(0.0_f64, 1.0), -0.5);
/// assert!((bce_logits_grad(40.0_f64, 1.0) / -4.248354255291589e-18 - 1.0).abs() < 1e-15);
/// ```
#[inline(always)]
pub fn bce_logits_grad<A: Float>(z: A, y: A) -> A {
    in_f64_2(z, y, k64::bce_logits_grad)
}

/// Runs `grad_sum`'s chunks compiled for the widest vector instructions this CPU has,
/// chosen at run time (pulp instantiates `kernel` once per instruction set).
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn run<K: pulp::WithSimd>(kernel: K) -> K::Output {
    pulp::Arch::new().dispatch(kernel)
}

/// In a build with debug assertions the chunks run as they are, compiled once: see
/// `cadena::ops::tensor::fast`.
#[cfg(debug_assertions)]
#[inline(always)]
pub fn run<K: pulp::WithSimd>(kernel: K) -> K::Output {
    kernel.with_simd(pulp::Scalar)
}

/// A gradient field `grad_sum` adds up over samples: a float, or a fixed array of them
/// (the gradient of a float-array argument such as `hidden: &[f64; 6]`).
pub trait Summed: Copy {
    /// The sum of no samples.
    fn zero() -> Self;
    /// `self += other`, element by element for arrays.
    fn add(&mut self, other: Self);
}

impl Summed for f32 {
    #[inline(always)]
    fn zero() -> Self {
        0.0
    }
    #[inline(always)]
    fn add(&mut self, other: Self) {
        *self += other;
    }
}

impl Summed for f64 {
    #[inline(always)]
    fn zero() -> Self {
        0.0
    }
    #[inline(always)]
    fn add(&mut self, other: Self) {
        *self += other;
    }
}

impl<A: Summed, const N: usize> Summed for [A; N] {
    #[inline(always)]
    fn zero() -> Self {
        [A::zero(); N]
    }
    #[inline(always)]
    fn add(&mut self, other: Self) {
        for (a, b) in self.iter_mut().zip(other) {
            a.add(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_add_floats_and_arrays_element_by_element() {
        let mut a = [1.0_f64, 2.0, 3.0];
        a.add([0.5, -2.0, 1.0]);
        assert_eq!(a, [1.5, 0.0, 4.0]);
        assert_eq!(<[f32; 2] as Summed>::zero(), [0.0, 0.0]);
        let mut x = 1.0_f32;
        x.add(2.0);
        assert_eq!(x, 3.0);
    }

    fn ulps(got: f64, want: f64) -> f64 {
        if got == want {
            return 0.0;
        }
        (got - want).abs() / (want.abs().max(f64::MIN_POSITIVE) * f64::EPSILON)
    }

    /// Points spread over many orders of magnitude, both signs where asked.
    fn grid(lo: f64, hi: f64, signed: bool) -> Vec<f64> {
        let mut out = Vec::new();
        let mut x = lo;
        while x < hi {
            out.push(x);
            if signed {
                out.push(-x);
            }
            x *= 1.0137;
        }
        out
    }

    #[test]
    fn ln_is_within_two_ulp() {
        for x in grid(1e-310, 1e300, false) {
            assert!(
                ulps(ln(x), x.ln()) <= 2.0,
                "ln({x:e}) = {} vs {}",
                ln(x),
                x.ln()
            );
        }
        assert_eq!(ln(0.0_f64), f64::NEG_INFINITY);
        assert!(ln(-1.0_f64).is_nan() && ln(f64::NAN).is_nan());
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert_eq!(ln(1.0_f64), 0.0);
    }

    #[test]
    fn exp_is_within_one_ulp() {
        for x in grid(1e-300, 709.0, true) {
            assert!(ulps(exp(x), x.exp()) <= 1.0, "exp({x:e})");
        }
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(-1e4_f64), 0.0);
    }

    #[test]
    fn exp_m1_and_tanh_are_within_a_few_ulp() {
        for x in grid(1e-300, 700.0, true) {
            assert!(ulps(exp_m1(x), x.exp_m1()) <= 2.0, "exp_m1({x:e})");
        }
        for x in grid(1e-300, 30.0, true) {
            assert!(
                ulps(tanh(x), x.tanh()) <= 3.0,
                "tanh({x:e}): {} vs {}",
                tanh(x),
                x.tanh()
            );
        }
        assert_eq!(tanh(f64::INFINITY), 1.0);
        assert_eq!(tanh(-0.0_f64).to_bits(), (-0.0_f64).to_bits());
    }

    #[test]
    fn the_batched_kernels_agree_with_the_scalar_ones() {
        use crate::ops::scalar;
        for x in grid(1e-300, 800.0, true) {
            assert!(
                ulps(ln_1p(x.abs().min(1e300)), x.abs().min(1e300).ln_1p()) <= 4.0,
                "ln_1p({x:e})"
            );
            assert!(
                ulps(sigmoid(x), scalar::sigmoid(x)) <= 4.0,
                "sigmoid({x:e})"
            );
            assert!(
                ulps(softplus(x), scalar::softplus(x)) <= 4.0,
                "softplus({x:e})"
            );
            for y in [0.0, 0.3, 1.0] {
                let (got, want) = (bce_logits(x, y), scalar::bce_logits(x, y));
                assert!(
                    ulps(got, want) <= 4.0,
                    "bce_logits({x:e}, {y}) = {got:e}, not {want:e}"
                );
                let (got, want) = (bce_logits_grad(x, y), scalar::bce_logits_grad(x, y));
                // Between 0 and 1 the gradient is a difference and may cancel: measured
                // against the larger term, at most 1.
                let off = if y == 0.3 {
                    (got - want).abs() / f64::EPSILON
                } else {
                    ulps(got, want)
                };
                assert!(
                    off <= 4.0,
                    "bce_logits_grad({x:e}, {y}) = {got:e}, not {want:e}"
                );
            }
        }
        assert_eq!(sigmoid(800.0_f64), 1.0);
        assert_eq!(softplus(-800.0_f64), 0.0);
        assert_eq!(bce_logits(800.0_f64, 1.0), 0.0);
        assert_eq!(bce_logits_grad(800.0_f64, 0.0), 1.0);
        assert!((sigmoid(0.3_f32) - scalar::sigmoid(0.3_f32)).abs() <= f32::EPSILON);
    }

    #[test]
    fn the_batched_logistic_loss_is_within_four_ulp_of_high_precision_values() {
        use crate::ops::loss_references::BCE_LOGITS;
        for (z, y, loss, grad) in BCE_LOGITS {
            let (got, d) = (bce_logits(z, y), bce_logits_grad(z, y));
            assert!(
                ulps(got, loss) <= 4.0,
                "bce_logits({z}, {y}) = {got:e}, not {loss:e}"
            );
            assert!(
                ulps(d, grad) <= 4.0,
                "bce_logits_grad({z}, {y}) = {d:e}, not {grad:e}"
            );
            // f32 goes through f64 and is rounded once: the value rounded to f32.
            let (z32, y32) = (z as f32, y as f32);
            assert_eq!(
                bce_logits(z32, y32),
                loss as f32,
                "f32 bce_logits({z}, {y})"
            );
            assert_eq!(bce_logits_grad(z32, y32), grad as f32, "f32 grad({z}, {y})");
        }
    }
}
