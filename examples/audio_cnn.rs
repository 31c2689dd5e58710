//! The audio case study, next lesson: a convolutional network reads each clip's log-mel
//! spectrogram as an image. Each clip becomes a 40-band log-mel (hop 256), cropped or
//! padded to the frame count of the longest training clip, each band standardised with
//! its mean and spread over the training clips' frames; two 3×3 convolutions with ReLU and
//! 2×2 max-pooling, a global average over the image and a dense layer give the logits
//! (`common/cnn_model.rs`, written with `#[differentiable]` as a PyTorch tutorial would
//! write it). AdamW, early stopping on validation loss as `audio_mlp_mfcc`. Every epoch
//! the training clips are augmented anew (seeded: a random delay, gain, SpecAugment time
//! and frequency masks; `--noise` also mixes in white noise; `--no-augment` turns it all
//! off). Prints the training time per epoch before the report, and writes each test
//! clip's prediction to `test_predictions.tsv` beside the other files.
//!
//! ```text
//! cargo run --release --example audio_cnn -- [--data DIR] [--test-data DIR] [--sr RATE] [--epochs N] [--seed S] [--out DIR] [--no-augment] [--noise]
//! ```

#[path = "common/augmented.rs"]
mod augmented;
#[path = "common/case_study.rs"]
#[allow(dead_code)] // features come from `cadena::audio::spectrograms`, not `prepare`
mod case_study;
#[path = "common/cnn_model.rs"]
mod cnn_model;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use cadena::audio::augment::{AugmentConfig, Augmenter, NoiseMix};
use cadena::audio::spectrograms::{SpectrogramSet, load_spectrograms};
use cadena::data::argmax_rows;
use cadena::init::seeded;
use cadena::optim::Adam;

use augmented::fit_augmented;
use case_study::{Args, Clips, Normalization, Prepared, print_summary, report, split_clips};
use cnn_model::{
    BANDS, Cnn, LEARNING_RATE, WEIGHT_DECAY, images_of, loss_grad, predict, spectrogram_config,
};

/// Epochs without a lower validation loss before training stops.
const PATIENCE: usize = 30;

fn main() -> ExitCode {
    case_study::finish(run())
}

fn run() -> Result<(), Box<dyn Error>> {
    let (mut augment, mut noise) = (true, false);
    let rest = std::env::args().skip(1).filter(|a| match a.as_str() {
        "--no-augment" => {
            augment = false;
            false
        }
        "--noise" => {
            noise = true;
            false
        }
        _ => true,
    });
    let rest: Vec<String> = rest.collect();
    let args = Args::parse_from(
        "audio_cnn",
        cnn_model::EPOCHS,
        rest.into_iter(),
        " [--no-augment] [--noise]",
    );

    let config = spectrogram_config(args.sr, BANDS);
    let source = args
        .data
        .clone()
        .unwrap_or_else(|| PathBuf::from(case_study::BUNDLED));
    let set = load_spectrograms(&source, &config)?;
    let test_set = match &args.test_data {
        Some(dir) => Some(load_spectrograms(dir, &config)?),
        None => None,
    };
    let parts = split_clips(&args, &clips(&set), test_set.as_ref().map(clips).as_ref())?;

    let images = images_of(
        &set,
        &parts.train,
        &parts.validation,
        test_set.as_ref().unwrap_or(&set),
        &parts.test,
        parts.test_labels.clone(),
    )?;
    let (bands, frames, normalizer) = (images.bands, images.frames, images.normalizer);
    let prepared = Prepared {
        splits: images.splits,
        class_names: set.class_names.clone(),
    };
    print_summary(&prepared);
    println!("log-mel images: {bands} bands × {frames} frames (frames chosen on training clips)");

    let augmenter = if augment {
        let config = AugmentConfig {
            noise: noise.then(NoiseMix::default),
            ..AugmentConfig::default()
        };
        Some(Augmenter::new(
            config,
            (bands, frames),
            normalizer.clone(),
            args.seed,
        )?)
    } else {
        None
    };
    let mut net = Cnn::new(
        (bands, frames),
        set.class_names.len(),
        &mut seeded(args.seed),
    );
    let start = Instant::now();
    let history = fit_augmented(
        &mut net,
        &mut Adam::adamw(LEARNING_RATE, WEIGHT_DECAY)?,
        &prepared.splits,
        augmenter,
        args.epochs,
        PATIENCE,
        args.seed,
        loss_grad,
        predict,
    )?;
    let seconds = start.elapsed().as_secs_f64();
    let epochs = history.epochs.len();
    println!(
        "trained {epochs} epochs in {seconds:.2} s ({:.1} ms per epoch), best at epoch {}",
        1000.0 * seconds / epochs as f64,
        history.best_epoch.unwrap_or(0)
    );
    let normalization = Normalization {
        mean: normalizer.mean.clone(),
        std: normalizer.std.clone(),
    };
    // Each test clip's file, class and prediction, for `data/test_uncertainty.py`.
    let test_paths = &test_set.as_ref().unwrap_or(&set).paths;
    let predicted = argmax_rows(predict(&net, prepared.splits.test.x.view()).view());
    let mut lines = String::new();
    for ((&i, &truth), &guess) in parts.test.iter().zip(&parts.test_labels).zip(&predicted) {
        let name = |k: usize| &prepared.class_names[k];
        let path = test_paths[i].display();
        lines += &format!("{path}\t{}\t{}\n", name(truth), name(guess));
    }
    std::fs::create_dir_all(&args.out)?;
    std::fs::write(args.out.join("test_predictions.tsv"), lines)?;
    report(
        &args,
        &prepared,
        &history,
        &net,
        Some(&normalization),
        predict,
    )?;
    Ok(())
}

fn clips(set: &SpectrogramSet) -> Clips {
    Clips {
        labels: set.labels.clone(),
        class_names: set.class_names.clone(),
        paths: set.paths.clone(),
    }
}
