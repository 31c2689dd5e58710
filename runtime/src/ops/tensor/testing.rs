//! What the gradient tests of the tensor kernels share: seeded random shapes and arrays,
//! the VJP by central finite differences, and inner products for the adjoint identity
//! `<g, J v> == <J^T g, v>`. Arrays are dynamic-rank `f64`, so one test covers every rank.

use ndarray::{ArrayD, IxDyn, Zip};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The generator of a test, seeded so a failure reproduces.
pub(crate) fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A shape of rank `min_rank..=max_rank` with lengths 1 to 5.
pub(crate) fn random_shape(rng: &mut StdRng, min_rank: usize, max_rank: usize) -> Vec<usize> {
    let rank = rng.random_range(min_rank..=max_rank);
    (0..rank).map(|_| rng.random_range(1..=5)).collect()
}

/// Values uniform in [-2, 2).
pub(crate) fn random(rng: &mut StdRng, shape: &[usize]) -> ArrayD<f64> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(-2.0..2.0))
}

/// `<a, b>`, the sum of the elementwise product of two arrays of one shape.
pub(crate) fn inner(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape(), "inner product of different shapes");
    Zip::from(a).and(b).fold(0.0, |s, &x, &y| s + x * y)
}

/// `J^T g` of `f` at `x` by central differences: entry `i` is the derivative of
/// `<g, f(x)>` along `x_i`, `(<g, f(x + h e_i)> - <g, f(x - h e_i)>) / 2h`.
pub(crate) fn numeric_vjp(
    f: impl Fn(&ArrayD<f64>) -> ArrayD<f64>,
    x: &ArrayD<f64>,
    g: &ArrayD<f64>,
) -> ArrayD<f64> {
    let h = 1e-6;
    let mut out = ArrayD::zeros(x.raw_dim());
    let mut probe = x.clone();
    for (i, o) in out.iter_mut().enumerate() {
        let xi = x.as_slice().expect("row-major")[i];
        probe.as_slice_mut().expect("row-major")[i] = xi + h;
        let up = inner(g, &f(&probe));
        probe.as_slice_mut().expect("row-major")[i] = xi - h;
        let down = inner(g, &f(&probe));
        probe.as_slice_mut().expect("row-major")[i] = xi;
        *o = (up - down) / (2.0 * h);
    }
    out
}

/// Asserts `got` and `want` agree elementwise to `tol`, relative to `max(1, |want|)`.
#[track_caller]
pub(crate) fn assert_close(got: &ArrayD<f64>, want: &ArrayD<f64>, tol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shapes");
    for ((i, &a), &b) in got.indexed_iter().zip(want) {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1.0),
            "{what}: at {i:?}, {a} vs {b}\ngot  {got}\nwant {want}"
        );
    }
}

/// Asserts `<g, J v> == <J^T g, v>` to rounding.
#[track_caller]
pub(crate) fn assert_adjoint(g_jv: f64, jtg_v: f64, what: &str) {
    assert!(
        (g_jv - jtg_v).abs() <= 1e-12 * g_jv.abs().max(1.0),
        "{what}: <g, J v> = {g_jv}, <J^T g, v> = {jtg_v}"
    );
}
