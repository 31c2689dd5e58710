//! The audio case study, first attempt — done honestly, as a beginner would: the raw
//! waveform (the first half second of samples) straight into a multilayer perceptron, no
//! standardisation, sigmoid hidden units, plain SGD. It does poorly, and that is the
//! lesson: the network has to discover from 11,025 raw numbers what a drum sounds like,
//! and a sample-level view is not invariant to the tiny time shifts, level and pitch
//! differences between kits.
//!
//! ```text
//! cargo run --release --example audio_mlp_naive -- [--data DIR] [--test-data DIR] [--sr RATE] [--epochs N] [--seed S] [--out DIR]
//! ```

#[path = "common/case_study.rs"]
mod case_study;

use std::error::Error;
use std::process::ExitCode;

use cadena::audio::features::FeatureSpec;
use cadena::init::{Init, seeded};
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::optim::Sgd;
use cadena::prelude::*;
use cadena::train::{TrainConfig, fit};

use case_study::{Args, prepare, print_summary, report};

#[derive(Parameters, Clone)]
pub struct Net {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array2<f32>,
    pub b2: Array1<f32>,
}

/// The logits of each row of `x`; the loss differentiates through this same function.
#[differentiable]
pub fn predict(p: &Net, x: ArrayView2<f32>) -> Array2<f32> {
    let h = sigmoid(x.dot(&p.w1) + &p.b1);
    h.dot(&p.w2) + &p.b2
}

#[differentiable(wrt(p))]
pub fn loss(p: &Net, x: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    softmax_cross_entropy(predict(p, x), y)
}

fn main() -> ExitCode {
    case_study::finish(run())
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = Args::parse("audio_mlp_naive", 40);
    let samples = args.sr as usize / 2;
    let prepared = prepare(&args, FeatureSpec::Waveform { length: samples })?;
    print_summary(&prepared);

    let (inputs, classes, hidden) = (
        prepared.splits.train.x.ncols(),
        prepared.class_names.len(),
        64,
    );
    let mut rng = seeded(args.seed);
    let mut net = Net {
        w1: Init::XavierUniform.array2(inputs, hidden, &mut rng),
        b1: Array1::zeros(hidden),
        w2: Init::XavierUniform.array2(hidden, classes, &mut rng),
        b2: Array1::zeros(classes),
    };
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: 32,
        seed: args.seed,
        ..TrainConfig::default()
    };
    let history = fit(
        &mut net,
        &mut Sgd::new(0.1)?,
        &prepared.splits.train,
        Some(&prepared.splits.validation),
        &config,
        |p, x, y| {
            let (l, g) = loss::grad(p, x, y);
            (l, g.p)
        },
        predict,
    )?;
    report(&args, &prepared, &history, &net, None, predict)?;
    Ok(())
}
