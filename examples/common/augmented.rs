//! Training with a fresh augmentation of the training set every epoch: `cadena::train::fit`
//! runs one epoch at a time on a copy of the training rows that an `Augmenter` has
//! changed, while early stopping (and the best weights) are kept here across epochs.
//! Validation and test rows are never augmented.

use cadena::Parameters;
use cadena::audio::augment::Augmenter;
use cadena::data::Splits;
use cadena::ndarray::{Array2, ArrayView2};
use cadena::optim::Optimizer;
use cadena::train::{History, TrainConfig, fit};

/// Trains `params` for up to `epochs` epochs of 32-row batches; stops after `patience`
/// epochs without a lower validation loss and restores the weights of the best epoch.
/// Without an augmenter every epoch sees the clean rows, as `fit` with `patience` would.
/// The training accuracy of each record is measured on that epoch's augmented rows.
#[allow(clippy::too_many_arguments)]
pub fn fit_augmented<P, O, G, F>(
    params: &mut P,
    optimizer: &mut O,
    splits: &Splits<f32>,
    mut augmenter: Option<Augmenter>,
    epochs: usize,
    patience: usize,
    seed: u64,
    mut grad_fn: G,
    predict_fn: F,
) -> Result<History, cadena::Error>
where
    P: Parameters<Elem = f32> + Clone,
    O: Optimizer,
    G: FnMut(&P, ArrayView2<'_, f32>, ArrayView2<'_, f32>) -> (f32, P),
    F: Fn(&P, ArrayView2<'_, f32>) -> Array2<f32>,
{
    let mut train = splits.train.clone();
    let mut history = History::default();
    let mut best: Option<(f64, P)> = None;
    let mut since_best = 0;
    for epoch in 1..=epochs {
        if let Some(a) = augmenter.as_mut() {
            train.x.assign(&splits.train.x);
            a.apply(train.x.view_mut())?;
        }
        let config = TrainConfig {
            epochs: 1,
            batch_size: 32,
            // A new order of the rows every epoch, as one run of `fit` would draw.
            seed: seed.wrapping_mul(1_000_003).wrapping_add(epoch as u64),
            progress: false,
            ..TrainConfig::default()
        };
        let one = fit(
            params,
            optimizer,
            &train,
            Some(&splits.validation),
            &config,
            &mut grad_fn,
            &predict_fn,
        )?;
        let mut record = one.epochs[0].clone();
        record.epoch = epoch;
        let val_loss = record.val_loss.unwrap_or(f64::INFINITY);
        history.epochs.push(record);
        if best.as_ref().is_none_or(|(b, _)| val_loss < *b) {
            best = Some((val_loss, params.clone()));
            history.best_epoch = Some(epoch);
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= patience && epoch < epochs {
                history.stopped_early = true;
                break;
            }
        }
    }
    if let Some((_, weights)) = best {
        *params = weights;
        history.restored_best = true;
    }
    Ok(history)
}
