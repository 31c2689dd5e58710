//! The audio case study, second attempt — done well: each clip becomes a short summary of
//! standard audio features (MFCC and delta-MFCC means and spread over time, spectral
//! centroid, rolloff and zero-crossing rate: 86 numbers that describe timbre and do not
//! care where in the clip the hit starts), standardised with statistics of the training
//! set only, into a two-layer tanh network (128 and 32 units) trained with Adam and early stopping on validation loss.
//! The gradient comes from `#[differentiable]`; there is no hand-written backward pass.
//!
//! ```text
//! cargo run --release --example audio_mlp_mfcc -- [--data DIR] [--test-data DIR] [--sr RATE] [--epochs N] [--seed S] [--out DIR]
//! ```

#[path = "common/case_study.rs"]
mod case_study;

use std::error::Error;

use cadena::audio::features::{FeatureSpec, SummarySpec};
use cadena::data::Standardizer;
use cadena::init::{Init, seeded};
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::optim::Adam;
use cadena::prelude::*;
use cadena::train::{TrainConfig, fit};

use case_study::{Args, Normalization, prepare, print_summary, report};

#[derive(Parameters, Clone)]
pub struct Net {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array2<f32>,
    pub b2: Array1<f32>,
    pub w3: Array2<f32>,
    pub b3: Array1<f32>,
}

#[differentiable(wrt(p))]
pub fn loss(p: &Net, x: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    let h1 = tanh(x.dot(&p.w1) + &p.b1);
    let h2 = tanh(h1.dot(&p.w2) + &p.b2);
    let z = h2.dot(&p.w3) + &p.b3;
    softmax_cross_entropy(z, y)
}

fn predict(p: &Net, x: ArrayView2<f32>) -> Array2<f32> {
    let h1 = tanh(x.dot(&p.w1) + &p.b1);
    tanh(h1.dot(&p.w2) + &p.b2).dot(&p.w3) + &p.b3
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse("audio_mlp_mfcc", 150);
    let mut prepared = prepare(&args, FeatureSpec::Summary(SummarySpec::all()))?;
    print_summary(&prepared);

    // Statistics of the training set only: validation and test are scaled with them.
    let scaler = Standardizer::fit(&prepared.splits.train.x)?;
    scaler.apply_to_splits(&mut prepared.splits)?;

    // Sizes, learning rate and weight decay were chosen by leave-one-source-out
    // cross-validation over the training kits only (`examples/audio_mlp_tune.rs`).
    let (inputs, classes) = (prepared.splits.train.x.ncols(), prepared.class_names.len());
    let (h1, h2) = (128, 32);
    let mut rng = seeded(args.seed);
    let mut net = Net {
        w1: Init::XavierUniform.array2(inputs, h1, &mut rng),
        b1: Array1::zeros(h1),
        w2: Init::XavierUniform.array2(h1, h2, &mut rng),
        b2: Array1::zeros(h2),
        w3: Init::XavierUniform.array2(h2, classes, &mut rng),
        b3: Array1::zeros(classes),
    };
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
