//! Batches a model's shapes do not fit, end to end through `#[differentiable]` code
//! (issue 26): a batch of 0 rows gives a NaN loss (a mean over nothing) and zero
//! gradients instead of panicking, and weights for another number of features make `fit`
//! return an error naming both shapes instead of unwinding through the caller.

use cadena::Error;
use cadena::data::Dataset;
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::optim::Sgd;
use cadena::prelude::*;
use cadena::train::{TrainConfig, fit};

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Mlp {
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
}

#[differentiable]
pub fn logits(p: &Mlp, x: &Array2<f64>) -> Array2<f64> {
    tanh(x.dot(&p.w1) + &p.b1).dot(&p.w2) + &p.b2
}

#[differentiable(wrt(p))]
pub fn loss(p: &Mlp, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    softmax_cross_entropy(logits(p, x), y)
}

#[differentiable(wrt(w, b))]
pub fn logistic(w: &Array1<f64>, b: f64, x: &Array2<f64>, y: &Array1<f64>) -> f64 {
    bce(sigmoid(x.dot(w) + b), y)
}

/// An MLP from `features` inputs through 4 hidden units to 2 classes.
fn mlp(features: usize) -> Mlp {
    Mlp {
        w1: Array2::from_shape_fn((features, 4), |(i, j)| 0.1 * (i as f64 - j as f64)),
        b1: Array1::from_elem(4, 0.1),
        w2: Array2::from_shape_fn((4, 2), |(i, j)| 0.2 * (i + j) as f64 - 0.3),
        b2: Array1::<f64>::zeros(2),
    }
}

#[test]
fn a_batch_of_zero_rows_has_a_nan_loss_and_zero_gradients() {
    let p = mlp(3);
    let (value, g) = loss::grad(
        &p,
        &Array2::<f64>::zeros((0, 3)),
        &Array2::<f64>::zeros((0, 2)),
    );
    assert!(value.is_nan());
    assert_eq!(
        logits(&p, &Array2::<f64>::zeros((0, 3))),
        Array2::<f64>::zeros((0, 2))
    );
    assert_eq!(g.p.w1, Array2::<f64>::zeros((3, 4)));
    assert_eq!(g.p.b1, Array1::<f64>::zeros(4));
    assert_eq!(g.p.w2, Array2::<f64>::zeros((4, 2)));
    assert_eq!(g.p.b2, Array1::<f64>::zeros(2));

    let (value, g) = logistic::grad(
        &Array1::<f64>::ones(3),
        0.5,
        &Array2::<f64>::zeros((0, 3)),
        &Array1::<f64>::zeros(0),
    );
    assert!(value.is_nan());
    assert_eq!((g.w, g.b), (Array1::<f64>::zeros(3), 0.0));
}

#[test]
fn weights_for_another_number_of_features_make_fit_an_error_naming_both_shapes() {
    let x = Array2::from_shape_fn((8, 3), |(i, j)| (i * j) as f64 / 8.0);
    let data = Dataset::classification(x, vec![0, 1, 0, 1, 1, 0, 1, 0], 2).unwrap();
    let mut p = mlp(5);
    let before = p.clone();
    let config = TrainConfig {
        epochs: 3,
        batch_size: 4,
        progress: false,
        ..Default::default()
    };
    let grad = |p: &Mlp, x: ArrayView2<f64>, y: ArrayView2<f64>| {
        let (value, g) = loss::grad(p, &x.to_owned(), &y.to_owned());
        (value, g.p)
    };
    let predict = |p: &Mlp, x: ArrayView2<f64>| logits(p, &x.to_owned());
    let e = fit(
        &mut p,
        &mut Sgd::new(0.1).unwrap(),
        &data,
        None,
        &config,
        grad,
        predict,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Step {
                epoch: Some(1),
                batch: 0,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string().starts_with(
            "the gradient function panicked on training batch 0 of epoch 1: \
             dot: shapes [4, 3] and [5, 4] do not chain"
        ),
        "{e}"
    );
    assert_eq!(p, before);
}
