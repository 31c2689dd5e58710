//! Softmax and log-softmax along the last axis (each row of a matrix is one
//! distribution), computed max-subtracted so no input overflows, and their VJPs; also the
//! row kernels the softmax cross-entropy in `loss.rs` is built on (log-sum-exp in parts,
//! softmax minus targets), written to keep a confident row's tiny loss and gradient.

use ndarray::{Array, Axis, RemoveAxis, Zip};

use num_traits::{Float as _, Zero};

use super::fast::{self, vectorised};
use super::operand::Operand;
use super::pool;
use crate::Float;

/// The last axis of an array of rank `ndim`.
#[track_caller]
pub(crate) fn last(ndim: usize, op: &str) -> Axis {
    assert!(
        ndim > 0,
        "{op}: needs at least one axis, got a 0-dimensional array"
    );
    Axis(ndim - 1)
}

/// The operand's buffer to compute in: its own if it owns one, otherwise a copy.
pub(crate) fn owned<X: Operand>(x: X) -> Array<X::Elem, X::Dim> {
    match x.into_buffer() {
        Ok(buf) => buf,
        Err(x) => pool::copy(&x.view()),
    }
}

/// The operand's buffer in standard (row-major) layout to compute in: its own if it owns
/// one in that layout, else one row-major copy (of a view, or of a transposed array).
pub(crate) fn owned_standard<X: Operand>(x: X) -> Array<X::Elem, X::Dim> {
    match x.into_buffer() {
        Ok(buf) if buf.is_standard_layout() => buf,
        Ok(buf) => {
            let out = pool::copy(&buf.view());
            pool::recycle(buf);
            out
        }
        Err(x) => pool::copy(&x.view()),
    }
}

/// The rows (lanes of the last axis, `width` long) of a row-major array's values. A
/// classifier's logits have a few classes per row, so per-lane iterator bookkeeping would
/// cost as much as the arithmetic; slices do not. A width of 0 means no values, no rows.
pub(crate) fn rows<A>(values: &[A], width: usize) -> std::slice::ChunksExact<'_, A> {
    values.chunks_exact(width.max(1))
}

/// [`rows`], mutably.
pub(crate) fn rows_mut<A>(values: &mut [A], width: usize) -> std::slice::ChunksExactMut<'_, A> {
    values.chunks_exact_mut(width.max(1))
}

/// Overwrites each `width`-long row of `values` with its softmax.
pub(crate) fn softmax_rows<A: Float>(values: &mut [A], width: usize) {
    pool::give(exp_minus_row_max(values, width));
    vectorised(
        #[inline(always)]
        || {
            for row in rows_mut(values, width) {
                let r = row.iter().fold(A::zero(), |s, &v| s + v).recip();
                row.iter_mut().for_each(|v| *v *= r);
            }
        },
    );
}

/// `ln Σ e^v` of each `width`-long row of `values`, as `max + ln Σ e^(v - max)` (finite for
/// any finite inputs; `-inf` for a row of `-inf`), on a scratch copy.
/// The scratch copy and the result come from the buffer [`pool`]; a caller done with the
/// result gives it back.
pub(crate) fn log_sum_exp_rows<A: Float>(values: &[A], width: usize) -> Vec<A> {
    let mut exps = pool::take(values.len());
    exps.copy_from_slice(values);
    let mut lse = exp_minus_row_max(&mut exps, width);
    for (row, m) in rows(&exps, width).zip(&mut lse) {
        if *m != A::neg_infinity() {
            *m += row.iter().fold(A::zero(), |s, &v| s + v).ln();
        }
    }
    pool::give(exps);
    lse
}

/// `ln Σ e^v` of each `width`-long row `v` of `values` in two parts, `max v` and
/// `ln Σ e^(v - max v) >= 0`, on a scratch copy. The second is `ln_1p` of the sum of the
/// terms other than the maximum's own `e^0 = 1`, so where one value dominates its row
/// (a confident classifier) `lse(v) - max v` is this part, exact to rounding however
/// small, where `(max + ln Σ) - max` rounds to 0 once `Σ - 1` falls below an ulp of 1.
/// Both vectors come from the buffer [`pool`]; a caller done with them gives them back.
pub(crate) fn log_sum_exp_parts_rows<A: Float>(values: &[A], width: usize) -> (Vec<A>, Vec<A>) {
    let mut exps = pool::take(values.len());
    exps.copy_from_slice(values);
    let maxes = exp_minus_row_max(&mut exps, width);
    let mut tails = pool::take(maxes.len());
    for (row, tail) in rows(&exps, width).zip(&mut tails) {
        // The whole sum is `1 + rest`; where the rest is 1 or more, the sum itself is
        // accurate and `ln` of it is, and only a dominant entry needs the rest apart.
        let sum = row.iter().fold(A::zero(), |s, &v| s + v);
        *tail = match sum >= two() {
            true => sum.ln(),
            false => sum_without(row, first_max(row)).ln_1p(),
        };
    }
    pool::give(exps);
    (maxes, tails)
}

/// Overwrites each `width`-long row `v` of logits in `values` with
/// `k (softmax(v) - y)`, where `target(row, column)` gives `y`: the fused gradient of a
/// softmax cross-entropy. The entry holding more than half of its row's probability
/// (`p > 1/2`) is written `(1 - y) - (1 - p)`, with `1 - p` the sum of the other entries'
/// probabilities: for a confident, correct row that is `-(1 - p)`, exact to rounding
/// however small, where `p - 1` rounds to 0 once `1 - p` falls below half an ulp of 1.
/// Every other entry has the bits of [`softmax_rows`] followed by `k (p - y)`.
pub(crate) fn softmax_minus_target_rows<A: Float>(
    values: &mut [A],
    width: usize,
    k: A,
    target: impl Fn(usize, usize) -> A,
) {
    pool::give(exp_minus_row_max(values, width));
    vectorised(
        #[inline(always)]
        || {
            for (r, row) in rows_mut(values, width).enumerate() {
                let sum = row.iter().fold(A::zero(), |s, &v| s + v);
                let inv = sum.recip();
                // The maximum's own term is 1, so the others sum to less than 1 exactly
                // when it holds more than half; a sum of 2 or more says they do not, with
                // no pass to find the maximum (most rows, until training is confident).
                let top = match sum < two() {
                    true => Some(first_max(row)),
                    false => None,
                };
                let rest = top.map(|top| sum_without(row, top));
                for (j, v) in row.iter_mut().enumerate() {
                    *v = k * (*v * inv - target(r, j));
                }
                if let (Some(top), Some(rest)) = (top, rest)
                    && rest < A::one()
                {
                    row[top] = k * ((A::one() - target(r, top)) - rest * inv);
                }
            }
        },
    );
}

fn two<A: Float>() -> A {
    A::one() + A::one()
}

/// The index of the first largest value of a row (0 for a row of NaN).
fn first_max<A: Float>(row: &[A]) -> usize {
    (1..row.len()).fold(0, |k, j| if row[j] > row[k] { j } else { k })
}

/// The sum of a row without its entry `skip`.
fn sum_without<A: Float>(row: &[A], skip: usize) -> A {
    row.iter()
        .enumerate()
        .fold(A::zero(), |s, (j, &v)| if j == skip { s } else { s + v })
}

/// Overwrites each `width`-long row `v` of `values` with `e^(v - max v)` and returns the
/// maxima. The exponentials are one pass over the whole buffer, not one loop per row: a
/// classifier has a few classes per row, too few for a per-row loop to vectorise, while
/// one pass over all rows does. (The vectorisable exp is within 1.2 ulp for f32: softmax
/// is the hot loop of a classifier's backward pass.)
fn exp_minus_row_max<A: Float>(values: &mut [A], width: usize) -> Vec<A> {
    let mut maxes = pool::take(rows(values, width).len());
    for (m, row) in maxes.iter_mut().zip(rows(values, width)) {
        *m = row_max(row);
    }
    vectorised(
        #[inline(always)]
        || {
            for (row, &m) in rows_mut(values, width).zip(&maxes) {
                row.iter_mut().for_each(|v| *v -= m);
            }
            values.iter_mut().for_each(|v| *v = fast::exp(*v));
        },
    );
    maxes
}

fn row_max<A: Float>(row: &[A]) -> A {
    row.iter().fold(A::neg_infinity(), |m, &v| m.max(v))
}

/// Softmax along the last axis: `softmax(x)_i = e^(x_i - max x) / Σ_j e^(x_j - max x)`,
/// so rows of a matrix each sum to 1. Finite for any finite input. An owned argument is
/// overwritten in place.
///
/// ```text
/// softmax(x)_i = e^(x_i - m) / Σ_j e^(x_j - m),   m = max_j x_j
/// ```
///
/// # Panics
///
/// For a 0-dimensional dynamic array (no last axis).
///
/// ```
/// use cadena::ops::tensor::softmax;
/// use ndarray::array;
///
/// let p = softmax(&array![[0.0_f64, 0.0], [1e4, -1e4]]);
/// assert_eq!(p, array![[0.5, 0.5], [1.0, 0.0]]);
/// ```
#[track_caller]
pub fn softmax<X>(x: X) -> Array<X::Elem, X::Dim>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let mut out = owned_standard(x);
    let width = out.shape()[last(out.ndim(), "softmax").index()];
    softmax_rows(out.as_slice_mut().expect("standard layout"), width);
    out
}

/// Log-softmax along the last axis: `x_i - ln Σ_j e^(x_j)` computed as
/// `x_i - m - ln Σ_j e^(x_j - m)` (log-sum-exp), exact where `ln(softmax(x))` would give
/// `-inf`. An owned argument is overwritten in place.
///
/// # Panics
///
/// For a 0-dimensional dynamic array (no last axis).
///
/// ```
/// use cadena::ops::tensor::log_softmax;
/// use ndarray::array;
///
/// let lp = log_softmax(&array![1e4_f64, -1e4]);
/// assert_eq!(lp, array![0.0, -2e4]);
/// ```
#[track_caller]
pub fn log_softmax<X>(x: X) -> Array<X::Elem, X::Dim>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let mut out = owned_standard(x);
    let width = out.shape()[last(out.ndim(), "log_softmax").index()];
    let values = out.as_slice_mut().expect("standard layout");
    let lse = log_sum_exp_rows(values, width);
    for (row, &lse) in rows_mut(values, width).zip(&lse) {
        row.iter_mut().for_each(|v| *v -= lse);
    }
    pool::give(lse);
    out
}

#[track_caller]
pub(crate) fn same_shape(op: &str, a: &[usize], b: &[usize]) {
    assert!(a == b, "{op}: shapes differ: {a:?} vs {b:?}");
}

/// The VJP of [`softmax`]: given `p = softmax(x)` and `g = dL/dp`, returns `dL/dx`
/// (written into `g` when it is owned).
///
/// ```text
/// dL/dx = p * (g - Σ_last(g * p))     (the sum keeps its axis and broadcasts back)
/// ```
///
/// # Panics
///
/// If `p` and `g` have different shapes.
///
/// ```
/// use cadena::ops::tensor::{softmax, softmax_vjp};
/// use ndarray::array;
///
/// let p = softmax(&array![1.0_f64, 2.0, 3.0]);
/// // A gradient that is the same for every class changes nothing:
/// let dx = softmax_vjp(&p, array![1.0, 1.0, 1.0]);
/// assert!(dx.iter().all(|v| v.abs() < 1e-15));
/// ```
#[track_caller]
pub fn softmax_vjp<P, G>(p: P, g: G) -> Array<G::Elem, G::Dim>
where
    P: Operand,
    G: Operand<Elem = P::Elem, Dim = P::Dim>,
    P::Dim: RemoveAxis,
{
    let p = p.view();
    let mut out = owned(g);
    same_shape("softmax_vjp", p.shape(), out.shape());
    let ax = last(out.ndim(), "softmax_vjp");
    Zip::from(out.lanes_mut(ax))
        .and(p.lanes(ax))
        .for_each(|mut g, p| {
            let s = g
                .iter()
                .zip(p.iter())
                .fold(P::Elem::zero(), |s, (&g, &p)| s + g * p);
            g.zip_mut_with(&p, |g, &p| *g = p * (*g - s));
        });
    out
}

/// The VJP of [`log_softmax`]: given `lp = log_softmax(x)` and `g = dL/dlp`, returns
/// `dL/dx` (written into `g` when it is owned).
///
/// ```text
/// dL/dx = g - e^lp * Σ_last g
/// ```
///
/// # Panics
///
/// If `lp` and `g` have different shapes.
///
/// ```
/// use cadena::ops::tensor::{log_softmax, log_softmax_vjp};
/// use ndarray::array;
///
/// let lp = log_softmax(&array![0.0_f64, 0.0]);
/// assert_eq!(log_softmax_vjp(&lp, array![1.0, 0.0]), array![0.5, -0.5]);
/// ```
#[track_caller]
pub fn log_softmax_vjp<P, G>(lp: P, g: G) -> Array<G::Elem, G::Dim>
where
    P: Operand,
    G: Operand<Elem = P::Elem, Dim = P::Dim>,
    P::Dim: RemoveAxis,
{
    let lp = lp.view();
    let mut out = owned(g);
    same_shape("log_softmax_vjp", lp.shape(), out.shape());
    let ax = last(out.ndim(), "log_softmax_vjp");
    Zip::from(out.lanes_mut(ax))
        .and(lp.lanes(ax))
        .for_each(|mut g, lp| {
            let s = g.sum();
            g.zip_mut_with(&lp, |g, &lp| *g -= lp.exp() * s);
        });
    out
}

/// Each element replaced by the sum of its lane along the last axis (`Σ_last x`, kept
/// and broadcast back): the sums the softmaxes' VJPs take, for their own derivatives
/// (`hvp` through `softmax` and `log_softmax`). Written into `x` when it is owned.
///
/// ```
/// use cadena::ops::tensor::lane_sums;
/// use ndarray::array;
///
/// assert_eq!(lane_sums(&array![[1.0_f64, 2.0], [3.0, 5.0]]), array![[3.0, 3.0], [8.0, 8.0]]);
/// ```
#[track_caller]
pub fn lane_sums<X>(x: X) -> Array<X::Elem, X::Dim>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let mut out = owned(x);
    let ax = last(out.ndim(), "lane_sums");
    for mut lane in out.lanes_mut(ax) {
        let s = lane.sum();
        lane.fill(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of every width from 1 to 19 (shorter and longer than a vector register),
    /// with large, tiny and infinite values.
    fn matrix(width: usize) -> Vec<f32> {
        (0..7 * width)
            .map(|i| match i % 11 {
                3 => 80.0,
                5 => -1e4,
                7 => f32::NEG_INFINITY,
                _ => (i as f32 * 0.37).sin() * 6.0,
            })
            .collect()
    }

    #[test]
    fn whole_buffer_kernels_agree_with_f64_references() {
        for width in 1..20 {
            let values = matrix(width);
            let lse = log_sum_exp_rows(&values, width);
            let mut p = values.clone();
            softmax_rows(&mut p, width);
            for (r, row) in rows(&values, width).enumerate() {
                let wide: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
                let m = wide.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
                let sum: f64 = wide.iter().map(|&v| (v - m).exp()).sum();
                let exact_lse = m + sum.ln();
                assert!(
                    (f64::from(lse[r]) - exact_lse).abs() <= 1e-6 * exact_lse.abs().max(1.0),
                    "width {width}, row {r}: {} vs {exact_lse}",
                    lse[r]
                );
                for (j, (&v, &got)) in wide.iter().zip(&p[r * width..]).enumerate() {
                    let exact = (v - m).exp() / sum;
                    assert!(
                        (f64::from(got) - exact).abs() <= 1e-6 * exact + 1e-37,
                        "width {width}, row {r}, column {j}: {got} vs {exact}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_all_minus_infinity_row_has_log_sum_exp_minus_infinity() {
        let values = [f32::NEG_INFINITY; 6];
        assert_eq!(log_sum_exp_rows(&values, 3), vec![f32::NEG_INFINITY; 2]);
    }
}
