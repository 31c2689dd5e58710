//! Loss and accuracy of a model on a whole data set, computed in chunks.

use ndarray::{ArrayView2, Axis, Slice};

use super::guard::Site;
use crate::data::{Dataset, argmax_rows};
use crate::{Error, Float, Parameters, Result};

/// Loss and accuracy on one data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Mean loss over all rows (batch losses weighted by batch size).
    pub loss: f64,
    /// Fraction of rows whose arg-max prediction is the label (classification sets).
    pub accuracy: Option<f64>,
}

/// Evaluates `params` on `data` in chunks of `batch_size` rows, with the same functions
/// [`fit`](super::fit) takes. The loss comes from `grad_fn` (its gradient is dropped), the
/// accuracy from `predict_fn`.
///
/// # Errors
///
/// - [`Error::Data`] when `data` is empty or `predict_fn` returns the wrong number of
///   rows;
/// - [`Error::Step`] when `grad_fn` or `predict_fn` panics (parameters whose shapes do
///   not fit the data), with the panic's message and the chunk's number.
///
/// ```
/// use cadena::data::Dataset;
/// use cadena::ndarray::{Array2, ArrayView2};
/// use cadena::ops::tensor::{dot, mse};
/// use cadena::train::evaluate;
///
/// let data = Dataset::regression(Array2::<f64>::ones((6, 3)), Array2::zeros((6, 2)))?;
/// let grad = |w: &Array2<f64>, x: ArrayView2<f64>, y: ArrayView2<f64>| (mse(dot(&x, w), &y), w.clone());
/// let predict = |w: &Array2<f64>, x: ArrayView2<f64>| dot(&x, w);
/// let fitting = evaluate(&Array2::zeros((3, 2)), &data, 4, grad, predict)?;
/// assert_eq!(fitting.loss, 0.0);
/// // Weights for 5 features against data with 3: an error, not a panic.
/// let e = evaluate(&Array2::zeros((5, 2)), &data, 4, grad, predict).unwrap_err();
/// assert!(e.to_string().contains("[4, 3] and [5, 2]"), "{e}");
/// # Ok::<(), cadena::Error>(())
/// ```
pub fn evaluate<P, G, F>(
    params: &P,
    data: &Dataset<P::Elem>,
    batch_size: usize,
    mut grad_fn: G,
    predict_fn: F,
) -> Result<Evaluation>
where
    P: Parameters,
    G: FnMut(&P, ArrayView2<'_, P::Elem>, ArrayView2<'_, P::Elem>) -> (P::Elem, P),
    F: Fn(&P, ArrayView2<'_, P::Elem>) -> ndarray::Array2<P::Elem>,
{
    let site = Site::evaluation();
    let loss = mean_loss(params, data, batch_size, &mut grad_fn, site)?;
    let accuracy = match &data.labels {
        Some(labels) => Some(accuracy(
            params,
            &data.x.view(),
            labels,
            batch_size,
            &predict_fn,
            site,
        )?),
        None => None,
    };
    Ok(Evaluation { loss, accuracy })
}

/// Chunks of at most `batch_size` consecutive rows.
fn chunks(n: usize, batch_size: usize) -> impl Iterator<Item = Slice> {
    let b = batch_size.max(1);
    (0..n.div_ceil(b)).map(move |k| Slice::from(k * b..((k + 1) * b).min(n)))
}

/// The mean of `grad_fn`'s losses over `data` in chunks of `batch_size` rows, weighted by
/// chunk size; a panic in `grad_fn` comes back as [`Error::Step`] at `site`.
pub(crate) fn mean_loss<P, G>(
    params: &P,
    data: &Dataset<P::Elem>,
    batch_size: usize,
    grad_fn: &mut G,
    site: Site,
) -> Result<f64>
where
    P: Parameters,
    G: FnMut(&P, ArrayView2<'_, P::Elem>, ArrayView2<'_, P::Elem>) -> (P::Elem, P),
{
    if data.is_empty() {
        return Err(Error::Data("cannot evaluate on an empty data set".into()));
    }
    let mut sum = 0.0;
    for (batch, rows) in chunks(data.len(), batch_size).enumerate() {
        let x = data.x.slice_axis(Axis(0), rows);
        let y = data.y.slice_axis(Axis(0), rows);
        let (loss, mut grad) =
            site.call("the gradient function", batch, || grad_fn(params, x, y))?;
        grad.recycle();
        sum += loss.to_f64_lossless() * x.nrows() as f64;
    }
    Ok(sum / data.len() as f64)
}

/// The fraction of rows of `x` whose arg-max prediction is the label, in chunks of
/// `batch_size` rows; a panic in `predict_fn` comes back as [`Error::Step`] at `site`.
pub(crate) fn accuracy<P, F>(
    params: &P,
    x: &ArrayView2<'_, P::Elem>,
    labels: &[usize],
    batch_size: usize,
    predict_fn: &F,
    site: Site,
) -> Result<f64>
where
    P: Parameters,
    F: Fn(&P, ArrayView2<'_, P::Elem>) -> ndarray::Array2<P::Elem>,
{
    if labels.is_empty() {
        return Err(Error::Data(
            "cannot measure accuracy on an empty data set".into(),
        ));
    }
    let mut hits = 0;
    for (batch, rows) in chunks(x.nrows(), batch_size).enumerate() {
        let start = rows.start as usize;
        let scores = site.call("the prediction function", batch, || {
            predict_fn(params, x.slice_axis(Axis(0), rows))
        })?;
        let pred = argmax_rows(scores.view());
        let truth = &labels[start..start + x.slice_axis(Axis(0), rows).nrows()];
        if pred.len() != truth.len() {
            return Err(Error::Data(format!(
                "the prediction function returned {} rows for a batch of {}",
                pred.len(),
                truth.len()
            )));
        }
        hits += pred.iter().zip(truth).filter(|(p, t)| p == t).count();
    }
    Ok(hits as f64 / labels.len() as f64)
}

/// The path of the first gradient tensor holding a NaN or an infinity.
pub(crate) fn first_non_finite<P: Parameters>(grad: &P) -> Option<String> {
    let mut bad = None;
    grad.visit(&mut |name, t| {
        if bad.is_none() && !all_finite(&t) {
            bad = Some(if name.is_empty() {
                "<root>".to_string()
            } else {
                name.to_string()
            });
        }
    });
    bad
}

/// Whether every element is finite. This runs on every gradient of every step, so on
/// contiguous data it folds without an early exit, which LLVM vectorises; an `all` that
/// stops at the first failure cannot be.
fn all_finite<A: Float>(t: &ndarray::ArrayViewD<'_, A>) -> bool {
    let finite = |v: &A| num_traits::Float::is_finite(*v);
    match t.as_slice_memory_order() {
        Some(values) => values.iter().fold(true, |ok, v| ok & finite(v)),
        None => t.iter().all(finite),
    }
}
