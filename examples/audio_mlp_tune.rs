//! How `audio_mlp_mfcc`'s features and sizes were chosen — on the training kits only.
//!
//! Leave-one-source-out cross-validation: each recording source of the training kits
//! (colombo, artemio, forzee, macarthur, millo; see `data/drums/split.txt`) is held out in
//! turn, a network is trained on the others (standardised with their statistics, AdamW,
//! 150 epochs) and scored on the held-out source; the held-out predictions of all folds
//! and three seeds are pooled into one accuracy. The test kits are dropped before anything
//! else happens: nothing here sees them.
//!
//! ```text
//! cargo run --release --example audio_mlp_tune
//! ```

#[path = "common/case_study.rs"]
#[allow(dead_code)]
mod case_study;
#[path = "common/mfcc_model.rs"]
#[allow(dead_code)] // the sizes under test replace `HIDDEN` and `features`
mod mfcc_model;

use std::error::Error;

use cadena::audio::LoadConfig;
use cadena::audio::dataset::{DatasetConfig, load_dir};
use cadena::audio::features::{FeatureSpec, SummarySpec};
use cadena::data::{Dataset, Standardizer, argmax_rows};
use cadena::init::seeded;
use cadena::ndarray::ArrayView2;
use cadena::optim::Adam;
use cadena::train::{TrainConfig, fit};

use mfcc_model::{Net, loss, predict};

/// The recording source of a kit (kits of one source are one drum set or one author).
fn source(kit: &str) -> Option<&'static str> {
    Some(match kit {
        "ColomboAcousticDrumkit" => "colombo",
        "ElectricEmpireKit" | "HardElectro1" | "VariBreaks" => "artemio",
        "ForzeeStereo" => "forzee",
        "The_Black_Pearl_1.0" => "macarthur",
        k if k.starts_with("Millo") => "millo",
        _ => return None,
    })
}

/// Pooled held-out accuracy of a two-hidden-layer tanh network of sizes `h1`, `h2`.
fn loso(
    set: &Dataset<f32>,
    sources: &[Option<&str>],
    h1: usize,
    h2: usize,
    wd: f64,
) -> Result<f64, Box<dyn Error>> {
    let (mut correct, mut total) = (0, 0);
    for seed in 0..3 {
        for held in ["colombo", "artemio", "forzee", "macarthur", "millo"] {
            let pick = |keep: &dyn Fn(&str) -> bool| -> Vec<usize> {
                (0..sources.len())
                    .filter(|&i| sources[i].is_some_and(keep))
                    .collect()
            };
            let (mut train, mut test) = (
                set.select(&pick(&|s| s != held)),
                set.select(&pick(&|s| s == held)),
            );
            let scaler = Standardizer::fit(&train.x)?;
            scaler.transform_inplace(&mut train.x)?;
            scaler.transform_inplace(&mut test.x)?;
            let mut rng = seeded(seed);
            let d = train.x.ncols();
            let mut net = Net::with_hidden(d, (h1, h2), 5, &mut rng);
            let config = TrainConfig {
                epochs: 150,
                batch_size: 32,
                seed,
                progress: false,
                ..TrainConfig::default()
            };
            let grad = |p: &Net, x: ArrayView2<f32>, y: ArrayView2<f32>| {
                let (l, g) = loss::grad(p, x, y);
                (l, g.p)
            };
            fit(
                &mut net,
                &mut Adam::adamw(3e-3, wd)?,
                &train,
                None,
                &config,
                grad,
                predict,
            )?;
            let predicted = argmax_rows(predict(&net, test.x.view()).view());
            let truth = test.labels.clone().unwrap_or_default();
            correct += predicted.iter().zip(&truth).filter(|(p, t)| p == t).count();
            total += truth.len();
        }
    }
    Ok(correct as f64 / total as f64)
}

fn main() -> Result<(), Box<dyn Error>> {
    let specs = [
        ("mfcc mean+std", SummarySpec::default()),
        (
            "+ deltas",
            SummarySpec {
                delta_mean: true,
                delta_std: true,
                ..SummarySpec::default()
            },
        ),
        ("+ deltas, centroid, rolloff, zcr", SummarySpec::all()),
    ];
    println!(
        "{:<34} {:>8} {:>6} {:>13}",
        "features", "hidden", "decay", "LOSO accuracy"
    );
    for (name, spec) in specs {
        let config = DatasetConfig {
            load: LoadConfig { sr: Some(22_050) },
            features: FeatureSpec::Summary(spec),
            cache_dir: Some("target/feature-cache".into()),
            verbose: false,
            ..DatasetConfig::default()
        };
        let set = load_dir(case_study::BUNDLED, &config)?;
        let sources: Vec<Option<&str>> = set
            .paths
            .iter()
            .map(|p| source(&case_study::kit_of(p)))
            .collect();
        let data = Dataset::classification(set.features, set.labels, set.class_names.len())?;
        for (h1, h2) in [(64, 16), (128, 32)] {
            for wd in [0.01, 0.1] {
                let acc = loso(&data, &sources, h1, h2, wd)?;
                println!("{name:<34} {:>8} {wd:>6} {acc:>13.3}", format!("{h1}-{h2}"));
            }
        }
    }
    Ok(())
}
