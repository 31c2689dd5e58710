//! Losses on arrays (a mean over the batch or over elements, so the scale does not
//! depend on batch size) and their VJPs. The fused VJPs are the simplified forms the
//! macro emits for `softmax_cross_entropy`, `bce` on logits and `mse`; the unfused ones
//! serve bodies that apply a loss to a probability computed some other way.
//!
//! Every loss and fused gradient here is finite for logits as large as ±1e4
//! (max-subtracted exponentials, softplus forms), and the fused ones are accurate in
//! relative terms too: where a confident, correct prediction makes a loss or a gradient
//! tiny (`e^-30`, `e^-700`), it keeps its significant digits instead of rounding to 0
//! (tested against 60-digit values from `runtime/tools/loss_references.py`).

use ndarray::{
    Array, ArrayBase, ArrayView, Data, DimMax, Dimension, Ix1, Ix2, IxDyn, RemoveAxis, Zip,
};
use num_traits::{Float as _, One, Zero};

use super::map::{broadcast, map2};
use super::operand::{Operand, Out2};
use super::pool;
use super::softmax::{
    last, log_sum_exp_parts_rows, owned, owned_standard, rows, same_shape,
    softmax_minus_target_rows,
};
use crate::Float;
use crate::ops::scalar;

/// How many distributions an array holds along its last axis (rows of a matrix; 1 for a
/// vector).
fn lanes_count(shape: &[usize]) -> usize {
    shape[..shape.len() - 1].iter().product()
}

/// `Σ f(x, y)` over `x` and `y` broadcast together, and the element count.
#[track_caller]
fn sum_map2<X, Y, F>(x: X, y: Y, op: &'static str, f: F) -> (X::Elem, usize)
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    F: Fn(X::Elem, X::Elem) -> X::Elem,
{
    let (xv, yv) = (x.view(), y.view());
    let shape = broadcast_shape(xv.shape(), yv.shape(), op);
    let n = shape.size();
    let xb = xv.broadcast(shape.clone()).expect("shape checked");
    let yb = yv.broadcast(shape).expect("shape checked");
    let zero = X::Elem::zero();
    let total = match (xb.as_slice(), yb.as_slice()) {
        // Summing in blocks keeps f32 rounding error near sqrt-size instead of linear.
        (Some(xs), Some(ys)) => xs
            .chunks(256)
            .zip(ys.chunks(256))
            .map(|(xc, yc)| xc.iter().zip(yc).fold(zero, |s, (&a, &b)| s + f(a, b)))
            .fold(zero, |s, c| s + c),
        _ => Zip::from(&xb).and(&yb).fold(zero, |s, &a, &b| s + f(a, b)),
    };
    (total, n)
}

/// The shape of `x` and `y` broadcast together; a mismatch panics naming `op`, at the
/// line that called the public loss.
#[track_caller]
fn broadcast_shape(x: &[usize], y: &[usize], op: &'static str) -> IxDyn {
    match broadcast(&[x, y]) {
        Ok(shape) => shape,
        Err(m) => m.panic(op),
    }
}

/// The element count of `x` and `y` broadcast together.
#[track_caller]
fn broadcast_count<X: Operand, Y: Operand>(x: &X, y: &Y, op: &'static str) -> usize {
    broadcast_shape(x.view().shape(), y.view().shape(), op).size()
}

/// Mean binary cross-entropy of probabilities `a` against targets `y` (broadcast
/// together), averaged over all elements. For floats it is [`scalar::bce`].
///
/// ```text
/// bce(a, y) = mean(-(y ln a + (1 - y) ln(1 - a)))
/// ```
///
/// # Panics
///
/// If the shapes do not broadcast (`bce: cannot broadcast ...`).
///
/// ```
/// use cadena::ops::tensor::bce;
/// use ndarray::array;
///
/// let l = bce(&array![0.5_f64, 0.5], &array![0.0, 1.0]);
/// assert!((l - 2f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn bce<X, Y>(a: X, y: Y) -> X::Elem
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
{
    let (s, n) = sum_map2(a, y, "bce", scalar::bce);
    s / X::Elem::of(n as f64)
}

/// Mean squared error of `a` against `y` (broadcast together), averaged over all
/// elements.
///
/// # Panics
///
/// If the shapes do not broadcast (`mse: cannot broadcast ...`).
///
/// ```
/// use cadena::ops::tensor::mse;
/// use ndarray::array;
///
/// assert_eq!(mse(&array![1.0_f32, 3.0], &array![1.0, 1.0]), 2.0);
/// ```
#[track_caller]
pub fn mse<X, Y>(a: X, y: Y) -> X::Elem
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
{
    let (s, n) = sum_map2(a, y, "mse", scalar::mse);
    s / X::Elem::of(n as f64)
}

/// Mean binary cross-entropy of `sigmoid(z)` against `y`, from the logits `z`: finite
/// for any finite `z`, and each term within a few ulp of the exact value in relative
/// terms (for labels in [0, 1]), so a confident, correct prediction keeps its small loss.
/// See [`scalar::bce_logits`].
///
/// # Panics
///
/// If the shapes do not broadcast (`bce_logits: cannot broadcast ...`).
///
/// ```
/// use cadena::ops::tensor::bce_logits;
/// use ndarray::array;
///
/// assert_eq!(bce_logits(&array![1e4_f32, -1e4], &array![0.0, 0.0]), 5e3);
/// // ln(1 + e^-40) each, where softplus(z) - y z gives 0.
/// assert_eq!(bce_logits(&array![40.0_f64, -40.0], &array![1.0, 0.0]), 4.248354255291589e-18);
/// ```
#[track_caller]
pub fn bce_logits<X, Y>(z: X, y: Y) -> X::Elem
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
{
    let (s, n) = sum_map2(z, y, "bce_logits", scalar::bce_logits);
    s / X::Elem::of(n as f64)
}

/// The fused gradient of [`bce_logits`] with respect to `z`, given the loss gradient `g`
/// (`count` = elements of the broadcast shape):
///
/// ```text
/// dL/dz = g * ((1 - y) sigmoid(z) - y sigmoid(-z)) / count     (= g (sigmoid(z) - y) / count)
/// ```
///
/// Each element is [`scalar::bce_logits_grad`]: exact to rounding where the label is 0 or
/// 1, however small (`-sigmoid(-z)` at `y = 1`, where `sigmoid(z) - 1` is 0 from `z = 37`).
///
/// # Panics
///
/// If the shapes do not broadcast (`bce_logits_vjp: cannot broadcast ...`).
///
/// ```
/// use cadena::ops::tensor::bce_logits_vjp;
/// use ndarray::array;
///
/// assert_eq!(bce_logits_vjp(&array![1e4_f64, -1e4], &array![1.0, 1.0], 1.0), array![0.0, -0.5]);
/// assert_eq!(bce_logits_vjp(0.0_f64, 1.0, 1.0), -0.5);
/// // -sigmoid(-40) / 2: a confident, correct prediction still has a gradient.
/// let g = bce_logits_vjp(&array![40.0_f64, 1.0], &array![1.0, 1.0], 1.0);
/// assert_eq!(g[0], -4.248354255291589e-18 / 2.0);
/// ```
#[track_caller]
pub fn bce_logits_vjp<X, Y>(z: X, y: Y, g: X::Elem) -> Out2<X, Y>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
{
    let k = g / X::Elem::of(broadcast_count(&z, &y, "bce_logits_vjp") as f64);
    map2(z, y, move |z, y| k * scalar::bce_logits_grad(z, y))
}

/// The gradient of [`mse`] with respect to `a`:
///
/// ```text
/// dL/da = g * 2 (a - y) / count
/// ```
///
/// The gradient with respect to `y` is its negation.
///
/// ```
/// use cadena::ops::tensor::mse_vjp;
/// use ndarray::array;
///
/// assert_eq!(mse_vjp(&array![3.0_f64, 1.0], &array![1.0, 1.0], 1.0), array![2.0, 0.0]);
/// ```
#[track_caller]
pub fn mse_vjp<X, Y>(a: X, y: Y, g: X::Elem) -> Out2<X, Y>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
{
    let k = g * X::Elem::of(2.0) / X::Elem::of(broadcast_count(&a, &y, "mse_vjp") as f64);
    map2(a, y, move |a, y| k * (a - y))
}

/// The gradient of [`bce`] with respect to the probability `a` (unfused: infinite where
/// `a` is exactly 0 or 1; prefer [`bce_logits_vjp`] when `a = sigmoid(z)`):
///
/// ```text
/// dL/da = g * (a - y) / (a (1 - a)) / count
/// ```
///
/// ```
/// use cadena::ops::tensor::bce_vjp_a;
/// use ndarray::array;
///
/// assert_eq!(bce_vjp_a(&array![0.5_f64, 0.5], &array![1.0, 0.0], 1.0), array![-1.0, 1.0]);
/// ```
#[track_caller]
pub fn bce_vjp_a<X, Y>(a: X, y: Y, g: X::Elem) -> Out2<X, Y>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
{
    let k = g / X::Elem::of(broadcast_count(&a, &y, "bce_vjp_a") as f64);
    let one = X::Elem::one();
    map2(a, y, move |a, y| k * (a - y) / (a * (one - a)))
}

/// Softmax cross-entropy of logits `z` against one-hot (or any probability) targets `y`,
/// averaged over the distributions along the last axis (the rows of a matrix):
///
/// ```text
/// L = (1/n) Σ_rows Σ_i y_i (lse(z_row) - z_i),   lse = max + ln Σ e^(z - max)
/// ```
///
/// Finite for any finite logits, and within a few ulp of the exact value in relative
/// terms: each row's `lse - z_i` is computed as `(max - z_i) + ln_1p(Σ_{j ≠ max} e^(z_j -
/// max))`, so a confident, correct row (loss `≈ e^-gap`) keeps its digits where
/// `lse - z_i` would round to 0 from a gap of 37 on. An empty batch gives NaN.
///
/// # Panics
///
/// If `z` and `y` have different shapes.
///
/// ```
/// use cadena::ops::tensor::softmax_cross_entropy;
/// use ndarray::array;
///
/// let z = array![[1e4_f32, -1e4], [0.0, 0.0]];
/// let y = array![[0.0, 1.0], [1.0, 0.0]];
/// let l = softmax_cross_entropy(&z, &y);
/// assert_eq!(l, (2e4 + 2f32.ln()) / 2.0);
/// ```
#[track_caller]
pub fn softmax_cross_entropy<Z, Y>(z: Z, y: Y) -> Z::Elem
where
    Z: Operand,
    Y: Targets<Z>,
{
    y.softmax_cross_entropy(z)
}

/// [`softmax_cross_entropy`] with one-hot (or probability) rows as targets.
#[track_caller]
fn softmax_cross_entropy_one_hot<Z, Y>(z: Z, y: Y) -> Z::Elem
where
    Z: Operand,
    Y: Operand<Elem = Z::Elem, Dim = Z::Dim>,
    Z::Dim: RemoveAxis,
{
    let loss = {
        let (z, y) = (z.view(), y.view());
        same_shape("softmax_cross_entropy", z.shape(), y.shape());
        let width = z.shape()[last(z.ndim(), "softmax_cross_entropy").index()];
        let (z, y) = (z.as_standard_layout(), y.as_standard_layout());
        let z_values = z.as_slice().expect("standard layout");
        let y_values = y.as_slice().expect("standard layout");
        let zero = Z::Elem::zero();
        // lse - z as (max - z) + tail: both non-negative, and the true class's term is
        // the tail alone when it holds the maximum.
        let (maxes, tails) = log_sum_exp_parts_rows(z_values, width);
        let total = rows(z_values, width)
            .zip(rows(y_values, width))
            .zip(maxes.iter().zip(&tails))
            .fold(zero, |s, ((z, y), (&max, &tail))| {
                s + z
                    .iter()
                    .zip(y)
                    .fold(zero, |s, (&z, &y)| s + y * ((max - z) + tail))
            });
        pool::give(maxes);
        pool::give(tails);
        total / Z::Elem::of(lanes_count(z.shape()) as f64)
    };
    z.recycle();
    y.recycle();
    loss
}

/// The fused gradient of [`softmax_cross_entropy`] with respect to the logits, given the
/// loss gradient `g` (`n` = rows). Written into `z` when it is owned.
///
/// ```text
/// dL/dz = g * (softmax(z) - y) / n
/// ```
///
/// In a row where one class holds more than half the probability, that class's entry is
/// computed as `(1 - y) - Σ_{j ≠ top} p_j`: for the true class of a confident prediction
/// `-(1 - p)`, exact to rounding however small, where `p - 1` rounds to 0 from a logit gap
/// of 37 on. Every other entry is `g (p - y) / n` as written.
///
/// # Panics
///
/// If `z` and `y` have different shapes.
///
/// ```
/// use cadena::ops::tensor::softmax_cross_entropy_vjp;
/// use ndarray::array;
///
/// let z = array![[1e4_f64, -1e4], [0.0, 0.0]];
/// let y = array![[0.0, 1.0], [1.0, 0.0]];
/// assert_eq!(softmax_cross_entropy_vjp(&z, &y, 1.0), array![[0.5, -0.5], [-0.25, 0.25]]);
/// // Confident and right: the true class's gradient is -e^-40 / (1 + e^-40), not 0.
/// let d = softmax_cross_entropy_vjp(&array![[40.0_f64, 0.0]], &array![[1.0, 0.0]], 1.0);
/// assert_eq!(d, array![[-4.248354255291589e-18, 4.248354255291589e-18]]);
/// ```
#[track_caller]
pub fn softmax_cross_entropy_vjp<Z, Y>(z: Z, y: Y, g: Z::Elem) -> Array<Z::Elem, Z::Dim>
where
    Z: Operand,
    Y: Targets<Z>,
{
    y.softmax_cross_entropy_vjp(z, g)
}

/// What [`softmax_cross_entropy`] compares logits with: one-hot (or probability) rows of
/// the logits' shape, or one class index per row (`&[usize]`, `&Vec<usize>`,
/// `&[usize; N]`), so a forward body can take either kind of labels. Labels held in an
/// `Array1<usize>` are passed as a slice (`labels.as_slice().unwrap()`, or take
/// `y: &[usize]` in the forward function): as an array they would be read as rows.
pub trait Targets<Z: Operand> {
    /// The mean loss.
    #[track_caller]
    fn softmax_cross_entropy(self, z: Z) -> Z::Elem;
    /// `g * (softmax(z) - y) / n`.
    #[track_caller]
    fn softmax_cross_entropy_vjp(self, z: Z, g: Z::Elem) -> Array<Z::Elem, Z::Dim>;
}

impl<Z, Y> Targets<Z> for Y
where
    Z: Operand,
    Y: Operand<Elem = Z::Elem, Dim = Z::Dim>,
    Z::Dim: RemoveAxis,
{
    fn softmax_cross_entropy(self, z: Z) -> Z::Elem {
        softmax_cross_entropy_one_hot(z, self)
    }
    fn softmax_cross_entropy_vjp(self, z: Z, g: Z::Elem) -> Array<Z::Elem, Z::Dim> {
        softmax_cross_entropy_one_hot_vjp(z, self, g)
    }
}

/// Class indices as targets: `&[usize]`, `&Vec<usize>`, `&[usize; N]`. (An
/// `Array1<usize>` is passed as `labels.as_slice()`: as an array it would be taken for
/// one-hot rows.)
macro_rules! index_targets {
    ($([$($gen:tt)*] $t:ty),* $(,)?) => {$(
        impl<Z: Operand<Dim = Ix2>, $($gen)*> Targets<Z> for $t {
            fn softmax_cross_entropy(self, z: Z) -> Z::Elem {
                softmax_cross_entropy_indices(z, self)
            }
            fn softmax_cross_entropy_vjp(self, z: Z, g: Z::Elem) -> Array<Z::Elem, Ix2> {
                softmax_cross_entropy_indices_vjp(z, self, g)
            }
        }
    )*};
}

index_targets!(
    [] &[usize],
    [] &Vec<usize>,
    [const N: usize] &[usize; N],
);

/// [`softmax_cross_entropy_vjp`] with one-hot (or probability) rows as targets.
#[track_caller]
fn softmax_cross_entropy_one_hot_vjp<Z, Y>(z: Z, y: Y, g: Z::Elem) -> Array<Z::Elem, Z::Dim>
where
    Z: Operand,
    Y: Operand<Elem = Z::Elem, Dim = Z::Dim>,
    Z::Dim: RemoveAxis,
{
    let y = y.view();
    let mut out = owned_standard(z);
    same_shape("softmax_cross_entropy_vjp", out.shape(), y.shape());
    let width = out.shape()[last(out.ndim(), "softmax_cross_entropy_vjp").index()];
    let k = g / Z::Elem::of(lanes_count(out.shape()) as f64);
    let y = y.as_standard_layout();
    let y = y.as_slice().expect("standard layout");
    let p = out.as_slice_mut().expect("standard layout");
    softmax_minus_target_rows(p, width, k, |r, j| y[r * width + j]);
    out
}

/// Class labels given as indices, one per row: `[usize]`, `Vec<usize>`, `[usize; N]` or
/// a 1-D ndarray of `usize`.
pub trait ClassIndices {
    /// How many labels.
    fn count(&self) -> usize;
    /// The label of row `i`.
    fn class(&self, i: usize) -> usize;
}

impl ClassIndices for [usize] {
    fn count(&self) -> usize {
        self.len()
    }
    fn class(&self, i: usize) -> usize {
        self[i]
    }
}

impl<const N: usize> ClassIndices for [usize; N] {
    fn count(&self) -> usize {
        N
    }
    fn class(&self, i: usize) -> usize {
        self[i]
    }
}

impl ClassIndices for Vec<usize> {
    fn count(&self) -> usize {
        self.len()
    }
    fn class(&self, i: usize) -> usize {
        self[i]
    }
}

impl<S: Data<Elem = usize>> ClassIndices for ArrayBase<S, Ix1> {
    fn count(&self) -> usize {
        self.len()
    }
    fn class(&self, i: usize) -> usize {
        self[i]
    }
}

/// Checks one label per row and each label in range, naming the operation.
#[track_caller]
fn check_labels<L: ClassIndices + ?Sized>(
    op: &str,
    z: &ArrayView<'_, impl Float, Ix2>,
    labels: &L,
) {
    let (rows, classes) = z.dim();
    assert!(
        labels.count() == rows,
        "{op}: {} labels for {rows} rows",
        labels.count()
    );
    for r in 0..rows {
        let c = labels.class(r);
        assert!(
            c < classes,
            "{op}: label {c} out of range for {classes} classes (row {r})"
        );
    }
}

/// [`softmax_cross_entropy`] with the targets given as class indices (one per row of `z`)
/// instead of one-hot rows: `(1/n) Σ_r (lse(z_r) - z_r[label_r])`.
///
/// # Panics
///
/// If the number of labels differs from the rows of `z`, or a label is not a valid
/// class: `softmax_cross_entropy_indices: label 3 out of range for 3 classes (row 1)`.
///
/// ```
/// use cadena::ops::tensor::{softmax_cross_entropy, softmax_cross_entropy_indices};
/// use ndarray::array;
///
/// let z = array![[1.0_f64, 2.0, 3.0], [0.5, 0.0, -1.0]];
/// let onehot = array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]];
/// let a = softmax_cross_entropy_indices(&z, &[2, 0]);
/// assert!((a - softmax_cross_entropy(&z, &onehot)).abs() < 1e-15);
/// // ln(1 + e^-40) for a confident, correct row, where lse - z would give 0.
/// assert_eq!(softmax_cross_entropy_indices(&array![[0.0_f64, 40.0]], &[1]), 4.248354255291589e-18);
/// ```
#[track_caller]
pub fn softmax_cross_entropy_indices<Z, L>(z: Z, labels: &L) -> Z::Elem
where
    Z: Operand<Dim = Ix2>,
    L: ClassIndices + ?Sized,
{
    let loss = {
        let z = z.view();
        check_labels("softmax_cross_entropy_indices", &z, labels);
        let width = z.ncols();
        let z = z.as_standard_layout();
        let values = z.as_slice().expect("standard layout");
        let (maxes, tails) = log_sum_exp_parts_rows(values, width);
        let total = maxes
            .iter()
            .zip(&tails)
            .enumerate()
            .fold(Z::Elem::zero(), |s, (r, (&max, &tail))| {
                s + ((max - values[r * width + labels.class(r)]) + tail)
            });
        pool::give(maxes);
        pool::give(tails);
        total / Z::Elem::of(z.nrows() as f64)
    };
    z.recycle();
    loss
}

/// The fused gradient of [`softmax_cross_entropy_indices`] with respect to `z`:
/// `g * (softmax(z) - onehot(labels)) / n`. Written into `z` when it is owned.
///
/// # Panics
///
/// As [`softmax_cross_entropy_indices`].
///
/// ```
/// use cadena::ops::tensor::softmax_cross_entropy_indices_vjp;
/// use ndarray::array;
///
/// let z = array![[0.0_f64, 0.0]];
/// assert_eq!(softmax_cross_entropy_indices_vjp(&z, &[1], 1.0), array![[0.5, -0.5]]);
/// ```
#[track_caller]
pub fn softmax_cross_entropy_indices_vjp<Z, L>(z: Z, labels: &L, g: Z::Elem) -> Array<Z::Elem, Ix2>
where
    Z: Operand<Dim = Ix2>,
    L: ClassIndices + ?Sized,
{
    let mut out = owned_standard(z);
    check_labels("softmax_cross_entropy_indices_vjp", &out.view(), labels);
    let (rows, width) = out.dim();
    let k = g / Z::Elem::of(rows as f64);
    let (zero, one) = (Z::Elem::zero(), Z::Elem::one());
    let p = out.as_slice_mut().expect("standard layout");
    softmax_minus_target_rows(
        p,
        width,
        k,
        |r, j| {
            if j == labels.class(r) { one } else { zero }
        },
    );
    out
}

/// Cross-entropy of probabilities `p` against targets `y`, averaged over the
/// distributions along the last axis (rows). Terms with `y = 0` count as 0 even where
/// `p = 0`; a `p` of 0 where `y > 0` gives infinity, so prefer
/// [`softmax_cross_entropy`] on logits.
///
/// ```text
/// L = -(1/n) Σ_rows Σ_i y_i ln p_i
/// ```
///
/// # Panics
///
/// If `p` and `y` have different shapes.
///
/// ```
/// use cadena::ops::tensor::cross_entropy;
/// use ndarray::array;
///
/// let l = cross_entropy(&array![[0.5_f64, 0.5, 0.0]], &array![[1.0, 0.0, 0.0]]);
/// assert!((l - 2f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn cross_entropy<P, Y>(p: P, y: Y) -> P::Elem
where
    P: Operand,
    Y: Operand<Elem = P::Elem, Dim = P::Dim>,
    P::Dim: RemoveAxis,
{
    let (p, y) = (p.view(), y.view());
    same_shape("cross_entropy", p.shape(), y.shape());
    last(p.ndim(), "cross_entropy");
    let zero = P::Elem::zero();
    let total = Zip::from(&p)
        .and(&y)
        .fold(zero, |s, &p, &y| if y == zero { s } else { s - y * p.ln() });
    total / P::Elem::of(lanes_count(p.shape()) as f64)
}

/// The gradient of [`cross_entropy`] with respect to `p` (0 where `y = 0`):
///
/// ```text
/// dL/dp = -g * y / (p n)
/// ```
///
/// # Panics
///
/// If `p` and `y` have different shapes.
///
/// ```
/// use cadena::ops::tensor::cross_entropy_vjp_p;
/// use ndarray::array;
///
/// let d = cross_entropy_vjp_p(&array![[0.5_f64, 0.5, 0.0]], &array![[1.0, 0.0, 0.0]], 1.0);
/// assert_eq!(d, array![[-2.0, 0.0, 0.0]]);
/// ```
#[track_caller]
pub fn cross_entropy_vjp_p<P, Y>(p: P, y: Y, g: P::Elem) -> Array<P::Elem, P::Dim>
where
    P: Operand,
    Y: Operand<Elem = P::Elem, Dim = P::Dim>,
    P::Dim: RemoveAxis,
{
    let y = y.view();
    let mut out = owned(p);
    same_shape("cross_entropy_vjp_p", out.shape(), y.shape());
    last(out.ndim(), "cross_entropy_vjp_p");
    let k = -g / P::Elem::of(lanes_count(out.shape()) as f64);
    let zero = P::Elem::zero();
    out.zip_mut_with(&y, |p, &y| *p = if y == zero { zero } else { k * y / *p });
    out
}

#[cfg(test)]
mod tests {
    use ndarray::{Array1, Array2, array};

    use super::*;
    use crate::ops::loss_references::{
        BCE_LOGITS, SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD,
    };
    use crate::ops::tensor::softmax;

    /// How many ulp of `want` apart the two are (0 when equal, infinite from a zero).
    fn ulps<A: Float>(got: A, want: A) -> f64 {
        let (got, want) = (got.to_f64_lossless(), want.to_f64_lossless());
        let eps = if size_of::<A>() == 4 {
            f64::from(f32::EPSILON)
        } else {
            f64::EPSILON
        };
        if got == want {
            0.0
        } else {
            (got - want).abs() / (want.abs() * eps)
        }
    }

    /// The logits of the references: class 1 ahead of the others by `gap` or more.
    fn confident(gap: f64) -> Array2<f64> {
        array![[0.5 - gap, 0.5, -0.25 - gap]]
    }

    #[test]
    fn bce_logits_and_its_vjp_are_within_two_ulp_of_high_precision_values() {
        let z = Array1::from_iter(BCE_LOGITS.iter().map(|r| r.0));
        let y = Array1::from_iter(BCE_LOGITS.iter().map(|r| r.1));
        // g = n undoes the mean, leaving each element's derivative.
        let grads = bce_logits_vjp(&z, &y, BCE_LOGITS.len() as f64);
        for (i, &(z, y, loss, grad)) in BCE_LOGITS.iter().enumerate() {
            let got = bce_logits(z, y);
            assert!(
                ulps(got, loss) <= 2.0,
                "bce_logits({z}, {y}) = {got:e}, not {loss:e}"
            );
            assert!(
                ulps(grads[i], grad) <= 2.0,
                "vjp at ({z}, {y}) = {:e}",
                grads[i]
            );
            let g32 = bce_logits_vjp(z as f32, y as f32, 1.0);
            assert!(
                ulps(g32, grad as f32) <= 2.0,
                "f32 vjp at ({z}, {y}) = {g32:e}"
            );
        }
    }

    #[test]
    fn a_confident_correct_softmax_cross_entropy_is_within_two_ulp_of_high_precision_values() {
        for ((gap, loss), (_, grad)) in SOFTMAX_CROSS_ENTROPY
            .into_iter()
            .zip(SOFTMAX_CROSS_ENTROPY_GRAD)
        {
            let z = confident(gap);
            let onehot = array![[0.0, 1.0, 0.0]];
            for got in [
                softmax_cross_entropy(&z, &onehot),
                softmax_cross_entropy_indices(&z, &[1]),
            ] {
                assert!(
                    ulps(got, loss) <= 2.0,
                    "gap {gap}: loss {got:e}, not {loss:e}"
                );
            }
            for d in [
                softmax_cross_entropy_vjp(&z, &onehot, 1.0),
                softmax_cross_entropy_indices_vjp(&z, &[1], 1.0),
            ] {
                for (j, (&got, want)) in d.iter().zip(grad).enumerate() {
                    assert!(
                        ulps(got, want) <= 2.0,
                        "gap {gap}, class {j}: {got:e}, not {want:e}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_confident_correct_softmax_cross_entropy_in_f32_is_within_two_ulp() {
        // At a gap of 700 every value is below f32's smallest subnormal, and so 0.
        for ((gap, loss), (_, grad)) in SOFTMAX_CROSS_ENTROPY
            .into_iter()
            .zip(SOFTMAX_CROSS_ENTROPY_GRAD)
        {
            let z = confident(gap).mapv(|v| v as f32);
            let got = softmax_cross_entropy_indices(&z, &[1]);
            assert!(ulps(got, loss as f32) <= 2.0, "gap {gap}: loss {got:e}");
            let d = softmax_cross_entropy_indices_vjp(&z, &[1], 1.0);
            for (j, (&got, want)) in d.iter().zip(grad).enumerate() {
                assert!(
                    ulps(got, want as f32) <= 2.0,
                    "gap {gap}, class {j}: {got:e}"
                );
            }
        }
    }

    #[test]
    fn softmax_cross_entropy_vjp_keeps_the_bits_of_softmax_minus_targets_below_half() {
        // Rows where no class holds more than half, and rows where one does.
        let z = array![
            [0.3_f64, -1.2, 0.7, 0.1],
            [2.0, 1.9, -3.0, 2.05],
            [5.0, 0.0, 0.0, 0.0],
            [-1.0, 4.0, 3.5, 0.25]
        ];
        let y = array![
            [0.0, 0.0, 1.0, 0.0],
            [0.2, 0.3, 0.0, 0.5],
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0]
        ];
        let g = 0.75;
        let naive = (softmax(&z) - &y) * (g / 4.0);
        let fused = softmax_cross_entropy_vjp(&z, &y, g);
        let p = softmax(&z);
        for ((i, &want), &got) in naive.indexed_iter().zip(&fused) {
            if p[i] <= 0.5 {
                assert_eq!(got.to_bits(), want.to_bits(), "at {i:?}");
            } else {
                assert!(
                    (got - want).abs() <= 2.0 * f64::EPSILON,
                    "at {i:?}: {got} vs {want}"
                );
            }
        }
        let labels = [2, 3, 0, 2];
        let by_index = softmax_cross_entropy_indices_vjp(&z, &labels, g);
        let onehot = Array2::from_shape_fn((4, 4), |(r, j)| f64::from(u8::from(labels[r] == j)));
        assert_eq!(by_index, softmax_cross_entropy_vjp(&z, &onehot, g));
    }
}
