//! How `audio_rnn`'s frames, state size, learning rate and weight decay were chosen — on
//! the training kits only — and how it compares with `audio_mlp_mfcc` there.
//!
//! Leave-one-source-out cross-validation, as `audio_mlp_tune` does it: each recording
//! source of the training kits (colombo, artemio, forzee, macarthur, millo; see
//! `data/drums/split.txt`) is held out in turn, a network is trained on the others exactly
//! as the example trains (scaled with the statistics of its training clips, AdamW, at most
//! 150 epochs, early-stopped with patience 30 on a stratified 15 % of the remaining
//! sources' clips) and scored on the held-out source; the held-out predictions of the five
//! folds are pooled into one accuracy. The test kits are dropped before anything else
//! happens: nothing here sees them.
//!
//! Kept small, as CPU time is: first frames per clip {12, 24} × state sizes {16, 32, 64}
//! at learning rate 3e-3 and decay 0.1, then learning rates {1e-3, 1e-2} and decays
//! {0.01, 0.3} around the best of those, each pooled over seeds 0–2; `rnn_model`'s
//! constants are the row with the highest accuracy. Last, that setup beside
//! `audio_mlp_mfcc`'s, seed by seed 0–4, under the same protocol. Every row also gives the
//! training time per epoch (wall time of `fit` over the epochs it ran, summed over folds
//! and seeds; an epoch includes the accuracy pass over the training clips and the
//! validation pass). About a minute on one core (54 s here); the output is kept in
//! `data/results/audio_rnn_tune.txt`.
//!
//! A separate example rather than a `--tune` flag on `audio_rnn`: the case-study examples
//! share one command line (`case_study::Args`), which a flag of one of them would fork, and
//! `audio_mlp_tune` is where the MLP's choices live.
//!
//! ```text
//! cargo run --release --example audio_rnn_tune
//! ```

#[path = "common/case_study.rs"]
#[allow(dead_code)]
mod case_study;
#[path = "common/mfcc_model.rs"]
mod mfcc_model;
#[path = "common/rnn_model.rs"]
mod rnn_model;
#[path = "common/sources.rs"]
mod sources;

use std::error::Error;
use std::time::Instant;

use cadena::data::{Dataset, SplitConfig, Splits, Standardizer, argmax_rows};
use cadena::init::seeded;
use cadena::optim::Adam;
use cadena::train::{History, TrainConfig, fit};

use rnn_model::{COEFFICIENTS, Rnn, frame_scaler, loss_grad, mfcc_frames, scale_frames};
use sources::{SOURCES, Sources, bundled, clips_of};

/// The rate the bundled clips are recorded at, and the examples' default.
const SR: u32 = case_study::DEFAULT_SR;

/// The bundled clips as sequences of `frames` MFCC frames (time-major rows).
fn bundled_frames(frames: usize) -> Result<(Dataset<f32>, Sources), Box<dyn Error>> {
    let (mut data, sources) = bundled(rnn_model::waveform(frames))?;
    data.x = mfcc_frames(&data.x, SR, frames)?;
    Ok((data, sources))
}

/// One trained network's predictions for the held-out clips, and what its training cost.
struct Run {
    predicted: Vec<usize>,
    seconds: f64,
    epochs: usize,
}

/// Held-out predictions pooled over folds (and seeds), with the time spent training.
#[derive(Default)]
struct Tally {
    correct: usize,
    total: usize,
    seconds: f64,
    epochs: usize,
}

impl Tally {
    fn accuracy(&self) -> f64 {
        self.correct as f64 / self.total as f64
    }

    fn ms_per_epoch(&self) -> f64 {
        1000.0 * self.seconds / self.epochs as f64
    }

    fn add(&mut self, other: &Tally) {
        self.correct += other.correct;
        self.total += other.total;
        self.seconds += other.seconds;
        self.epochs += other.epochs;
    }
}

/// How each example trains: unscaled training, validation and held-out sets and a seed in,
/// the held-out predictions out.
trait Method {
    fn run(
        &self,
        train: Dataset<f32>,
        validation: Dataset<f32>,
        held_out: Dataset<f32>,
        seed: u64,
    ) -> Result<Run, Box<dyn Error>>;
}

/// What `fit` gets in both examples: at most 150 epochs, batches of 32, patience 30.
fn train_config(seed: u64) -> TrainConfig {
    TrainConfig {
        epochs: 150,
        batch_size: 32,
        seed,
        patience: Some(30),
        progress: false,
        ..TrainConfig::default()
    }
}

/// `audio_rnn`'s training with other sizes and optimiser settings.
#[derive(Clone, Copy)]
struct RnnSetup {
    frames: usize,
    hidden: usize,
    lr: f64,
    decay: f64,
}

impl Method for RnnSetup {
    fn run(
        &self,
        mut train: Dataset<f32>,
        mut validation: Dataset<f32>,
        mut held_out: Dataset<f32>,
        seed: u64,
    ) -> Result<Run, Box<dyn Error>> {
        let scaler = frame_scaler(&train.x)?;
        for x in [&mut train.x, &mut validation.x, &mut held_out.x] {
            scale_frames(&scaler, x)?;
        }
        let classes = train.y.ncols();
        let mut net = Rnn::new(COEFFICIENTS, self.hidden, classes, &mut seeded(seed));
        let start = Instant::now();
        let history = fit(
            &mut net,
            &mut Adam::adamw(self.lr, self.decay)?,
            &train,
            Some(&validation),
            &train_config(seed),
            loss_grad,
            rnn_model::predict,
        )?;
        let scores = rnn_model::predict(&net, held_out.x.view());
        Ok(run(argmax_rows(scores.view()), start, &history))
    }
}

/// `audio_mlp_mfcc`'s training, unchanged.
struct Mlp;

impl Method for Mlp {
    fn run(
        &self,
        mut train: Dataset<f32>,
        mut validation: Dataset<f32>,
        mut held_out: Dataset<f32>,
        seed: u64,
    ) -> Result<Run, Box<dyn Error>> {
        let scaler = Standardizer::fit(&train.x)?;
        for x in [&mut train.x, &mut validation.x, &mut held_out.x] {
            scaler.transform_inplace(x)?;
        }
        let classes = train.y.ncols();
        let mut net = mfcc_model::Net::new(train.x.ncols(), classes, &mut seeded(seed));
        let start = Instant::now();
        let history = fit(
            &mut net,
            &mut Adam::adamw(3e-3, 0.1)?,
            &train,
            Some(&validation),
            &train_config(seed),
            |p, x, y| {
                let (l, g) = mfcc_model::loss::grad(p, x, y);
                (l, g.p)
            },
            mfcc_model::predict,
        )?;
        let scores = mfcc_model::predict(&net, held_out.x.view());
        Ok(run(argmax_rows(scores.view()), start, &history))
    }
}

fn run(predicted: Vec<usize>, start: Instant, history: &History) -> Run {
    Run {
        predicted,
        seconds: start.elapsed().as_secs_f64(),
        epochs: history.epochs.len(),
    }
}

/// Leave-one-source-out with `method` from `seed`: validation is a stratified sample of the
/// remaining sources' clips drawn by `seed`, as `case_study::prepare` draws it.
fn loso(
    set: &Dataset<f32>,
    sources: &[Option<&str>],
    method: &impl Method,
    seed: u64,
) -> Result<Tally, Box<dyn Error>> {
    let mut tally = Tally::default();
    for held in SOURCES {
        let held_out = set.select(&clips_of(sources, |s| s == held));
        let Splits {
            train, validation, ..
        } = set
            .select(&clips_of(sources, |s| s != held))
            .split(&SplitConfig {
                validation: case_study::VALIDATION_SHARE,
                test: 0.0,
                stratified: true,
                seed,
            })?;
        let truth = held_out.labels.clone().unwrap_or_default();
        let run = method.run(train, validation, held_out, seed)?;
        tally.add(&Tally {
            correct: run
                .predicted
                .iter()
                .zip(&truth)
                .filter(|(p, t)| p == t)
                .count(),
            total: truth.len(),
            seconds: run.seconds,
            epochs: run.epochs,
        });
    }
    Ok(tally)
}

/// [`loso`] pooled over `seeds`.
fn pooled(
    set: &Dataset<f32>,
    sources: &[Option<&str>],
    method: &impl Method,
    seeds: std::ops::Range<u64>,
) -> Result<Tally, Box<dyn Error>> {
    let mut tally = Tally::default();
    for seed in seeds {
        tally.add(&loso(set, sources, method, seed)?);
    }
    Ok(tally)
}

fn main() -> Result<(), Box<dyn Error>> {
    let header = || {
        println!(
            "{:>6} {:>6} {:>6} {:>6} {:>19} {:>13}",
            "frames", "hidden", "lr", "decay", "LOSO seeds 0-2", "ms per epoch"
        )
    };
    let row = |s: &RnnSetup, t: &Tally| {
        println!(
            "{:>6} {:>6} {:>6} {:>6} {:>19.3} {:>13.1}",
            s.frames,
            s.hidden,
            s.lr,
            s.decay,
            t.accuracy(),
            t.ms_per_epoch()
        )
    };
    println!("Elman RNN over MFCC frames, leave-one-source-out on the training kits\n");
    header();
    let mut best: Option<(RnnSetup, f64)> = None;
    for frames in [12, 24] {
        let (data, sources) = bundled_frames(frames)?;
        for hidden in [16, 32, 64] {
            let setup = RnnSetup {
                frames,
                hidden,
                lr: 3e-3,
                decay: 0.1,
            };
            let tally = pooled(&data, &sources, &setup, 0..3)?;
            row(&setup, &tally);
            if best.is_none_or(|(_, a)| tally.accuracy() > a) {
                best = Some((setup, tally.accuracy()));
            }
        }
    }
    let (around, _) = best.expect("the grid is not empty");
    println!();
    header();
    let (data, sources) = bundled_frames(around.frames)?;
    for (lr, decay) in [(1e-3, 0.1), (1e-2, 0.1), (3e-3, 0.01), (3e-3, 0.3)] {
        let setup = RnnSetup {
            lr,
            decay,
            ..around
        };
        let tally = pooled(&data, &sources, &setup, 0..3)?;
        row(&setup, &tally);
        if best.is_none_or(|(_, a)| tally.accuracy() > a) {
            best = Some((setup, tally.accuracy()));
        }
    }
    let (s, a) = best.expect("the grid is not empty");
    println!(
        "\nhighest of all rows: {} frames, {} units, lr {}, decay {} ({a:.3})",
        s.frames, s.hidden, s.lr, s.decay
    );

    // The setup the example uses, beside the MLP, seed by seed under one protocol.
    let chosen = RnnSetup {
        frames: rnn_model::FRAMES,
        hidden: rnn_model::HIDDEN,
        lr: rnn_model::LEARNING_RATE,
        decay: rnn_model::WEIGHT_DECAY,
    };
    let (frames, frame_sources) = bundled_frames(chosen.frames)?;
    let (summaries, summary_sources) = bundled(mfcc_model::features())?;
    println!(
        "\nleave-one-source-out by seed: audio_rnn ({} frames, {} units, lr {}, decay {}) and audio_mlp_mfcc",
        chosen.frames, chosen.hidden, chosen.lr, chosen.decay
    );
    println!(
        "{:>6} {:>10} {:>14} {:>10} {:>14}",
        "seed", "rnn", "ms per epoch", "mlp", "ms per epoch"
    );
    let (mut rnn_all, mut mlp_all) = (Vec::new(), Vec::new());
    for seed in 0..5 {
        let rnn = loso(&frames, &frame_sources, &chosen, seed)?;
        let mlp = loso(&summaries, &summary_sources, &Mlp, seed)?;
        println!(
            "{seed:>6} {:>10.3} {:>14.2} {:>10.3} {:>14.2}",
            rnn.accuracy(),
            rnn.ms_per_epoch(),
            mlp.accuracy(),
            mlp.ms_per_epoch()
        );
        rnn_all.push(rnn.accuracy());
        mlp_all.push(mlp.accuracy());
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{:>6} {:>10.3} {:>14} {:>10.3}",
        "mean",
        mean(&rnn_all),
        "",
        mean(&mlp_all)
    );
    println!(
        "{:>6} {:>10.3} {:>14} {:>10.3}",
        "min",
        min(&rnn_all),
        "",
        min(&mlp_all)
    );
    Ok(())
}
