//! Largest, smallest and soft-largest values: [`max_axis`] and [`min_axis`] along an axis
//! (their shared VJP [`extremum_axis_vjp`] routes the gradient to the extremum, split
//! evenly at ties), [`logsumexp`] along an axis (computed from the lane's maximum, so
//! no input overflows) and its VJP, and the elementwise [`maximum`] and [`minimum`] of
//! two broadcast operands. NaN propagates through all of them, as in NumPy.

use ndarray::{Array, ArrayView, ArrayViewMut1, Axis, DimMax, Dimension, IxDyn, RemoveAxis, Zip};

use num_traits::Float as _;

use super::map::{broadcast, map2};
use super::operand::{Operand, Out2, shapes_text};
use super::pool;
use super::slicing::axis_len;
use super::softmax::owned;
use crate::Float;
use crate::ops::scalar;

/// Folds every lane of `x` along `axis` with `pick`, from `start`.
#[track_caller]
fn fold_axis<X>(
    op: &str,
    x: X,
    axis: Axis,
    start: X::Elem,
    pick: fn(X::Elem, X::Elem) -> X::Elem,
) -> Array<X::Elem, <X::Dim as Dimension>::Smaller>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let out = {
        let v = x.view();
        axis_len(op, "x", v.shape(), axis);
        let mut out = pool::array(v.raw_dim().remove_axis(axis));
        out.fill(start);
        if v.stride_of(axis).unsigned_abs() == 1 {
            // Lanes adjacent in memory (a row-major matrix's rows): one lane at a time.
            Zip::from(&mut out)
                .and(v.lanes(axis))
                .for_each(|m, lane| *m = lane.fold(*m, |m, &x| pick(m, x)));
        } else {
            // Lanes strided across memory: whole sub-arrays at a time, so memory is read in
            // order (a row-major matrix's columns reduced row by row).
            for sub in v.axis_iter(axis) {
                out.zip_mut_with(&sub, |m, &x| *m = pick(*m, x));
            }
        }
        out
    };
    x.recycle();
    out
}

/// The largest element of each lane along `axis`, which is removed. A lane holding a NaN
/// gives NaN (as NumPy's `max`, where `f64::max` would skip it); an empty lane gives
/// `-inf`, the identity of `max`. The result comes from the buffer [`pool`]; an owned
/// `x` goes back to it.
///
/// # Panics
///
/// If `axis` is out of range: `max_axis: Axis(2) out of range for x [2, 3]`.
///
/// ```
/// use cadena::ops::tensor::max_axis;
/// use ndarray::{array, Axis};
///
/// let x = array![[1.0_f64, 5.0, 2.0], [-3.0, -1.0, -2.0]];
/// assert_eq!(max_axis(&x, Axis(1)), array![5.0, -1.0]);
/// assert_eq!(max_axis(&x, Axis(0)), array![1.0, 5.0, 2.0]);
/// assert!(max_axis(&array![1.0, f64::NAN], Axis(0)).into_scalar().is_nan());
/// ```
#[track_caller]
pub fn max_axis<X>(x: X, axis: Axis) -> Array<X::Elem, <X::Dim as Dimension>::Smaller>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    fold_axis(
        "max_axis",
        x,
        axis,
        X::Elem::neg_infinity(),
        scalar::maximum,
    )
}

/// The smallest element of each lane along `axis`, which is removed. A lane holding a
/// NaN gives NaN; an empty lane gives `+inf`. As [`max_axis`] otherwise.
///
/// # Panics
///
/// If `axis` is out of range: `min_axis: Axis(2) out of range for x [2, 3]`.
///
/// ```
/// use cadena::ops::tensor::min_axis;
/// use ndarray::{array, Axis};
///
/// let x = array![[1.0_f32, 5.0, 2.0], [-3.0, -1.0, -2.0]];
/// assert_eq!(min_axis(&x, Axis(1)), array![1.0, -3.0]);
/// assert_eq!(min_axis(&x, Axis(0)), array![-3.0, -1.0, -2.0]);
/// ```
#[track_caller]
pub fn min_axis<X>(x: X, axis: Axis) -> Array<X::Elem, <X::Dim as Dimension>::Smaller>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    fold_axis("min_axis", x, axis, X::Elem::infinity(), scalar::minimum)
}

/// Checks that `g` and `out` have the shape of `x` without `axis` and returns them as
/// views of that rank, to zip with `x`'s lanes.
#[track_caller]
fn reduced_views<'a, A: Float, D: RemoveAxis>(
    op: &str,
    axis: Axis,
    x_shape: &[usize],
    g: ArrayView<'a, A, impl Dimension>,
    out: ArrayView<'a, A, impl Dimension>,
) -> (ArrayView<'a, A, D::Smaller>, ArrayView<'a, A, D::Smaller>) {
    axis_len(op, "x", x_shape, axis);
    let mut reduced = x_shape.to_vec();
    reduced.remove(axis.index());
    if g.shape() != reduced.as_slice() || out.shape() != reduced.as_slice() {
        panic!(
            "{op}: g {:?} and out {:?} are not x {x_shape:?} without {axis:?} ({reduced:?})",
            g.shape(),
            out.shape()
        );
    }
    (
        g.into_dimensionality().expect("shape checked"),
        out.into_dimensionality().expect("shape checked"),
    )
}

/// Whether `v` is the lane's extremum `m` (NaN counts as equal to NaN: a NaN result came
/// from the lane's NaNs).
#[inline(always)]
fn is_extremum<A: Float>(v: A, m: A) -> bool {
    v == m || (v.is_nan() && m.is_nan())
}

/// Sets `lane` to `g` shared evenly among its elements equal to `m`, zero elsewhere;
/// false when no element equals `m`.
fn share_among_ties<A: Float>(mut lane: ArrayViewMut1<'_, A>, g: A, m: A) -> bool {
    let ties = lane.iter().filter(|&&v| is_extremum(v, m)).count();
    let share = g / A::of(ties.max(1) as f64);
    lane.mapv_inplace(|v| if is_extremum(v, m) { share } else { A::zero() });
    ties > 0 || lane.is_empty()
}

/// The VJP of [`max_axis`] and of [`min_axis`]: given the forward input `x`, the forward
/// result `out` (the maxima or minima) and its gradient `g` (shaped like `out`), each
/// lane's gradient goes to its extremum. Where several elements tie for it, they split
/// the gradient evenly (each gets `g / n` for `n` ties): a subgradient, symmetric in the
/// tied elements, whose sum is the derivative of moving them all together. A NaN lane's
/// gradient goes to its NaNs. Written into `x`'s buffer when `x` is owned.
///
/// # Panics
///
/// If `axis` is out of range, `g` or `out` is not shaped like `x` without `axis`, or a
/// lane of `x` does not hold its `out` (`out` is not this reduction of `x`).
///
/// ```
/// use cadena::ops::tensor::{extremum_axis_vjp, max_axis};
/// use ndarray::{array, Axis};
///
/// let x = array![[1.0_f64, 3.0, 3.0], [4.0, 0.0, 2.0]];
/// let m = max_axis(&x, Axis(1));
/// let dx = extremum_axis_vjp(&array![1.0, 1.0], Axis(1), &x, &m);
/// assert_eq!(dx, array![[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]);
/// ```
#[track_caller]
pub fn extremum_axis_vjp<G, X, O>(g: G, axis: Axis, x: X, out: O) -> Array<G::Elem, X::Dim>
where
    G: Operand,
    X: Operand<Elem = G::Elem>,
    O: Operand<Elem = G::Elem>,
    X::Dim: RemoveAxis,
{
    let mut dx = owned(x);
    let mut consistent = true;
    {
        let (gv, ov) =
            reduced_views::<_, X::Dim>("extremum_axis_vjp", axis, dx.shape(), g.view(), out.view());
        Zip::from(dx.lanes_mut(axis))
            .and(&gv)
            .and(&ov)
            .for_each(|lane, &g, &m| consistent &= share_among_ties(lane, g, m));
    }
    if !consistent {
        panic!(
            "extremum_axis_vjp: a lane of x holds no element equal to its out along {axis:?} \
             (out is not the max or min of x)"
        );
    }
    g.recycle();
    out.recycle();
    dx
}

/// `ln Σ e^v` over one lane, as `m + ln Σ e^(v - m)` with `m` the lane's maximum, so no
/// exponential overflows and the largest term is exactly 1. A lane whose maximum is not
/// finite has that as its value: `-inf` for a lane of `-inf` (or an empty lane), `+inf`
/// for one holding `+inf`, NaN for one holding NaN.
fn log_sum_exp_lane<A: Float>(lane: ArrayView<'_, A, ndarray::Ix1>) -> A {
    let m = lane.fold(A::neg_infinity(), |m, &v| scalar::maximum(m, v));
    if !m.is_finite() {
        return m;
    }
    m + lane.fold(A::zero(), |s, &v| s + (v - m).exp()).ln()
}

/// `ln Σ e^x` along `axis`, which is removed: a smooth maximum, and the normaliser of a
/// softmax along that axis. Computed as `m + ln Σ e^(x - m)` with `m` the lane's maximum,
/// so it is finite for any finite input (`logsumexp([800, 800]) = 800 + ln 2`, where the
/// naive form overflows) and accurate to rounding. A lane of `-inf` gives `-inf`, a lane
/// holding `+inf` gives `+inf`, a lane holding NaN gives NaN. The result comes from the
/// buffer [`pool`]; an owned `x` goes back to it.
///
/// ```text
/// logsumexp(x)_lane = m + ln Σ_i e^(x_i - m),   m = max_i x_i
/// ```
///
/// # Panics
///
/// If `axis` is out of range: `logsumexp: Axis(1) out of range for x [3]`.
///
/// ```
/// use cadena::ops::tensor::logsumexp;
/// use ndarray::{array, Axis};
///
/// let x = array![[800.0_f64, 800.0], [-800.0, -800.0]];
/// let lse = logsumexp(&x, Axis(1));
/// assert_eq!(lse, array![800.0 + 2f64.ln(), -800.0 + 2f64.ln()]);
/// let inf = f64::INFINITY;
/// assert_eq!(logsumexp(&array![-inf, -inf], Axis(0)).into_scalar(), -inf);
/// ```
#[track_caller]
pub fn logsumexp<X>(x: X, axis: Axis) -> Array<X::Elem, <X::Dim as Dimension>::Smaller>
where
    X: Operand,
    X::Dim: RemoveAxis,
{
    let out = {
        let v = x.view();
        axis_len("logsumexp", "x", v.shape(), axis);
        let mut out = pool::array(v.raw_dim().remove_axis(axis));
        Zip::from(&mut out)
            .and(v.lanes(axis))
            .for_each(|o, lane| *o = log_sum_exp_lane(lane));
        out
    };
    x.recycle();
    out
}

/// The VJP of [`logsumexp`]: given the forward input `x`, the forward result `out` and its
/// gradient `g` (shaped like `out`), `g[lane] * e^(x - out[lane])`, the softmax of the
/// lane scaled by its gradient. The softmax is recomputed from `x` as
/// `e^(x - m) / Σ e^(x - m)` with `m` the lane's maximum, which is exact where `x - m` is,
/// rather than taken as `e^(x - out)`: at `|x|` near 800 the rounding of `out` alone
/// (an ulp of 800 is 1e-13) would put an error of 1e-13 into every weight. `out` is
/// checked for its shape. Where the lane's maximum is infinite the softmax's limit is
/// used: the elements equal to it share `g` evenly (a lane of `-inf`, whose logsumexp is
/// `-inf`, spreads it over every element; a lane holding `+inf` gives it to its `+inf`s).
/// A lane holding NaN has NaN gradients. Written into `x`'s buffer when `x` is owned.
///
/// ```text
/// dL/dx_i = g · e^(x_i - logsumexp(x))
/// ```
///
/// # Panics
///
/// If `axis` is out of range, or `g` or `out` is not shaped like `x` without `axis`:
/// `logsumexp_vjp: g [3] and out [2] are not x [2, 3] without Axis(1) ([2])`.
///
/// ```
/// use cadena::ops::tensor::{logsumexp, logsumexp_vjp};
/// use ndarray::{array, Axis};
///
/// let x = array![[0.0_f64, 0.0], [800.0, 800.0]];
/// let lse = logsumexp(&x, Axis(1));
/// let dx = logsumexp_vjp(&array![1.0, 2.0], Axis(1), &x, &lse);
/// assert_eq!(dx, array![[0.5, 0.5], [1.0, 1.0]]);
/// ```
#[track_caller]
pub fn logsumexp_vjp<G, X, O>(g: G, axis: Axis, x: X, out: O) -> Array<G::Elem, X::Dim>
where
    G: Operand,
    X: Operand<Elem = G::Elem>,
    O: Operand<Elem = G::Elem>,
    X::Dim: RemoveAxis,
{
    let mut dx = owned(x);
    {
        let (gv, _) =
            reduced_views::<_, X::Dim>("logsumexp_vjp", axis, dx.shape(), g.view(), out.view());
        Zip::from(dx.lanes_mut(axis))
            .and(&gv)
            .for_each(|lane, &g| softmax_times(lane, g));
    }
    g.recycle();
    out.recycle();
    dx
}

/// Overwrites `lane` with `g` times its softmax (see [`logsumexp_vjp`] for lanes whose
/// maximum is not finite).
fn softmax_times<A: Float>(mut lane: ArrayViewMut1<'_, A>, g: A) {
    let m = lane.fold(A::neg_infinity(), |m, &v| scalar::maximum(m, v));
    if m.is_nan() {
        lane.fill(m);
    } else if m.is_infinite() {
        share_among_ties(lane, g, m);
    } else {
        lane.mapv_inplace(|v| (v - m).exp());
        let k = g / lane.sum();
        lane.mapv_inplace(|e| e * k);
    }
}

/// Checks that two operands broadcast, naming the op.
#[track_caller]
fn check_broadcast(op: &str, x: &impl Operand, y: &impl Operand) {
    let (xv, yv) = (x.view(), y.view());
    if broadcast::<IxDyn>(&[xv.shape(), yv.shape()]).is_err() {
        panic!(
            "{op}: cannot broadcast {}",
            shapes_text(&[xv.shape(), yv.shape()])
        );
    }
}

/// The larger of `x` and `y` elementwise, broadcast together (NumPy rules): a float for
/// two floats, else an owned array of the broadcast shape (written into `x` when `x` is
/// owned and already of that shape). NaN in either gives NaN; see [`scalar::maximum`],
/// and [`scalar::above`] for how its gradient is shared.
///
/// # Panics
///
/// If the shapes do not broadcast: `maximum: cannot broadcast [2, 3] with [2]`.
///
/// ```
/// use cadena::ops::tensor::maximum;
/// use ndarray::array;
///
/// let a = array![[1.0_f64, -2.0], [3.0, -4.0]];
/// assert_eq!(maximum(&a, &array![0.0, 0.0]), array![[1.0, 0.0], [3.0, 0.0]]);
/// assert_eq!(maximum(&a, 2.0), array![[2.0, 2.0], [3.0, 2.0]]);
/// assert_eq!(maximum(1.0_f32, 2.0_f32), 2.0);
/// ```
#[track_caller]
pub fn maximum<X, Y>(x: X, y: Y) -> Out2<X, Y>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
{
    check_broadcast("maximum", &x, &y);
    map2(x, y, scalar::maximum)
}

/// The smaller of `x` and `y` elementwise, broadcast together; NaN in either gives NaN.
/// As [`maximum`] otherwise; see [`scalar::minimum`] and [`scalar::below`].
///
/// # Panics
///
/// If the shapes do not broadcast: `minimum: cannot broadcast [2, 3] with [2]`.
///
/// ```
/// use cadena::ops::tensor::minimum;
/// use ndarray::array;
///
/// let a = array![1.0_f64, -2.0, f64::NAN];
/// let m = minimum(&a, 0.0_f64);
/// assert_eq!(m.slice(ndarray::s![..2]), array![0.0, -2.0]);
/// assert!(m[2].is_nan());
/// ```
#[track_caller]
pub fn minimum<X, Y>(x: X, y: Y) -> Out2<X, Y>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
{
    check_broadcast("minimum", &x, &y);
    map2(x, y, scalar::minimum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tensor::testing::{
        assert_adjoint, assert_close, inner, numeric_vjp, random, random_shape, rng,
    };
    use ndarray::{Array1, Array2, ArrayD, array, s};
    use rand::RngExt;

    /// The maximum of each lane by a plain loop, the reference.
    fn naive_max(x: &ArrayD<f64>, axis: Axis) -> ArrayD<f64> {
        x.map_axis(axis, |lane| {
            lane.iter()
                .fold(f64::NEG_INFINITY, |m, &v| if v > m { v } else { m })
        })
    }

    type Reduction = fn(&ArrayD<f64>, Axis) -> ArrayD<f64>;

    /// [`max_axis`] and [`min_axis`], named.
    fn extrema() -> [(&'static str, Reduction); 2] {
        [
            ("max", |x, axis| max_axis(x, axis)),
            ("min", |x, axis| min_axis(x, axis)),
        ]
    }

    #[test]
    fn max_and_min_match_a_plain_loop_on_every_axis_and_layout() {
        let mut rng = rng(7);
        for case in 0..100 {
            let shape = random_shape(&mut rng, 1, 4);
            let axis = Axis(rng.random_range(0..shape.len()));
            let x = random(&mut rng, &shape);
            assert_eq!(max_axis(&x, axis), naive_max(&x, axis), "case {case}");
            assert_eq!(min_axis(&x, axis), -naive_max(&-&x, axis), "case {case}");
            // Transposed, with one axis walked backwards: lanes no longer adjacent in
            // memory, a negative stride.
            let mut t = x.view().reversed_axes();
            t.invert_axis(Axis(0));
            let t_axis = Axis(shape.len() - 1 - axis.index());
            let expected = naive_max(&t.to_owned(), t_axis);
            assert_eq!(max_axis(t, t_axis), expected, "case {case}");
        }
        let x = Array2::from_shape_fn((6, 5), |(i, j)| ((i * 5 + j) as f64 * 0.7).sin());
        let strided = x.slice(s![..;-2, 1..;2]);
        assert_eq!(
            max_axis(strided, Axis(0)).into_dyn(),
            naive_max(&strided.to_owned().into_dyn(), Axis(0))
        );
        assert_eq!(
            max_axis(&Array2::<f64>::zeros((3, 0)), Axis(1)),
            Array1::from_elem(3, f64::NEG_INFINITY)
        );
        assert_eq!(
            min_axis(&Array2::<f64>::zeros((3, 0)), Axis(1)),
            Array1::from_elem(3, f64::INFINITY)
        );
    }

    #[test]
    fn a_nan_anywhere_in_a_lane_makes_its_max_and_min_nan() {
        let x = array![[f64::NAN, 1.0, 2.0], [1.0, 2.0, f64::NAN], [1.0, 3.0, 2.0]];
        for axis in [Axis(0), Axis(1)] {
            let (max, min) = (max_axis(&x, axis), min_axis(&x, axis));
            for lane in 0..3 {
                let has_nan = x
                    .index_axis(Axis(1 - axis.index()), lane)
                    .iter()
                    .any(|v| v.is_nan());
                assert_eq!(max[lane].is_nan(), has_nan, "{axis:?}, lane {lane}");
                assert_eq!(min[lane].is_nan(), has_nan, "{axis:?}, lane {lane}");
            }
        }
        // The gradient of a NaN lane goes to its NaN.
        let m = max_axis(&x, Axis(1));
        let dx = extremum_axis_vjp(&array![1.0, 1.0, 1.0], Axis(1), &x, &m);
        assert_eq!(
            dx,
            array![[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
        );
    }

    #[test]
    fn tied_extrema_split_the_gradient_evenly() {
        let x = array![
            [1.0_f64, 3.0, 3.0, 2.0],
            [0.0, 0.0, 0.0, 0.0],
            [5.0, -1.0, -1.0, -1.0]
        ];
        let g = array![1.0, 4.0, 3.0];
        let dmax = extremum_axis_vjp(&g, Axis(1), &x, max_axis(&x, Axis(1)));
        assert_eq!(
            dmax,
            array![
                [0.0, 0.5, 0.5, 0.0],
                [1.0, 1.0, 1.0, 1.0],
                [3.0, 0.0, 0.0, 0.0]
            ]
        );
        let dmin = extremum_axis_vjp(&g, Axis(1), &x, min_axis(&x, Axis(1)));
        assert_eq!(
            dmin,
            array![
                [1.0, 0.0, 0.0, 0.0],
                [1.0, 1.0, 1.0, 1.0],
                [0.0, 1.0, 1.0, 1.0]
            ]
        );
        // Along the other axis, from an owned `x` whose buffer is reused.
        let m = max_axis(&x, Axis(0));
        let address = x.as_ptr();
        let d0 = extremum_axis_vjp(&array![2.0, 2.0, 2.0, 2.0], Axis(0), x, &m);
        assert_eq!(d0.as_ptr(), address);
        assert_eq!(
            d0,
            array![
                [0.0, 2.0, 2.0, 2.0],
                [0.0, 0.0, 0.0, 0.0],
                [2.0, 0.0, 0.0, 0.0]
            ]
        );
    }

    #[test]
    fn extremum_vjp_agrees_with_finite_differences_on_random_shapes() {
        let mut rng = rng(8);
        for case in 0..100 {
            let shape = random_shape(&mut rng, 1, 4);
            let axis = Axis(rng.random_range(0..shape.len()));
            // Continuous values: no ties, and gaps far wider than the step.
            let x = random(&mut rng, &shape);
            for (name, f) in extrema() {
                let m = f(&x, axis);
                let g = random(&mut rng, m.shape());
                let dx = extremum_axis_vjp(&g, axis, &x, m);
                let numeric = numeric_vjp(|x| f(x, axis), &x, &g);
                assert_close(&dx, &numeric, 1e-6, &format!("case {case}, {name}"));
            }
        }
    }

    #[test]
    fn extremum_vjp_is_the_adjoint_of_moving_the_tied_extrema_together() {
        // Small integers, so lanes often tie. The directional derivative this VJP is the
        // adjoint of: each lane's extremum moves by the mean of v over its tied elements.
        let mut rng = rng(9);
        for case in 0..100 {
            let shape = random_shape(&mut rng, 1, 4);
            let axis = Axis(rng.random_range(0..shape.len()));
            let x = ArrayD::from_shape_simple_fn(IxDyn(&shape), || {
                f64::from(rng.random_range(0..3_u8))
            });
            let v = random(&mut rng, &shape);
            for (name, f) in extrema() {
                let m = f(&x, axis);
                let g = random(&mut rng, m.shape());
                let mut jv = m.clone();
                Zip::from(&mut jv)
                    .and(x.lanes(axis))
                    .and(v.lanes(axis))
                    .and(&m)
                    .for_each(|jv, x, v, &m| {
                        let tied: Vec<f64> = x
                            .iter()
                            .zip(v)
                            .filter(|&(&x, _)| x == m)
                            .map(|(_, &v)| v)
                            .collect();
                        *jv = tied.iter().sum::<f64>() / tied.len() as f64;
                    });
                let dx = extremum_axis_vjp(&g, axis, &x, &m);
                assert_adjoint(
                    inner(&g, &jv),
                    inner(&dx, &v),
                    &format!("case {case}, {name}"),
                );
            }
        }
    }

    /// `ln Σ e^y` the naive way, accurate for small `y`.
    fn naive_lse(y: &[f64]) -> f64 {
        y.iter().map(|v| v.exp()).sum::<f64>().ln()
    }

    #[test]
    fn logsumexp_at_plus_and_minus_800_is_finite_and_exact() {
        let mut rng = rng(10);
        for shift in [800.0, -800.0, 0.0] {
            let y = random(&mut rng, &[4, 7]);
            let x = y.mapv(|v| v + shift);
            for axis in [Axis(0), Axis(1)] {
                let lse = logsumexp(&x, axis);
                for (lane, got) in y.lanes(axis).into_iter().zip(&lse) {
                    let want = shift + naive_lse(&lane.to_vec());
                    assert!(got.is_finite(), "shift {shift}: {got}");
                    assert!(
                        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                        "shift {shift}, {axis:?}: {got} vs {want}"
                    );
                }
                // Its gradient, the softmax, is finite too and sums to 1 per lane to
                // rounding, however large the inputs (`e^(x - out)` would be off by 1e-13
                // at 800, the rounding of `out`).
                let dx = logsumexp_vjp(ArrayD::ones(lse.raw_dim()), axis, &x, &lse);
                assert!(dx.iter().all(|v| v.is_finite()));
                for s in dx.sum_axis(axis) {
                    assert!((s - 1.0).abs() <= 4.0 * f64::EPSILON, "shift {shift}: {s}");
                }
            }
        }
        // Lanes mixing both extremes: the small term vanishes, exactly.
        let x = array![[800.0_f64, -800.0], [-800.0, -800.0]];
        assert_eq!(logsumexp(&x, Axis(1)), array![800.0, -800.0 + 2f64.ln()]);
        assert_eq!(
            logsumexp(&x.mapv(|v| v as f32), Axis(1)),
            array![800.0, -800.0 + 2f32.ln()]
        );
    }

    #[test]
    fn logsumexp_of_infinite_and_nan_lanes() {
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        let x = array![
            [-inf, -inf, -inf],
            [1.0, inf, -inf],
            [1.0, nan, 2.0],
            [0.0, -inf, 0.0]
        ];
        let lse = logsumexp(&x, Axis(1));
        assert_eq!(lse.slice(s![..2]), array![-inf, inf]);
        assert!(lse[2].is_nan());
        assert!((lse[3] - 2f64.ln()).abs() < 1e-15);
        let dx = logsumexp_vjp(&array![3.0, 2.0, 1.0, 1.0], Axis(1), &x, &lse);
        assert_eq!(
            dx.row(0),
            array![1.0, 1.0, 1.0],
            "the limit of a softmax of equal values"
        );
        assert_eq!(dx.row(1), array![0.0, 2.0, 0.0]);
        assert!(dx.row(2).iter().all(|v| v.is_nan()));
        assert_eq!(dx.row(3), array![0.5, 0.0, 0.5]);
        assert_eq!(
            logsumexp(&Array2::<f64>::zeros((2, 0)), Axis(1)),
            array![-inf, -inf]
        );
    }

    #[test]
    fn logsumexp_vjp_agrees_with_finite_differences_and_the_adjoint_identity() {
        let mut rng = rng(11);
        for case in 0..100 {
            let shape = random_shape(&mut rng, 1, 4);
            let axis = Axis(rng.random_range(0..shape.len()));
            let x = random(&mut rng, &shape).mapv(|v| 3.0 * v);
            let out = logsumexp(&x, axis);
            let naive = x.map_axis(axis, |l| naive_lse(&l.to_vec()));
            assert_close(&out, &naive, 1e-12, &format!("case {case}"));
            let g = random(&mut rng, out.shape());
            let dx = logsumexp_vjp(&g, axis, &x, &out);
            let numeric = numeric_vjp(|x| logsumexp(x, axis), &x, &g);
            assert_close(&dx, &numeric, 1e-7, &format!("case {case}"));
            // J v: each lane's softmax-weighted mean of v.
            let v = random(&mut rng, &shape);
            let mut jv = out.clone();
            Zip::from(&mut jv)
                .and(x.lanes(axis))
                .and(v.lanes(axis))
                .and(&out)
                .for_each(|jv, x, v, &o| {
                    *jv = x.iter().zip(v).map(|(&x, &v)| (x - o).exp() * v).sum()
                });
            assert_adjoint(inner(&g, &jv), inner(&dx, &v), &format!("case {case}"));
        }
    }

    #[test]
    fn maximum_and_minimum_broadcast_and_keep_nan() {
        let a = array![[1.0_f64, -2.0, f64::NAN], [3.0, 0.5, 0.0]];
        let b = array![0.0, 0.0, 0.0];
        let max = maximum(&a, &b);
        let min = minimum(&b, &a);
        assert_eq!(max.slice(s![.., ..2]), array![[1.0, 0.0], [3.0, 0.5]]);
        assert_eq!(min.slice(s![.., ..2]), array![[0.0, -2.0], [0.0, 0.0]]);
        assert!(max[[0, 2]].is_nan() && min[[0, 2]].is_nan());
        assert_eq!(maximum(&a.row(1), 1.0), array![3.0, 1.0, 1.0]);
        assert_eq!(minimum(2.0_f64, 3.0_f64), 2.0);
        assert!(maximum(f64::NAN, 3.0_f64).is_nan());
        // An owned first operand of the result's shape holds the result.
        let owned = Array1::from(vec![1.0_f64, 5.0]);
        let address = owned.as_ptr();
        let m = maximum(owned, &array![2.0, 2.0]);
        assert_eq!((m.as_ptr(), m), (address, array![2.0, 5.0]));
    }

    #[test]
    #[should_panic(expected = "maximum: cannot broadcast [2, 3] with [2]")]
    fn maximum_names_shapes_that_do_not_broadcast() {
        maximum(&Array2::<f64>::zeros((2, 3)), &Array1::<f64>::zeros(2));
    }

    #[test]
    #[should_panic(expected = "max_axis: Axis(2) out of range for x [2, 3]")]
    fn max_axis_names_an_axis_out_of_range() {
        max_axis(&Array2::<f64>::zeros((2, 3)), Axis(2));
    }

    #[test]
    #[should_panic(
        expected = "logsumexp_vjp: g [3] and out [2] are not x [2, 3] without Axis(1) ([2])"
    )]
    fn logsumexp_vjp_names_a_gradient_of_the_wrong_shape() {
        let x = Array2::<f64>::zeros((2, 3));
        logsumexp_vjp(Array1::<f64>::zeros(3), Axis(1), &x, logsumexp(&x, Axis(1)));
    }

    #[test]
    #[should_panic(expected = "extremum_axis_vjp: a lane of x holds no element equal to its out")]
    fn extremum_vjp_notices_an_out_that_is_not_the_extremum_of_x() {
        let x = array![[1.0_f64, 2.0]];
        extremum_axis_vjp(&array![1.0], Axis(1), &x, &array![3.0]);
    }
}
