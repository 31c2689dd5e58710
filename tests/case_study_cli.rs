//! The case-study examples as a user runs them: on a folder of their own recordings
//! (`--data`), tested on another folder (`--test-data`), then `audio_classify` on a new
//! file with the saved model; `audio_mlp_naive`, `audio_rnn`, `audio_lstm` and `audio_cnn` with the same command line. The recordings are synthesised here — three classes a
//! network separates easily (low tones, high tones, noise bursts), at mixed rates and
//! channel counts — so the checks are about the command-line contract, not accuracy.
//!
//! The example binaries are the ones `cargo test` builds beside this test (in
//! `target/<profile>/examples/`); run the whole suite, or `cargo build --examples` first.

use std::f32::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cadena-case-study-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The example binary `name`, built by cargo next to this test's own executable.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo test` (which builds the examples) or `cargo build --examples`",
        path.display()
    );
    path
}

/// Runs an example in `cwd` (where it keeps its feature cache).
fn run(name: &str, cwd: &Path, args: &[&str]) -> Output {
    Command::new(example(name))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A deterministic uniform value in [-1, 1).
fn noise(state: &mut u64) -> f32 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    ((*state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
}

/// One decaying hit of class `class` (variant `k`), 0.4 s at `sr`.
fn hit(class: &str, k: usize, sr: u32) -> Vec<f32> {
    let n = (sr as f32 * 0.4) as usize;
    let mut state = 0x5eed + k as u64 * 7919 + class.len() as u64;
    (0..n)
        .map(|i| {
            let t = i as f32 / sr as f32;
            let envelope = (-t * 12.0).exp() * 0.8;
            let v = match class {
                "low" => (TAU * (120.0 + 15.0 * k as f32) * t).sin(),
                "high" => (TAU * (3000.0 + 250.0 * k as f32) * t).sin(),
                _ => noise(&mut state),
            };
            envelope * v
        })
        .collect()
}

/// Writes `class/clip_k.wav` files: 16-bit, alternately 16 kHz mono and 44.1 kHz stereo.
fn write_set(root: &Path, classes: &[&str], per_class: usize, offset: usize) {
    for class in classes {
        let dir = root.join(class);
        std::fs::create_dir_all(&dir).unwrap();
        for k in offset..offset + per_class {
            let (sr, channels) = if k % 2 == 0 { (16_000, 1) } else { (44_100, 2) };
            let spec = hound::WavSpec {
                channels,
                sample_rate: sr,
                bits_per_sample: 16,
                sample_format: hound::SampleFormat::Int,
            };
            let mut w = hound::WavWriter::create(dir.join(format!("clip_{k}.wav")), spec).unwrap();
            for v in hit(class, k, sr) {
                for _ in 0..channels {
                    w.write_sample((v * 32_767.0) as i16).unwrap();
                }
            }
            w.finalize().unwrap();
        }
    }
}

/// The accuracy on the last line, which must read exactly `test accuracy: 0.XXX`.
fn last_line_accuracy(out: &str) -> f64 {
    let last = out.lines().last().unwrap_or_default();
    let value = last
        .strip_prefix("test accuracy: ")
        .unwrap_or_else(|| panic!("last line is `{last}`"));
    assert!(
        value.len() == 5 && value.as_bytes()[1] == b'.',
        "accuracy `{value}` is not 0.XXX or 1.000"
    );
    value.parse().unwrap()
}

#[test]
fn mfcc_example_trains_on_a_user_folder_saves_a_model_and_classify_uses_it() {
    let root = scratch("mfcc");
    let (data, out) = (root.join("data"), root.join("out"));
    write_set(&data, &["high", "low", "noise"], 12, 0);
    // A file that is not audio is left alone; a broken recording is reported and skipped.
    std::fs::write(data.join("low").join("notes.txt"), "not audio").unwrap();
    std::fs::write(
        data.join("low").join("broken.wav"),
        b"RIFF\x10\0\0\0WAVEfmt ",
    )
    .unwrap();

    let o = run(
        "audio_mlp_mfcc",
        &root,
        &[
            "--data",
            data.to_str().unwrap(),
            "--epochs",
            "60",
            "--seed",
            "3",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let text = stdout(&o);
    assert!(o.status.success(), "{text}\n{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("broken.wav") && !err.contains("notes.txt"),
        "{err}"
    );
    assert!(err.contains("loaded 36 clips in 3 classes"), "{err}");
    assert!(
        text.contains("clips") && text.contains("validation"),
        "{text}"
    );
    assert!(last_line_accuracy(&text) >= 0.8, "{text}");
    for file in [
        "curves.png",
        "confusion.png",
        "model.safetensors",
        "normalization.safetensors",
        "classes.txt",
        "sample_rate.txt",
    ] {
        assert!(
            out.join(file).is_file(),
            "{file} missing in {}",
            out.display()
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("classes.txt")).unwrap(),
        "high\nlow\nnoise\n"
    );

    // A new recording, not among the training clips, classified with the saved model.
    let fresh = root.join("fresh");
    write_set(&fresh, &["high"], 1, 40);
    let clip = fresh.join("high").join("clip_40.wav");
    let o = run(
        "audio_classify",
        &root,
        &[clip.to_str().unwrap(), "--model", out.to_str().unwrap()],
    );
    let text = stdout(&o);
    assert!(o.status.success(), "{text}\n{}", stderr(&o));
    assert!(text.contains(": high  ("), "{text}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn test_data_must_hold_a_subset_of_the_training_classes() {
    let root = scratch("test-data");
    let (data, subset, unknown) = (root.join("data"), root.join("subset"), root.join("unknown"));
    write_set(&data, &["high", "low", "noise"], 8, 0);
    write_set(&subset, &["low", "noise"], 3, 20);
    write_set(&unknown, &["low", "voice"], 2, 20);
    let out = root.join("out");
    let common = [
        "--data",
        data.to_str().unwrap(),
        "--epochs",
        "20",
        "--out",
        out.to_str().unwrap(),
    ];

    let mut args = common.to_vec();
    args.extend(["--test-data", subset.to_str().unwrap()]);
    let o = run("audio_mlp_mfcc", &root, &args);
    let text = stdout(&o);
    assert!(o.status.success(), "{text}\n{}", stderr(&o));
    let test_row = text.lines().find(|l| l.starts_with("test")).unwrap();
    assert!(
        test_row.trim_end().ends_with(" 6"),
        "all 6 clips of --test-data are the test set: {test_row}"
    );
    last_line_accuracy(&text);

    let mut args = common.to_vec();
    args.extend(["--test-data", unknown.to_str().unwrap()]);
    let o = run("audio_mlp_mfcc", &root, &args);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("\"voice\"") && err.contains("not among the training classes"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn naive_example_takes_the_same_command_line() {
    let root = scratch("naive");
    let data = root.join("data");
    write_set(&data, &["high", "low"], 8, 0);
    let out = root.join("out");
    let o = run(
        "audio_mlp_naive",
        &root,
        &[
            "--data",
            data.to_str().unwrap(),
            "--epochs",
            "5",
            "--sr",
            "8000",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let text = stdout(&o);
    assert!(o.status.success(), "{text}\n{}", stderr(&o));
    last_line_accuracy(&text);
    assert!(out.join("model.safetensors").is_file());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn rnn_example_takes_the_same_command_line() {
    let root = scratch("rnn");
    let data = root.join("data");
    write_set(&data, &["high", "low", "noise"], 8, 0);
    let out = root.join("out");
    let o = run(
        "audio_rnn",
        &root,
        &[
            "--data",
            data.to_str().unwrap(),
            "--epochs",
            "10",
            "--sr",
            "16000",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let text = stdout(&o);
    assert!(o.status.success(), "{text}\n{}", stderr(&o));
    // 24 frames of 20 MFCCs, whatever the rate.
    assert!(text.contains("features per clip: 480"), "{text}");
    last_line_accuracy(&text);
    assert!(out.join("model.safetensors").is_file());
    assert!(out.join("normalization.safetensors").is_file());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn lstm_example_takes_the_same_command_line() {
    let root = scratch("lstm");
    let data = root.join("data");
    write_set(&data, &["high", "low", "noise"], 8, 0);
    let out = root.join("out");
    let o = run(
        "audio_lstm",
        &root,
        &[
            "--data",
            data.to_str().unwrap(),
            "--epochs",
            "10",
            "--sr",
            "16000",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let text = stdout(&o);
    assert!(o.status.success(), "{text}\n{}", stderr(&o));
    // 24 frames of 20 MFCCs, whatever the rate.
    assert!(text.contains("features per clip: 480"), "{text}");
    last_line_accuracy(&text);
    assert!(out.join("model.safetensors").is_file());
    assert!(out.join("normalization.safetensors").is_file());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn cnn_example_takes_the_same_command_line_and_its_own_flags() {
    let root = scratch("cnn");
    let (data, subset) = (root.join("data"), root.join("subset"));
    write_set(&data, &["high", "low", "noise"], 8, 0);
    write_set(&subset, &["low", "noise"], 3, 20);
    let out = root.join("out");
    for extra in [&[][..], &["--no-augment"], &["--noise"]] {
        let mut args = vec![
            "--data",
            data.to_str().unwrap(),
            "--test-data",
            subset.to_str().unwrap(),
            "--epochs",
            "8",
            "--sr",
            "16000",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = run("audio_cnn", &root, &args);
        let text = stdout(&o);
        assert!(o.status.success(), "{extra:?}\n{text}\n{}", stderr(&o));
        // 0.4 s at 16 kHz, hop 256: 26 frames, chosen on the training clips.
        assert!(
            text.contains("log-mel images: 40 bands × 26 frames"),
            "{text}"
        );
        let test_row = text.lines().find(|l| l.starts_with("test")).unwrap();
        assert!(test_row.trim_end().ends_with(" 6"), "{test_row}");
        last_line_accuracy(&text);
    }
    for file in [
        "model.safetensors",
        "normalization.safetensors",
        "curves.png",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let o = run("audio_cnn", &root, &["--augment", "yes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("[--no-augment] [--noise]"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn bad_command_lines_exit_with_status_2_and_the_usage() {
    let root = scratch("usage");
    for args in [
        &["--epochs", "0"][..],
        &["--sr", "fast"],
        &["--seed"],
        &["--colour", "blue"],
    ] {
        let o = run("audio_mlp_mfcc", &root, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains("usage: cargo run --release --example audio_mlp_mfcc"),
            "{args:?}"
        );
    }
    let o = run("audio_classify", &root, &["clip.wav", "--sr", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        "audio_mlp_mfcc",
        &root,
        &["--data", root.join("missing").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("missing"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&root);
}
