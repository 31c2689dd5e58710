//! The loop itself: `fit` and its configurable form, `Trainer`.

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::evaluate::{accuracy, first_non_finite, mean_loss};
use super::guard::Site;
use super::{EpochRecord, History, TrainConfig};
use crate::data::{Batches, Dataset};
use crate::optim::Optimizer;
use crate::progress::{self, Counting};
use crate::{Error, Float, Parameters, Result};

/// What an epoch callback tells the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the next epoch.
    Continue,
    /// End the run now (recorded as an early stop).
    Stop,
}

type EpochHook<'cb> = Box<dyn FnMut(&EpochRecord) -> Flow + 'cb>;

/// A training run's settings plus optional per-epoch callbacks.
///
/// ```
/// use cadena::data::Dataset;
/// use cadena::ndarray::{Array2, ArrayView2};
/// use cadena::optim::Sgd;
/// use cadena::train::{Flow, TrainConfig, Trainer};
///
/// let data = Dataset::regression(Array2::<f64>::ones((8, 1)), Array2::zeros((8, 1)))?;
/// let grad = |w: &f64, _: ArrayView2<f64>, _: ArrayView2<f64>| (w * w, 2.0 * w);
/// let predict = |w: &f64, x: ArrayView2<f64>| x.mapv(|v| v * w);
/// let mut w = 1.0;
/// let config = TrainConfig { epochs: 100, progress: false, ..Default::default() };
/// let history = Trainer::new(config)
///     .on_epoch(|record| if record.train_loss < 0.1 { Flow::Stop } else { Flow::Continue })
///     .fit(&mut w, &mut Sgd::new(0.1)?, &data, None, grad, predict)?;
/// assert!(history.stopped_early && history.epochs.len() < 100);
/// # Ok::<(), cadena::Error>(())
/// ```
pub struct Trainer<'cb> {
    config: TrainConfig,
    on_epoch: Vec<EpochHook<'cb>>,
}

impl std::fmt::Debug for Trainer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trainer")
            .field("config", &self.config)
            .field("on_epoch", &self.on_epoch.len())
            .finish()
    }
}

/// Trains `params` in place; see [`Trainer::fit`], which this calls without callbacks.
///
/// `grad_fn(params, x_batch, y_batch)` returns the batch's mean loss and its gradient,
/// e.g. `|p, x, y| { let (l, g) = loss::grad(p, &x, &y); (l, g.p) }` for a macro-generated
/// `loss`; `predict_fn(params, x)` returns one row of class scores per example.
///
/// # Errors
///
/// As [`Trainer::fit`].
pub fn fit<P, O, G, F>(
    params: &mut P,
    optimizer: &mut O,
    train: &Dataset<P::Elem>,
    validation: Option<&Dataset<P::Elem>>,
    config: &TrainConfig,
    grad_fn: G,
    predict_fn: F,
) -> Result<History>
where
    P: Parameters + Clone,
    O: Optimizer,
    G: FnMut(&P, ArrayView2<'_, P::Elem>, ArrayView2<'_, P::Elem>) -> (P::Elem, P),
    F: Fn(&P, ArrayView2<'_, P::Elem>) -> Array2<P::Elem>,
{
    Trainer::new(config.clone()).fit(params, optimizer, train, validation, grad_fn, predict_fn)
}

impl<'cb> Trainer<'cb> {
    /// A trainer with `config` and no callbacks.
    pub fn new(config: TrainConfig) -> Self {
        Self {
            config,
            on_epoch: Vec::new(),
        }
    }

    /// Adds a callback run after each epoch's record is made; returning [`Flow::Stop`]
    /// ends the run (best weights are still restored when early stopping is on).
    pub fn on_epoch(mut self, hook: impl FnMut(&EpochRecord) -> Flow + 'cb) -> Self {
        self.on_epoch.push(Box::new(hook));
        self
    }

    /// Trains `params` in place for `config.epochs` epochs and returns the [`History`].
    ///
    /// Each epoch: the learning rate is set from the schedule, the training rows are
    /// shuffled (seeded), and for each mini-batch `grad_fn` gives loss and gradient and
    /// `optimizer` takes a step. The gradient's buffers then go back to this thread's
    /// buffer pool ([`Parameters::recycle`]), where a generated `grad` takes the next
    /// step's from: after the first step, a step asks the allocator for nothing. Then the
    /// validation set, if any, is evaluated. With `patience`, the weights of the epoch
    /// with the lowest validation loss are kept and put back at the end of the run,
    /// whether it stopped early or not.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidConfig`] for an invalid [`TrainConfig`] or `patience` without a
    ///   validation set;
    /// - [`Error::Data`] when a set is empty, the sets' columns disagree, or
    ///   `predict_fn` returns the wrong number of rows;
    /// - [`Error::NonFinite`] when a batch's loss is NaN or infinite and
    ///   [`Error::NonFiniteGradient`] when its gradient is: both name the epoch and batch,
    ///   and `params` keep the weights of the last finite step;
    /// - [`Error::Step`] when `grad_fn` or `predict_fn` panics, most often because the
    ///   parameters' shapes do not fit the data: it carries the panic's message (which
    ///   names the op and both shapes, `dot: shapes [4, 3] and [5, 2] do not chain ...`)
    ///   and names the data set, epoch and batch; `params` keep the weights of the last
    ///   completed step. The panic hook still reports the panic as it happens (on stderr,
    ///   with the line of the op); a build with `panic = "abort"` cannot catch it;
    /// - whatever [`Optimizer::step`] returns.
    pub fn fit<P, O, G, F>(
        mut self,
        params: &mut P,
        optimizer: &mut O,
        train: &Dataset<P::Elem>,
        validation: Option<&Dataset<P::Elem>>,
        mut grad_fn: G,
        predict_fn: F,
    ) -> Result<History>
    where
        P: Parameters + Clone,
        O: Optimizer,
        G: FnMut(&P, ArrayView2<'_, P::Elem>, ArrayView2<'_, P::Elem>) -> (P::Elem, P),
        F: Fn(&P, ArrayView2<'_, P::Elem>) -> Array2<P::Elem>,
    {
        let config = &self.config;
        config.validate()?;
        check_data(train, validation)?;
        if config.patience.is_some() && validation.is_none() {
            return Err(Error::InvalidConfig {
                name: "patience",
                reason: "early stopping watches the validation loss; pass a validation set".into(),
            });
        }
        let train_labels = if config.train_accuracy {
            train.labels.as_deref()
        } else {
            None
        };
        let base_lr = optimizer.learning_rate();
        let mut rng = StdRng::seed_from_u64(config.seed);
        let mut batches = Batches::new(train, config.batch_size);
        let bar = progress::bar(
            config.progress,
            config.epochs * batches.len(),
            Counting::Batches,
        );
        let mut history = History::default();
        let mut best: Option<P> = None;
        let mut epochs_without_improvement = 0;

        for epoch in 1..=config.epochs {
            bar.set_prefix(format!("epoch {epoch}/{}", config.epochs));
            let lr = config.schedule.lr(base_lr, epoch - 1);
            optimizer.set_learning_rate(lr)?;
            if config.shuffle {
                batches.shuffle(&mut rng);
            } else {
                batches.rewind();
            }
            let mut loss_sum = 0.0;
            let training = Site::in_epoch("training", epoch);
            let validating = Site::in_epoch("validation", epoch);
            while let Some(batch) = batches.next_batch() {
                let step = training.call("the gradient function", batch.index, || {
                    grad_fn(params, batch.x, batch.y)
                });
                let (loss, mut grad) = match step {
                    Ok(step) => step,
                    Err(e) => {
                        bar.abandon();
                        return Err(e);
                    }
                };
                let loss = loss.to_f64_lossless();
                if !loss.is_finite() {
                    bar.abandon();
                    return Err(Error::NonFinite {
                        loss,
                        epoch,
                        batch: batch.index,
                    });
                }
                if let Some(tensor) = first_non_finite(&grad) {
                    bar.abandon();
                    return Err(Error::NonFiniteGradient {
                        tensor,
                        loss,
                        epoch,
                        batch: batch.index,
                    });
                }
                optimizer.step(params, &grad)?;
                // The next step's gradient is made in these buffers: after the first
                // step, training asks the allocator for nothing.
                grad.recycle();
                loss_sum += loss * batch.x.nrows() as f64;
                bar.inc(1);
            }
            let train_loss = loss_sum / train.len() as f64;
            let train_accuracy = match train_labels {
                Some(labels) => Some(accuracy(
                    params,
                    &train.x.view(),
                    labels,
                    config.batch_size,
                    &predict_fn,
                    training,
                )?),
                None => None,
            };
            let (val_loss, val_accuracy) = match validation {
                Some(v) => {
                    let loss = mean_loss(params, v, config.batch_size, &mut grad_fn, validating)?;
                    let acc = match &v.labels {
                        Some(labels) => Some(accuracy(
                            params,
                            &v.x.view(),
                            labels,
                            config.batch_size,
                            &predict_fn,
                            validating,
                        )?),
                        None => None,
                    };
                    (Some(loss), acc)
                }
                None => (None, None),
            };
            let record = EpochRecord {
                epoch,
                lr,
                train_loss,
                train_accuracy,
                val_loss,
                val_accuracy,
            };
            bar.set_message(summary(&record));

            let mut stop = false;
            if let Some(vl) = val_loss {
                let improved = history.best_epoch.is_none_or(|b: usize| {
                    vl < history.epochs[b - 1].val_loss.unwrap_or(f64::INFINITY) - config.min_delta
                });
                if improved {
                    history.best_epoch = Some(epoch);
                    epochs_without_improvement = 0;
                    if config.patience.is_some() {
                        best = Some(params.clone());
                    }
                } else {
                    epochs_without_improvement += 1;
                    stop = config
                        .patience
                        .is_some_and(|p| epochs_without_improvement >= p);
                }
            }
            for hook in &mut self.on_epoch {
                stop |= hook(&record) == Flow::Stop;
            }
            history.epochs.push(record);
            if stop && epoch < config.epochs {
                history.stopped_early = true;
                break;
            }
        }
        bar.finish_and_clear();
        if let Some(weights) = best {
            *params = weights;
            history.restored_best = true;
        }
        Ok(history)
    }
}

fn summary(r: &EpochRecord) -> String {
    let mut s = format!("loss {:.4}", r.train_loss);
    if let Some(a) = r.train_accuracy {
        s += &format!(" acc {a:.3}");
    }
    if let Some(l) = r.val_loss {
        s += &format!(" val_loss {l:.4}");
    }
    if let Some(a) = r.val_accuracy {
        s += &format!(" val_acc {a:.3}");
    }
    s
}

fn check_data<A: Float>(train: &Dataset<A>, validation: Option<&Dataset<A>>) -> Result<()> {
    if train.is_empty() {
        return Err(Error::Data("the training set is empty".into()));
    }
    if let Some(v) = validation {
        if v.is_empty() {
            return Err(Error::Data("the validation set is empty".into()));
        }
        if (v.x.ncols(), v.y.ncols()) != (train.x.ncols(), train.y.ncols()) {
            return Err(Error::Data(format!(
                "validation set has {} features and {} targets, training set {} and {}",
                v.x.ncols(),
                v.y.ncols(),
                train.x.ncols(),
                train.y.ncols()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, ArrayView2};

    use super::*;
    use crate::ops::tensor::{dot, dot_vjp_rhs, mse, mse_vjp};
    use crate::optim::Sgd;

    /// A linear model `x · w` under mean squared error.
    fn grad(w: &Array2<f64>, x: ArrayView2<f64>, y: ArrayView2<f64>) -> (f64, Array2<f64>) {
        let p = dot(&x, w);
        (mse(&p, &y), dot_vjp_rhs(&x, mse_vjp(&p, &y, 1.0)))
    }

    fn predict(w: &Array2<f64>, x: ArrayView2<f64>) -> Array2<f64> {
        dot(&x, w)
    }

    #[test]
    fn weights_whose_shapes_do_not_fit_the_data_are_an_error_naming_both_shapes() {
        // Three features, weights for five.
        let data = Dataset::regression(Array2::ones((8, 3)), Array2::zeros((8, 2))).unwrap();
        let mut w = Array2::from_elem((5, 2), 0.5);
        let config = TrainConfig {
            epochs: 2,
            batch_size: 4,
            progress: false,
            ..Default::default()
        };
        let mut sgd = Sgd::new(0.1).unwrap();
        let e = fit(&mut w, &mut sgd, &data, None, &config, grad, predict).unwrap_err();
        let Error::Step {
            function,
            set,
            epoch,
            batch,
            message,
        } = &e
        else {
            panic!("expected Error::Step, got {e:?}");
        };
        assert_eq!(
            (*function, *set, *epoch, *batch),
            ("the gradient function", "training", Some(1), 0)
        );
        assert!(message.contains("[4, 3] and [5, 2]"), "{message}");
        assert!(
            e.to_string().starts_with(
                "the gradient function panicked on training batch 0 of epoch 1: dot: shapes"
            ),
            "{e}"
        );
        assert_eq!(w, Array2::from_elem((5, 2), 0.5), "no step was taken");
    }

    #[test]
    fn a_prediction_function_that_panics_on_validation_data_is_an_error() {
        let x = Array2::from_shape_fn((6, 2), |(i, j)| (i + j) as f64);
        let train = Dataset::classification(x.clone(), vec![0, 1, 0, 1, 0, 1], 2).unwrap();
        let validation = Dataset::classification(x, vec![1, 0, 1, 0, 1, 0], 2).unwrap();
        let mut w = Array2::zeros((2, 2));
        let config = TrainConfig {
            epochs: 1,
            batch_size: 4,
            train_accuracy: false,
            progress: false,
            ..Default::default()
        };
        // Weights with a row for a bias feature the data does not have.
        let with_bias = |w: &Array2<f64>, x: ArrayView2<f64>| {
            dot(
                &x,
                &ndarray::concatenate![ndarray::Axis(0), *w, Array2::zeros((1, 2))],
            )
        };
        let mut sgd = Sgd::new(0.1).unwrap();
        let e = fit(
            &mut w,
            &mut sgd,
            &train,
            Some(&validation),
            &config,
            grad,
            with_bias,
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with(
                "the prediction function panicked on validation batch 0 of epoch 1: \
                 dot: shapes [4, 2] and [3, 2]"
            ),
            "{e}"
        );
    }
}
