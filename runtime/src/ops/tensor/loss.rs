//! Losses on arrays (a mean over the batch or over elements, so the scale does not
//! depend on batch size) and their VJPs. The fused VJPs are the simplified forms the
//! macro emits for `softmax_cross_entropy`, `bce` on logits and `mse`; the unfused ones
//! serve bodies that apply a loss to a probability computed some other way.
//!
//! Every loss and fused gradient here is finite and exact to rounding for logits as
//! large as ±1e4 (max-subtracted exponentials, softplus forms).

use ndarray::{
    Array, ArrayBase, ArrayView, Data, DimMax, Dimension, Ix1, Ix2, IxDyn, RemoveAxis, Zip,
};
use num_traits::{Float as _, One, Zero};

use super::map::{broadcast, map2};
use super::operand::{Operand, Out2};
use super::pool;
use super::softmax::{
    last, log_sum_exp_rows, owned, owned_standard, rows, same_shape, softmax_rows,
};
use crate::Float;
use crate::ops::scalar;

/// How many distributions an array holds along its last axis (rows of a matrix; 1 for a
/// vector).
fn lanes_count(shape: &[usize]) -> usize {
    shape[..shape.len() - 1].iter().product()
}

/// `Σ f(x, y)` over `x` and `y` broadcast together, and the element count.
fn sum_map2<X, Y, F>(x: X, y: Y, op: &'static str, f: F) -> (X::Elem, usize)
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    F: Fn(X::Elem, X::Elem) -> X::Elem,
{
    let (xv, yv) = (x.view(), y.view());
    let shape: IxDyn = broadcast(&[xv.shape(), yv.shape()]).unwrap_or_else(|m| m.panic(op));
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

/// The element count of `x` and `y` broadcast together.
fn broadcast_count<X: Operand, Y: Operand>(x: &X, y: &Y, op: &'static str) -> usize {
    let shape: IxDyn =
        broadcast(&[x.view().shape(), y.view().shape()]).unwrap_or_else(|m| m.panic(op));
    shape.size()
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
pub fn mse<X, Y>(a: X, y: Y) -> X::Elem
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
{
    let (s, n) = sum_map2(a, y, "mse", scalar::mse);
    s / X::Elem::of(n as f64)
}

/// Mean binary cross-entropy of `sigmoid(z)` against `y`, from the logits `z`: finite
/// and exact to rounding for any finite `z`. See [`scalar::bce_logits`].
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
/// ```
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
/// dL/dz = g * (sigmoid(z) - y) / count
/// ```
///
/// ```
/// use cadena::ops::tensor::bce_logits_vjp;
/// use ndarray::array;
///
/// assert_eq!(bce_logits_vjp(&array![1e4_f64, -1e4], &array![1.0, 1.0], 1.0), array![0.0, -0.5]);
/// assert_eq!(bce_logits_vjp(0.0_f64, 1.0, 1.0), -0.5);
/// ```
pub fn bce_logits_vjp<X, Y>(z: X, y: Y, g: X::Elem) -> Out2<X, Y>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
{
    let k = g / X::Elem::of(broadcast_count(&z, &y, "bce_logits_vjp") as f64);
    map2(z, y, move |z, y| k * (scalar::sigmoid(z) - y))
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
/// Finite and exact to rounding for any finite logits. An empty batch gives NaN.
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
pub fn softmax_cross_entropy<Z, Y>(z: Z, y: Y) -> Z::Elem
where
    Z: Operand,
    Y: Targets<Z>,
{
    y.softmax_cross_entropy(z)
}

/// [`softmax_cross_entropy`] with one-hot (or probability) rows as targets.
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
        let lse = log_sum_exp_rows(z_values, width);
        let total = rows(z_values, width)
            .zip(rows(y_values, width))
            .zip(&lse)
            .fold(zero, |s, ((z, y), &lse)| {
                s + z.iter().zip(y).fold(zero, |s, (&z, &y)| s + y * (lse - z))
            });
        pool::give(lse);
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
/// ```
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
    fn softmax_cross_entropy(self, z: Z) -> Z::Elem;
    /// `g * (softmax(z) - y) / n`.
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
    let p = out.as_slice_mut().expect("standard layout");
    softmax_rows(p, width);
    p.iter_mut()
        .zip(y.as_slice().expect("standard layout"))
        .for_each(|(p, &y)| *p = k * (*p - y));
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
/// ```
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
        let lse = log_sum_exp_rows(values, width);
        let total = lse
            .iter()
            .enumerate()
            .fold(Z::Elem::zero(), |s, (r, &lse)| {
                s + (lse - values[r * width + labels.class(r)])
            });
        pool::give(lse);
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
pub fn softmax_cross_entropy_indices_vjp<Z, L>(z: Z, labels: &L, g: Z::Elem) -> Array<Z::Elem, Ix2>
where
    Z: Operand<Dim = Ix2>,
    L: ClassIndices + ?Sized,
{
    let mut out = owned_standard(z);
    check_labels("softmax_cross_entropy_indices_vjp", &out.view(), labels);
    let (rows, width) = out.dim();
    let k = g / Z::Elem::of(rows as f64);
    let p = out.as_slice_mut().expect("standard layout");
    softmax_rows(p, width);
    for r in 0..rows {
        p[r * width + labels.class(r)] -= Z::Elem::one();
    }
    p.iter_mut().for_each(|v| *v = k * *v);
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
