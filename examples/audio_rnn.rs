//! The audio case study, beyond the course: a recurrent network reads each clip's MFCC
//! frames in order instead of their summary over time. Each clip becomes its first 24
//! frames of 20 MFCCs (hop 512; 480 numbers per clip, frame after frame), each coefficient
//! standardised with its mean and spread over every frame of the training clips; an Elman
//! network (`h ← tanh(x_t · wx + h · wh + b)`, 64 units) reads them and the last state
//! gives the logits; AdamW, early stopping on validation loss, as `audio_mlp_mfcc`. The
//! recurrence is a `for` loop over the time axis in a `#[differentiable]` function
//! (`common/rnn_model.rs`): backpropagation through time is derived by the macro, not
//! written by hand. Sizes, learning rate and decay were chosen on the training kits only
//! (`audio_rnn_tune`). It prints the training time per epoch (wall time of `fit` over the
//! epochs it ran) before the report; the saved normalisation is per coefficient (20 means
//! and spreads).
//!
//! ```text
//! cargo run --release --example audio_rnn -- [--data DIR] [--test-data DIR] [--sr RATE] [--epochs N] [--seed S] [--out DIR]
//! ```

#[path = "common/case_study.rs"]
mod case_study;
#[path = "common/rnn_model.rs"]
mod rnn_model;

use std::error::Error;
use std::process::ExitCode;
use std::time::Instant;

use cadena::init::seeded;
use cadena::optim::Adam;
use cadena::train::{TrainConfig, fit};

use case_study::{Args, Normalization, prepare, print_summary, report};
use rnn_model::{
    COEFFICIENTS, FRAMES, HIDDEN, LEARNING_RATE, Rnn, WEIGHT_DECAY, frame_scaler, loss_grad,
    mfcc_frames, predict, scale_frames, waveform,
};

fn main() -> ExitCode {
    case_study::finish(run())
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = Args::parse("audio_rnn", 150);
    let mut prepared = prepare(&args, waveform(FRAMES))?;
    // The same resampled clips and splits as the other examples, made into frames here.
    for set in [
        &mut prepared.splits.train,
        &mut prepared.splits.validation,
        &mut prepared.splits.test,
    ] {
        set.x = mfcc_frames(&set.x, args.sr, FRAMES)?;
    }
    print_summary(&prepared);

    // Statistics of the training set only: validation and test are scaled with them.
    let scaler = frame_scaler(&prepared.splits.train.x)?;
    for set in [
        &mut prepared.splits.train,
        &mut prepared.splits.validation,
        &mut prepared.splits.test,
    ] {
        scale_frames(&scaler, &mut set.x)?;
    }

    let classes = prepared.class_names.len();
    let mut net = Rnn::new(COEFFICIENTS, HIDDEN, classes, &mut seeded(args.seed));
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: 32,
        seed: args.seed,
        patience: Some(30),
        ..TrainConfig::default()
    };
    let start = Instant::now();
    let history = fit(
        &mut net,
        &mut Adam::adamw(LEARNING_RATE, WEIGHT_DECAY)?,
        &prepared.splits.train,
        Some(&prepared.splits.validation),
        &config,
        loss_grad,
        predict,
    )?;
    let seconds = start.elapsed().as_secs_f64();
    let epochs = history.epochs.len();
    println!(
        "trained {epochs} epochs in {seconds:.2} s ({:.1} ms per epoch)",
        1000.0 * seconds / epochs as f64
    );
    let normalization = Normalization {
        mean: scaler.mean.clone(),
        std: scaler.std.clone(),
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
