//! The audio case study, beyond the course: an LSTM reads each clip's MFCC frames in
//! order, as `audio_rnn` does with an Elman network. The same frames (the first 24 of 20
//! MFCCs, each coefficient standardised over the training clips' frames), the same
//! optimiser, early stopping and report; the model (`common/lstm_model.rs`) is an LSTM
//! written as in the textbook, `h` and `c` two values carried by a `for` loop in a
//! `#[differentiable]` function, whose backpropagation through time the macro derives.
//! The learning rate, decay and frames are `audio_rnn`'s, chosen on the training kits;
//! the state size (64) was not tuned. It prints the training time per epoch before the
//! report.
//!
//! ```text
//! cargo run --release --example audio_lstm -- [--data DIR] [--test-data DIR] [--sr RATE] [--epochs N] [--seed S] [--out DIR]
//! ```

#[path = "common/case_study.rs"]
mod case_study;
#[path = "common/lstm_model.rs"]
mod lstm_model;
// The frames pipeline (and constants) of `audio_rnn`; its Elman network is not used here.
#[allow(dead_code)]
#[path = "common/rnn_model.rs"]
mod rnn_model;

use std::error::Error;
use std::process::ExitCode;
use std::time::Instant;

use cadena::init::seeded;
use cadena::optim::Adam;
use cadena::train::{TrainConfig, fit};

use case_study::{Args, Normalization, prepare, print_summary, report};
use lstm_model::{HIDDEN, Lstm, loss_grad, predict};
use rnn_model::{
    COEFFICIENTS, FRAMES, LEARNING_RATE, WEIGHT_DECAY, frame_scaler, mfcc_frames, scale_frames,
    waveform,
};

fn main() -> ExitCode {
    case_study::finish(run())
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = Args::parse("audio_lstm", 150);
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
    let mut net = Lstm::new(COEFFICIENTS, HIDDEN, classes, &mut seeded(args.seed));
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
