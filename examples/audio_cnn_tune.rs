//! How `audio_cnn`'s augmentation was chosen — on the training kits only.
//!
//! Leave-one-source-out cross-validation, as `audio_rnn_tune` does it: each recording
//! source of the training kits (colombo, artemio, forzee, macarthur, millo) is held out in
//! turn, a network is trained on the others exactly as `audio_cnn` trains (frame count and
//! band statistics from its training clips, AdamW, early stopping with patience 30 on a
//! stratified 15 % of the remaining sources' clips) and scored on the held-out source; the
//! held-out predictions of the five folds are pooled into one accuracy. The test kits are
//! dropped before anything else happens: nothing here sees them.
//!
//! Kept small, as CPU time is (a fold takes tens of seconds): from a starting point
//! (`augment`: `AugmentConfig::default()`, learning rate 3e-3, 16 and 32 channels), one
//! change at a time — no augmentation (`none`), noise as well (`noise`), learning rate
//! 1e-2 (`lr1e-2`), 32 and 64 channels (`wide`) — over the seeds given (default 0 and 1).
//! `audio_cnn` uses the variant with the highest accuracy (`lr1e-2`; `cnn_model`'s
//! constants). Each row also gives the training time per epoch (wall time over the epochs
//! run, summed over folds; on a machine shared with other jobs, so only a rough guide).
//! Output kept in `data/results/audio_cnn_tune.txt`.
//!
//! ```text
//! cargo run --release --example audio_cnn_tune -- [N (seeds 0..N) or A..B, default 2] [VARIANT...: none augment noise lr1e-2 wide]
//! ```

#[path = "common/augmented.rs"]
mod augmented;
#[path = "common/case_study.rs"]
#[allow(dead_code)]
mod case_study;
#[path = "common/cnn_model.rs"]
#[allow(dead_code)] // `Cnn::with_channels` builds every network here
mod cnn_model;
#[path = "common/sources.rs"]
#[allow(dead_code)] // the spectrograms come from `load_spectrograms`, not `bundled`
mod sources;

use std::error::Error;
use std::time::Instant;

use cadena::audio::augment::{AugmentConfig, Augmenter, NoiseMix};
use cadena::audio::spectrograms::{SpectrogramSet, load_spectrograms};
use cadena::data::{Dataset, SplitConfig, argmax_rows};
use cadena::init::seeded;
use cadena::ndarray::Array2;
use cadena::optim::Adam;

use augmented::fit_augmented;
use cnn_model::{BANDS, CHANNELS, Cnn, WEIGHT_DECAY, images_of, loss_grad, predict};
use sources::{SOURCES, clips_of, source};

/// One way of training: what it augments with, if anything, its learning rate and its
/// channels.
#[derive(Clone)]
struct Variant {
    augment: Option<AugmentConfig>,
    lr: f64,
    channels: (usize, usize),
}

/// The variants by name. The search started from `augment` (learning rate 3e-3) and
/// changed one thing at a time; `audio_cnn`'s setup is the best of them, `lr1e-2`.
fn variant(name: &str) -> Option<Variant> {
    let chosen = Variant {
        augment: Some(AugmentConfig::default()),
        lr: 3e-3,
        channels: CHANNELS,
    };
    Some(match name {
        "none" => Variant {
            augment: None,
            ..chosen
        },
        "augment" => chosen,
        "noise" => Variant {
            augment: Some(AugmentConfig {
                noise: Some(NoiseMix::default()),
                ..AugmentConfig::default()
            }),
            ..chosen
        },
        "lr1e-2" => Variant { lr: 1e-2, ..chosen },
        "wide" => Variant {
            channels: (32, 64),
            ..chosen
        },
        _ => return None,
    })
}

/// Held-out predictions pooled over folds, with the time spent training.
#[derive(Default)]
struct Tally {
    correct: usize,
    total: usize,
    seconds: f64,
    epochs: usize,
}

/// Leave-one-source-out of `augment` from `seed`.
fn loso(
    set: &SpectrogramSet,
    sources: &[Option<&str>],
    variant: &Variant,
    seed: u64,
    epochs: usize,
) -> Result<Tally, Box<dyn Error>> {
    let mut tally = Tally::default();
    let n_classes = set.class_names.len();
    for held in SOURCES {
        let held_out = clips_of(sources, |s| s == held);
        let rest = clips_of(sources, |s| s != held);
        // Validation drawn as `case_study::split_clips` draws it, on the clips' indices.
        let index = Array2::from_shape_fn((rest.len(), 1), |(i, _)| rest[i] as f32);
        let labels = rest.iter().map(|&i| set.labels[i]).collect();
        let parts = Dataset::classification(index, labels, n_classes)?.split(&SplitConfig {
            validation: case_study::VALIDATION_SHARE,
            test: 0.0,
            stratified: true,
            seed,
        })?;
        let ids = |d: &Dataset<f32>| -> Vec<usize> {
            d.x.column(0).iter().map(|&i| i as usize).collect()
        };
        let truth: Vec<usize> = held_out.iter().map(|&i| set.labels[i]).collect();
        let images = images_of(
            set,
            &ids(&parts.train),
            &ids(&parts.validation),
            set,
            &held_out,
            truth.clone(),
        )?;
        let augmenter = match &variant.augment {
            Some(config) => Some(Augmenter::new(
                config.clone(),
                (images.bands, images.frames),
                images.normalizer.clone(),
                seed,
            )?),
            None => None,
        };
        let mut net = Cnn::with_channels(
            (images.bands, images.frames),
            variant.channels,
            n_classes,
            &mut seeded(seed),
        );
        let start = Instant::now();
        let history = fit_augmented(
            &mut net,
            &mut Adam::adamw(variant.lr, WEIGHT_DECAY)?,
            &images.splits,
            augmenter,
            epochs,
            30,
            seed,
            loss_grad,
            predict,
        )?;
        tally.seconds += start.elapsed().as_secs_f64();
        tally.epochs += history.epochs.len();
        let predicted = argmax_rows(predict(&net, images.splits.test.x.view()).view());
        tally.correct += predicted.iter().zip(&truth).filter(|(p, t)| p == t).count();
        tally.total += truth.len();
    }
    Ok(tally)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1).peekable();
    // `N` is seeds 0..N; `A..B` those seeds.
    let seeds = match args.peek().map(|a| {
        let (a, b) = a.split_once("..").unwrap_or(("0", a));
        (a.parse::<u64>(), b.parse::<u64>())
    }) {
        Some((Ok(a), Ok(b))) => {
            args.next();
            a..b
        }
        _ => 0..2,
    };
    let mut names: Vec<String> = args.collect();
    if names.is_empty() {
        names = ["none", "augment", "noise"].map(String::from).to_vec();
    }
    let config = cadena::audio::spectrograms::SpectrogramSetConfig {
        verbose: false,
        ..cnn_model::spectrogram_config(case_study::DEFAULT_SR, BANDS)
    };
    let set = load_spectrograms(case_study::BUNDLED, &config)?;
    let sources: Vec<Option<&str>> = set
        .paths
        .iter()
        .map(|p| source(&case_study::kit_of(p)))
        .collect();
    println!(
        "CNN on {BANDS}-band log-mels, leave-one-source-out on the training kits, at most {} epochs\n",
        cnn_model::EPOCHS
    );
    println!(
        "{:<10} {:>6} {:>10} {:>8} {:>14}",
        "variant", "seed", "accuracy", "epochs", "ms per epoch"
    );
    for name in &names {
        let v = variant(name).ok_or_else(|| format!("unknown variant {name}"))?;
        let mut all = Vec::new();
        for seed in seeds.clone() {
            let t = loso(&set, &sources, &v, seed, cnn_model::EPOCHS)?;
            let accuracy = t.correct as f64 / t.total as f64;
            println!(
                "{name:<10} {seed:>6} {accuracy:>10.3} {:>8} {:>14.1}",
                t.epochs,
                1000.0 * t.seconds / t.epochs as f64
            );
            all.push(accuracy);
        }
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        println!("{name:<10} {:>6} {mean:>10.3}", "mean");
    }
    Ok(())
}
