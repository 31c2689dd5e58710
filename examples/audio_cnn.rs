//! The audio case study, next lesson: a convolutional network reads each clip's log-mel
//! spectrogram as an image. Each clip becomes a 40-band log-mel (hop 256), cropped or
//! padded to the frame count of the longest training clip, each band standardised with
//! its mean and spread over the training clips' frames; two 3×3 convolutions with ReLU and
//! 2×2 max-pooling, a global average over the image and a dense layer give the logits
//! (`common/cnn_model.rs`, written with `#[differentiable]` as a PyTorch tutorial would
//! write it). AdamW, early stopping on validation loss as `audio_mlp_mfcc`. Every epoch
//! the training clips are augmented anew (seeded: a random delay, gain, SpecAugment time
//! and frequency masks; `--noise` also mixes in white noise; `--no-augment` turns it all
//! off). Prints the training time per epoch before the report.
//!
//! ```text
//! cargo run --release --example audio_cnn -- [--data DIR] [--test-data DIR] [--sr RATE] [--epochs N] [--seed S] [--out DIR] [--no-augment] [--noise]
//! ```

#[path = "common/augmented.rs"]
mod augmented;
#[path = "common/case_study.rs"]
mod case_study;
#[path = "common/cnn_model.rs"]
mod cnn_model;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use cadena::audio::augment::{AugmentConfig, Augmenter, NoiseMix};
use cadena::audio::band_norm::BandNormalizer;
use cadena::audio::logmel::{fit_frames, frames_for};
use cadena::audio::spectrograms::{SpectrogramSet, load_spectrograms};
use cadena::data::{Dataset, Splits};
use cadena::init::seeded;
use cadena::ndarray::Array2;
use cadena::optim::Adam;

use augmented::fit_augmented;
use case_study::{Args, Clips, Normalization, Prepared, print_summary, report, split_clips};
use cnn_model::{
    BANDS, Cnn, FRAME_SHARE, LEARNING_RATE, WEIGHT_DECAY, loss_grad, predict, spectrogram_config,
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
        150,
        rest.into_iter(),
        " [--no-augment] [--noise]",
    );

    let config = spectrogram_config(args.sr);
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

    // The frame count and the band statistics come from the training clips only.
    let counts: Vec<usize> = parts
        .train
        .iter()
        .map(|&i| set.spectrograms[i].ncols())
        .collect();
    let frames = frames_for(&counts, FRAME_SHARE)?;
    let fixed = |s: &SpectrogramSet, i: usize| fit_frames(s.spectrograms[i].view(), frames);
    let train_images: Vec<Array2<f32>> = parts.train.iter().map(|&i| fixed(&set, i)).collect();
    let normalizer = BandNormalizer::fit(&train_images)?;
    let n_classes = set.class_names.len();
    let dataset = |s: &SpectrogramSet, indices: &[usize], labels: Vec<usize>| {
        let mut x = Array2::zeros((indices.len(), BANDS * frames));
        for (mut row, &i) in x.rows_mut().into_iter().zip(indices) {
            let mut m = fixed(s, i);
            normalizer.apply(&mut m.view_mut())?;
            row.assign(&m.into_shape_with_order(BANDS * frames).expect("contiguous"));
        }
        Dataset::classification(x, labels, n_classes)
    };
    let labels_of = |indices: &[usize]| indices.iter().map(|&i| set.labels[i]).collect();
    let prepared = Prepared {
        splits: Splits {
            train: dataset(&set, &parts.train, labels_of(&parts.train))?,
            validation: dataset(&set, &parts.validation, labels_of(&parts.validation))?,
            test: dataset(
                test_set.as_ref().unwrap_or(&set),
                &parts.test,
                parts.test_labels.clone(),
            )?,
        },
        class_names: set.class_names.clone(),
    };
    print_summary(&prepared);
    println!("log-mel images: {BANDS} bands × {frames} frames (frames chosen on training clips)");

    let augmenter = if augment {
        let config = AugmentConfig {
            noise: noise.then(NoiseMix::default),
            ..AugmentConfig::default()
        };
        Some(Augmenter::new(
            config,
            (BANDS, frames),
            normalizer.clone(),
            args.seed,
        )?)
    } else {
        None
    };
    let mut net = Cnn::new(frames, n_classes, &mut seeded(args.seed));
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
