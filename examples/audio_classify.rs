//! Classifies new recordings with the model `audio_mlp_mfcc` saved: reads the class names,
//! the feature normalisation and the weights from its output folder, and prints each
//! file's most likely class with the class probabilities.
//!
//! ```text
//! cargo run --release --example audio_mlp_mfcc          # trains and saves target/audio_mlp_mfcc/
//! cargo run --release --example audio_classify -- FILE... [--model DIR] [--sr RATE]
//! ```
//!
//! Clips are resampled to the rate the model was trained at (`sample_rate.txt` beside it;
//! `--sr` overrides). A file that cannot be read is reported and skipped, and the exit
//! status is then 1.

#[path = "common/case_study.rs"]
#[allow(dead_code)]
mod case_study;
#[path = "common/mfcc_model.rs"]
#[allow(dead_code)]
mod mfcc_model;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use cadena::audio::LoadConfig;
use cadena::audio::features::FeatureExtractor;
use cadena::checkpoint;
use cadena::ndarray::{Array1, Axis};
use cadena::ops::softmax;

use case_study::Normalization;
use mfcc_model::{Net, features, predict};

fn main() -> ExitCode {
    let usage =
        "usage: cargo run --release --example audio_classify -- FILE... [--model DIR] [--sr RATE]";
    let mut files = Vec::new();
    let mut model = PathBuf::from("target/audio_mlp_mfcc");
    let mut sr = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--model" | "--sr" => {
                let Some(value) = args.next() else {
                    eprintln!("error: {a} needs a value\n{usage}");
                    return ExitCode::from(2);
                };
                if a == "--model" {
                    model = PathBuf::from(value);
                } else if let Some(rate) = case_study::parse_rate(&value) {
                    sr = Some(rate);
                } else {
                    eprintln!("error: --sr takes a rate in Hz (≥ 1000), not `{value}`\n{usage}");
                    return ExitCode::from(2);
                }
            }
            "-h" | "--help" => {
                println!("{usage}");
                return ExitCode::SUCCESS;
            }
            _ => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    match classify(&files, &model, sr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The rate the model's features were computed at: `--sr` if given, else the one saved
/// beside the model, else the examples' default.
fn sample_rate(dir: &std::path::Path, flag: Option<u32>) -> Result<u32, Box<dyn Error>> {
    if let Some(sr) = flag {
        return Ok(sr);
    }
    let path = dir.join("sample_rate.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .trim()
            .parse()
            .map_err(|_| format!("{}: not a sample rate: `{}`", path.display(), text.trim()))?),
        Err(_) => Ok(case_study::DEFAULT_SR),
    }
}

fn classify(
    files: &[PathBuf],
    dir: &std::path::Path,
    sr: Option<u32>,
) -> Result<(), Box<dyn Error>> {
    let classes: Vec<String> = std::fs::read_to_string(dir.join("classes.txt"))
        .map_err(|e| {
            format!(
                "{}: {e} (train first: cargo run --release --example audio_mlp_mfcc)",
                dir.display()
            )
        })?
        .lines()
        .map(str::to_string)
        .collect();
    let sr = sample_rate(dir, sr)?;
    let spec = features();
    let dims = spec.dims();
    let mut norm = Normalization {
        mean: Array1::zeros(dims),
        std: Array1::ones(dims),
    };
    checkpoint::load(&mut norm, dir.join("normalization.safetensors"))?;
    let mut net = Net::new(dims, classes.len(), &mut cadena::init::seeded(0));
    checkpoint::load(&mut net, dir.join("model.safetensors"))?;

    let mut extractor = FeatureExtractor::new(&spec);
    let mut skipped = 0;
    for file in files {
        let clip = match cadena::audio::load_with(file, &LoadConfig { sr: Some(sr) }) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("skipped {e}");
                skipped += 1;
                continue;
            }
        };
        let x = (extractor.extract(&clip.samples, clip.sr)? - &norm.mean) / &norm.std;
        let p = softmax(predict(&net, x.insert_axis(Axis(0)).view()));
        let row = p.row(0);
        let best = (0..classes.len())
            .max_by(|&a, &b| row[a].total_cmp(&row[b]))
            .unwrap_or(0);
        let all: Vec<String> = classes
            .iter()
            .zip(row)
            .map(|(c, p)| format!("{c} {p:.2}"))
            .collect();
        println!(
            "{}: {}  ({})",
            file.display(),
            classes[best],
            all.join(", ")
        );
    }
    if skipped > 0 {
        return Err(format!("{skipped} of {} file(s) could not be read", files.len()).into());
    }
    Ok(())
}
