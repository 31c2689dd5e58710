//! The training loop: reproducibility, non-finite losses, early stopping, history.

use cadena::Error;
use cadena::data::{Dataset, SplitConfig};
use cadena::init::{Init, seeded};
use cadena::ndarray::{Array1, Array2, ArrayView2, Axis};
use cadena::optim::{Adam, Schedule, Sgd};
use cadena::prelude::*;
use cadena::train::{Flow, TrainConfig, Trainer, fit};

#[derive(Parameters, Clone, Debug, PartialEq)]
struct Linear {
    w: Array2<f64>,
    b: Array1<f64>,
}

fn softmax(z: Array2<f64>) -> Array2<f64> {
    let mut p = z;
    for mut row in p.rows_mut() {
        let m = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        row.mapv_inplace(|v| (v - m).exp());
        let s = row.sum();
        row /= s;
    }
    p
}

fn predict(p: &Linear, x: ArrayView2<f64>) -> Array2<f64> {
    x.dot(&p.w) + &p.b
}

/// Softmax cross-entropy, mean over the batch, and its gradient `(p - y)/n`.
fn grad(p: &Linear, x: ArrayView2<f64>, y: ArrayView2<f64>) -> (f64, Linear) {
    let n = x.nrows() as f64;
    let probs = softmax(predict(p, x));
    let loss = -(&y * &probs.mapv(f64::ln)).sum() / n;
    let dz = (probs - y) / n;
    (
        loss,
        Linear {
            w: x.t().dot(&dz),
            b: dz.sum_axis(Axis(0)),
        },
    )
}

/// Three Gaussian blobs in 2-D, centred at (0, 3), (3, 0), (-3, -3).
fn blobs(n: usize, seed: u64) -> Dataset<f64> {
    let noise = Init::XavierNormal.array2::<f64, _>(n, 2, &mut seeded(seed));
    let centres = [[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]];
    let labels: Vec<usize> = (0..n).map(|i| i % 3).collect();
    let x = Array2::from_shape_fn((n, 2), |(i, j)| {
        centres[labels[i]][j] + noise[[i, j]] * 20.0
    });
    Dataset::classification(x, labels, 3).unwrap()
}

fn model(seed: u64) -> Linear {
    Linear {
        w: Init::XavierUniform.array2(2, 3, &mut seeded(seed)),
        b: Array1::zeros(3),
    }
}

fn quiet(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 16,
        progress: false,
        ..Default::default()
    }
}

#[test]
fn same_seed_gives_bitwise_identical_weights() {
    let data = blobs(300, 1);
    let run = |seed| {
        let mut p = model(7);
        let config = TrainConfig { seed, ..quiet(5) };
        fit(
            &mut p,
            &mut Adam::new(0.01).unwrap(),
            &data,
            None,
            &config,
            grad,
            predict,
        )
        .unwrap();
        p
    };
    let (a, b, c) = (run(3), run(3), run(4));
    let bits = |p: &Linear| {
        p.w.iter()
            .chain(&p.b)
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&a), bits(&b));
    assert_ne!(bits(&a), bits(&c), "a different seed shuffles differently");
}

#[test]
fn history_records_loss_and_accuracy_per_epoch() {
    let splits = blobs(600, 2)
        .split(&SplitConfig {
            test: 0.0,
            ..Default::default()
        })
        .unwrap();
    let mut p = model(0);
    let config = quiet(8);
    let h = fit(
        &mut p,
        &mut Sgd::new(0.1).unwrap(),
        &splits.train,
        Some(&splits.validation),
        &config,
        grad,
        predict,
    )
    .unwrap();
    assert_eq!(h.epochs.len(), 8);
    assert_eq!(
        h.epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    assert!(h.train_loss()[7] < h.train_loss()[0]);
    let last = h.last().unwrap();
    assert!(last.train_accuracy.unwrap() > 0.85, "{last:?}");
    assert!(last.val_accuracy.unwrap() > 0.85, "{last:?}");
    assert!(last.val_loss.unwrap() < 0.4, "{last:?}");
    assert!(h.best_epoch.is_some() && !h.stopped_early && !h.restored_best);
}

#[test]
fn nan_loss_stops_with_epoch_and_batch_and_keeps_last_good_weights() {
    let data = blobs(64, 3); // 4 batches of 16 per epoch
    let mut calls = 0;
    let poisoned = |p: &Linear, x: ArrayView2<f64>, y: ArrayView2<f64>| {
        calls += 1;
        let (loss, g) = grad(p, x, y);
        (if calls == 6 { f64::NAN } else { loss }, g)
    };
    let mut p = model(0);
    let err = fit(
        &mut p,
        &mut Sgd::new(0.1).unwrap(),
        &data,
        None,
        &quiet(3),
        poisoned,
        predict,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                epoch: 2,
                batch: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("epoch 2, batch 1"), "{err}");

    // The same run stopped after five good steps.
    let mut expected = model(0);
    let mut steps = 0;
    let _ = Trainer::new(quiet(2)).fit(
        &mut expected,
        &mut Sgd::new(0.1).unwrap(),
        &data,
        None,
        |p: &Linear, x: ArrayView2<f64>, y: ArrayView2<f64>| {
            steps += 1;
            let (l, g) = grad(p, x, y);
            // Zero gradients after step 5 leave the weights where step 5 put them.
            if steps > 5 {
                (l, p.zeros_like())
            } else {
                (l, g)
            }
        },
        predict,
    );
    assert_eq!(p, expected);
}

#[test]
fn infinite_gradient_is_reported_with_the_tensor_name() {
    let data = blobs(32, 3);
    let bad = |p: &Linear, x: ArrayView2<f64>, y: ArrayView2<f64>| {
        let (l, mut g) = grad(p, x, y);
        g.b[1] = f64::INFINITY;
        (l, g)
    };
    let mut p = model(0);
    let before = p.clone();
    let err = fit(
        &mut p,
        &mut Sgd::new(0.1).unwrap(),
        &data,
        None,
        &quiet(1),
        bad,
        predict,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::NonFiniteGradient { tensor, epoch: 1, batch: 0, .. } if tensor == "b"),
        "{err}"
    );
    assert_eq!(p, before);
}

/// A scalar model trained towards y = 3x while validated against y = x: the validation
/// loss falls while w passes 1 and rises after, so early stopping must fire and restore.
#[test]
fn early_stopping_restores_the_weights_of_the_best_validation_epoch() {
    let x = Array2::from_shape_fn((32, 1), |(i, _)| 0.5 + i as f64 / 32.0);
    let train = Dataset::regression(x.clone(), &x * 3.0).unwrap();
    let val = Dataset::regression(x.clone(), x.clone()).unwrap();
    let grad = |w: &f64, x: ArrayView2<f64>, y: ArrayView2<f64>| {
        let err = x.mapv(|v| v * w) - y;
        let n = err.len() as f64;
        (err.mapv(|e| e * e).sum() / n, 2.0 * (&err * &x).sum() / n)
    };
    let predict = |w: &f64, x: ArrayView2<f64>| x.mapv(|v| v * w);
    let mut w = 0.0;
    let config = TrainConfig {
        epochs: 100,
        batch_size: 32,
        patience: Some(3),
        ..quiet(0)
    };
    let h = fit(
        &mut w,
        &mut Sgd::new(0.05).unwrap(),
        &train,
        Some(&val),
        &config,
        grad,
        predict,
    )
    .unwrap();
    assert!(h.stopped_early && h.restored_best);
    let best = h.best_epoch.unwrap();
    assert_eq!(h.epochs.len(), best + 3);
    let restored = (&val.x * w - &val.y).mapv(|e| e * e).mean().unwrap();
    assert!((restored - h.epochs[best - 1].val_loss.unwrap()).abs() < 1e-12);
    assert!((w - 1.0).abs() < 0.3, "w = {w}");
}

#[test]
fn schedule_sets_the_learning_rate_of_each_epoch() {
    let data = blobs(32, 4);
    let config = TrainConfig {
        schedule: Schedule::StepDecay {
            every: 2,
            gamma: 0.5,
        },
        ..quiet(5)
    };
    let h = fit(
        &mut model(0),
        &mut Sgd::new(0.4).unwrap(),
        &data,
        None,
        &config,
        grad,
        predict,
    )
    .unwrap();
    let lrs: Vec<f64> = h.epochs.iter().map(|e| e.lr).collect();
    assert_eq!(lrs, [0.4, 0.4, 0.2, 0.2, 0.1]);
}

#[test]
fn callback_can_stop_the_run() {
    let data = blobs(32, 5);
    let mut seen = Vec::new();
    let h = Trainer::new(quiet(10))
        .on_epoch(|r| {
            seen.push(r.epoch);
            if r.epoch == 3 {
                Flow::Stop
            } else {
                Flow::Continue
            }
        })
        .fit(
            &mut model(0),
            &mut Sgd::new(0.1).unwrap(),
            &data,
            None,
            grad,
            predict,
        )
        .unwrap();
    assert_eq!(seen, [1, 2, 3]);
    assert!(h.stopped_early);
}

#[test]
fn bad_configurations_are_errors_not_panics() {
    let data = blobs(32, 6);
    let run = |config: TrainConfig| {
        fit(
            &mut model(0),
            &mut Sgd::new(0.1).unwrap(),
            &data,
            None,
            &config,
            grad,
            predict,
        )
    };
    assert!(matches!(
        run(TrainConfig {
            batch_size: 0,
            ..quiet(1)
        }),
        Err(Error::InvalidConfig {
            name: "batch_size",
            ..
        })
    ));
    assert!(matches!(
        run(quiet(0)),
        Err(Error::InvalidConfig { name: "epochs", .. })
    ));
    assert!(matches!(
        run(TrainConfig {
            patience: Some(2),
            ..quiet(1)
        }),
        Err(Error::InvalidConfig {
            name: "patience",
            ..
        })
    ));
    let empty = Dataset::classification(Array2::zeros((0, 2)), vec![], 3).unwrap();
    let r = fit(
        &mut model(0),
        &mut Sgd::new(0.1).unwrap(),
        &empty,
        None,
        &quiet(1),
        grad,
        predict,
    );
    assert!(matches!(r, Err(Error::Data(_))));
}
