//! Dropout as data: a seeded mask the loss function takes as an argument. Multiplying by
//! it is an ordinary elementwise product, which `#[differentiable]` already
//! differentiates, so dropout needs no op of its own, no state in the model and no
//! train/predict switch inside the body.

use ndarray::{Array, Dimension, ShapeBuilder};
use rand::{Rng, RngExt};

use crate::{Error, Float, Result};

/// An inverted-dropout mask: each element is `0` with probability `p` and `1 / (1 - p)`
/// otherwise, drawn in row-major order from `rng`.
///
/// Scaling the kept units by `1 / (1 - p)` keeps every unit's expected value unchanged
/// (the mask's mean is 1), so the network needs no rescaling at prediction time:
/// prediction simply uses no mask.
///
/// The pattern: the mask is an argument of the loss, multiplied into the activations
/// it drops; training draws a fresh mask for every batch; prediction is the forward
/// function without the product (or, with the same loss, a mask of ones).
///
/// ```
/// use cadena::init::seeded;
/// use cadena::ndarray::{Array1, Array2, array};
/// use cadena::ops::dropout_mask;
/// use cadena::prelude::*;
///
/// #[derive(Parameters, Clone)]
/// struct Mlp { w1: Array2<f64>, b1: Array1<f64>, w2: Array2<f64>, b2: Array1<f64> }
///
/// // Training loss: the hidden activations are multiplied by `mask`.
/// #[differentiable(wrt(p))]
/// fn loss(p: &Mlp, x: &Array2<f64>, y: &Array2<f64>, mask: &Array2<f64>) -> f64 {
///     let a1 = tanh(x.dot(&p.w1) + &p.b1) * mask;
///     softmax_cross_entropy(a1.dot(&p.w2) + &p.b2, y)
/// }
///
/// // Prediction: the same network without the mask.
/// fn predict(p: &Mlp, x: &Array2<f64>) -> Array2<f64> {
///     tanh(x.dot(&p.w1) + &p.b1).dot(&p.w2) + &p.b2
/// }
///
/// # fn main() -> cadena::Result<()> {
/// let p = Mlp {
///     w1: array![[0.5, -0.5, 0.25], [0.1, 0.2, -0.3]],
///     b1: Array1::zeros(3),
///     w2: array![[1.0, 0.0], [0.0, 1.0], [0.5, -0.5]],
///     b2: Array1::zeros(2),
/// };
/// let (x, y) = (array![[1.0, 2.0], [-1.0, 0.5]], array![[1.0, 0.0], [0.0, 1.0]]);
///
/// let mut rng = seeded(0);
/// let mask = dropout_mask((2, 3), 0.5, &mut rng)?; // one per batch, shaped like a1
/// assert!(mask.iter().all(|&m| m == 0.0 || m == 2.0));
/// let (_, g) = loss::grad(&p, &x, &y, &mask);
/// // A hidden unit's weights get a gradient exactly when some row kept the unit.
/// for j in 0..3 {
///     let dropped = mask.column(j).iter().all(|&m| m == 0.0);
///     assert_eq!(dropped, g.p.w1.column(j).iter().all(|&d| d == 0.0));
/// }
///
/// // A mask of ones is no dropout: the loss is that of `predict`.
/// let ones = Array2::ones((2, 3));
/// let plain = softmax_cross_entropy(predict(&p, &x), &y);
/// assert!((loss(&p, &x, &y, &ones) - plain).abs() < 1e-12);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::InvalidConfig`] naming `p` when `p` is not in `[0, 1)` (or is NaN): `p = 1`
/// would drop everything and scale by infinity.
pub fn dropout_mask<A, Sh, R>(shape: Sh, p: f64, rng: &mut R) -> Result<Array<A, Sh::Dim>>
where
    A: Float,
    Sh: ShapeBuilder,
    Sh::Dim: Dimension,
    R: Rng + ?Sized,
{
    if !(0.0..1.0).contains(&p) {
        return Err(Error::InvalidConfig {
            name: "p",
            reason: format!("the dropout probability must be in [0, 1), got {p}"),
        });
    }
    let keep = A::of(1.0 / (1.0 - p));
    Ok(Array::from_shape_simple_fn(shape, || {
        if rng.random::<f64>() < p {
            A::zero()
        } else {
            keep
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::seeded;
    use ndarray::Array2;

    #[test]
    fn the_mask_has_mean_one_and_drops_a_fraction_p() {
        let mask: Array2<f64> = dropout_mask((400, 250), 0.3, &mut seeded(1)).unwrap();
        let n = mask.len() as f64;
        let zeros = mask.iter().filter(|&&m| m == 0.0).count() as f64 / n;
        // 100,000 Bernoulli(0.3) draws: the standard error of the fraction is 0.0014.
        assert!((zeros - 0.3).abs() < 0.01, "{zeros}");
        assert!((mask.mean().unwrap() - 1.0).abs() < 0.02);
        assert!(mask.iter().all(|&m| m == 0.0 || m == 1.0 / (1.0 - 0.3)));
    }

    #[test]
    fn the_same_seed_gives_the_same_mask() {
        let a: Array2<f32> = dropout_mask((8, 16), 0.5, &mut seeded(9)).unwrap();
        let b: Array2<f32> = dropout_mask((8, 16), 0.5, &mut seeded(9)).unwrap();
        let c: Array2<f32> = dropout_mask((8, 16), 0.5, &mut seeded(10)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn zero_probability_keeps_everything() {
        let mask: Array2<f32> = dropout_mask((3, 4), 0.0, &mut seeded(0)).unwrap();
        assert_eq!(mask, Array2::<f32>::ones((3, 4)));
    }

    #[test]
    fn a_probability_outside_zero_to_one_is_an_error() {
        for p in [1.0, 1.5, -0.1, f64::NAN] {
            let e = dropout_mask::<f64, _, _>(4, p, &mut seeded(0)).unwrap_err();
            assert!(e.to_string().starts_with("invalid p: "), "{e}");
        }
    }
}
