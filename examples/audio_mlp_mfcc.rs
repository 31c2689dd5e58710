//! The audio case study, second attempt — done well: each clip becomes a short summary of
//! standard audio features (the mean and spread over time of 20 MFCCs and of their deltas:
//! 80 numbers that describe timbre and do not care where in the clip the hit starts),
//! standardised with statistics of the training set only, into a two-layer tanh network
//! (64 and 16 units) trained with AdamW and early stopping on validation loss. The gradient
//! comes from `#[differentiable]`; there is no hand-written backward pass.
//!
//! ```text
//! cargo run --release --example audio_mlp_mfcc -- [--data DIR] [--test-data DIR] [--sr RATE] [--epochs N] [--seed S] [--out DIR]
//! ```

#[path = "common/case_study.rs"]
mod case_study;
#[path = "common/mfcc_model.rs"]
mod mfcc_model;

use std::error::Error;
use std::process::ExitCode;

use cadena::data::Standardizer;
use cadena::init::seeded;
use cadena::optim::Adam;
use cadena::train::{TrainConfig, fit};

use case_study::{Args, Normalization, prepare, print_summary, report};
use mfcc_model::{Net, features, loss, predict};

fn main() -> ExitCode {
    case_study::finish(run())
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = Args::parse("audio_mlp_mfcc", 150);
    let mut prepared = prepare(&args, features())?;
    print_summary(&prepared);

    // Statistics of the training set only: validation and test are scaled with them.
    let scaler = Standardizer::fit(&prepared.splits.train.x)?;
    scaler.apply_to_splits(&mut prepared.splits)?;

    // Sizes, learning rate and weight decay were chosen by leave-one-source-out
    // cross-validation over the training kits only (`examples/audio_mlp_tune.rs`).
    let (inputs, classes) = (prepared.splits.train.x.ncols(), prepared.class_names.len());
    let mut net = Net::new(inputs, classes, &mut seeded(args.seed));
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: 32,
        seed: args.seed,
        patience: Some(30),
        ..TrainConfig::default()
    };
    let history = fit(
        &mut net,
        &mut Adam::adamw(3e-3, 0.1)?,
        &prepared.splits.train,
        Some(&prepared.splits.validation),
        &config,
        |p, x, y| {
            let (l, g) = loss::grad(p, x, y);
            (l, g.p)
        },
        predict,
    )?;
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
