//! Folder-per-class data sets: labels from folders, bad files skipped and reported, the
//! cache reused on a second run.

use std::path::{Path, PathBuf};

use cadena::audio::dataset::{DatasetConfig, load_dir};
use cadena::audio::features::{FeatureSpec, SummarySpec};

fn write_tone(path: &Path, hz: f32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for n in 0..8000 {
        let v = (2.0 * std::f32::consts::PI * hz * n as f32 / 16000.0).sin() * 0.5;
        w.write_sample((v * 32767.0) as i16).unwrap();
    }
    w.finalize().unwrap();
}

/// A fresh folder tree: `low/` and `high/` tones, plus one broken file in `high/`.
fn make_tree(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!(
        "cadena_audio_dataset_{name}_{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    for class in ["low", "high"] {
        std::fs::create_dir_all(root.join(class)).unwrap();
    }
    for (i, hz) in [200.0, 250.0, 300.0].into_iter().enumerate() {
        write_tone(&root.join(format!("low/kitA__{i}.wav")), hz);
        write_tone(&root.join(format!("high/kitB__{i}.wav")), hz * 10.0);
    }
    std::fs::write(root.join("high/broken.wav"), b"not a wav file at all").unwrap();
    std::fs::write(
        root.join("high/readme.txt"),
        b"ignored: not an audio extension",
    )
    .unwrap();
    root
}

fn quiet(features: FeatureSpec) -> DatasetConfig {
    DatasetConfig {
        load: cadena::audio::LoadConfig { sr: None },
        features,
        verbose: false,
        ..Default::default()
    }
}

#[test]
fn classes_come_from_sorted_subfolders_and_bad_files_are_skipped() {
    let root = make_tree("labels");
    let data = load_dir(&root, &quiet(FeatureSpec::default())).unwrap();
    assert_eq!(data.class_names, ["high", "low"]);
    assert_eq!(data.labels, [0, 0, 0, 1, 1, 1]);
    assert_eq!(data.features.dim(), (6, 40));
    assert_eq!(data.paths.len(), 6);
    assert_eq!(data.skipped.len(), 1);
    assert!(data.skipped[0].0.ends_with("high/broken.wav"));
    assert!(
        data.skipped[0].1.contains("not a recognised audio format"),
        "{}",
        data.skipped[0].1
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn paths_let_callers_group_clips_by_file_stem_prefix() {
    let root = make_tree("groups");
    let data = load_dir(&root, &quiet(FeatureSpec::default())).unwrap();
    let kits: Vec<String> = data
        .paths
        .iter()
        .map(|p| {
            p.file_stem()
                .unwrap()
                .to_string_lossy()
                .split("__")
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(kits, ["kitB", "kitB", "kitB", "kitA", "kitA", "kitA"]);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn waveform_features_are_fixed_length_rows() {
    let root = make_tree("waveform");
    let data = load_dir(&root, &quiet(FeatureSpec::Waveform { length: 10000 })).unwrap();
    assert_eq!(data.features.dim(), (6, 10000));
    assert!(data.features.row(0).iter().skip(8000).all(|&v| v == 0.0));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_second_run_reads_features_from_the_cache() {
    let root = make_tree("cache");
    let cache = root.join(".cache");
    let config = DatasetConfig {
        cache_dir: Some(cache.clone()),
        ..quiet(FeatureSpec::Summary(SummarySpec::all()))
    };
    let first = load_dir(&root, &config).unwrap();
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 6);
    // Poison every cache entry with a recognisable value of the right length: if the
    // second run returns it, extraction was skipped.
    for entry in std::fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        std::fs::write(&path, 7.0f32.to_le_bytes().repeat(len / 4)).unwrap();
    }
    let second = load_dir(&root, &config).unwrap();
    assert_eq!(second.labels, first.labels);
    assert!(second.features.iter().all(|&v| v == 7.0));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_folder_without_classes_is_an_error() {
    let root =
        std::env::temp_dir().join(format!("cadena_audio_dataset_empty_{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    assert!(load_dir(&root, &quiet(FeatureSpec::default())).is_err());
    std::fs::remove_dir_all(root).unwrap();
}
