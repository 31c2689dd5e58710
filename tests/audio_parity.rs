//! Parity with librosa 0.11: every reference array here was produced by
//! `tests/fixtures/audio/make_fixtures.py` (which lists the exact librosa call for each
//! suffix) and is compared against the matching cadena call.

use std::path::{Path, PathBuf};

use cadena::audio::mel::{MelConfig, MelNorm, MelScale, mel_filters, melspectrogram};
use cadena::audio::mfcc::{MfccConfig, mfcc};
use cadena::audio::stft::{StftConfig, spectrogram};
use cadena::audio::{delta::delta, load, npy};
use ndarray::Array2;

/// MFCC (and delta) parity: within this fraction of the reference's largest |value|.
const MFCC_TOL: f32 = 1e-4;
/// Mel filterbank parity, elementwise absolute.
const MEL_TOL: f32 = 1e-6;
/// Spectrogram parity: within this fraction of the reference's largest value.
const SPEC_TOL: f32 = 1e-5;

const CLIPS: &[&str] = &[
    "chirp_22050_s16.wav",
    "stereo_44100_s16.wav",
    "short_16000_s16.wav",
    "silence_8000_s16.wav",
    "u8_11025.wav",
    "s24_48000.wav",
    "s32_22050.wav",
    "f32_stereo_22050.wav",
    "chirp_22050_s16.flac",
    "chirp_16000_s16.aiff",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name)
}

/// The stored reference `<clip>.<call>.npy`, if the script wrote one for this clip.
fn reference(clip: &str, call: &str) -> Option<Array2<f32>> {
    let path = fixture(&format!("{clip}.{call}.npy"));
    path.exists().then(|| npy::read(&path).unwrap())
}

/// max |ours - theirs| / max |theirs| (or the absolute error if theirs is all zeros).
fn relative_error(ours: &Array2<f32>, theirs: &Array2<f32>, what: &str) -> f32 {
    assert_eq!(ours.dim(), theirs.dim(), "{what}: shape");
    let peak = theirs.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let worst = ours
        .iter()
        .zip(theirs)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    let err = if peak > 0.0 { worst / peak } else { worst };
    eprintln!("{what}: relative error {err:.3e}");
    err
}

fn custom_config(sr: u32) -> MfccConfig {
    // librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13, n_fft=512, hop_length=160, n_mels=40,
    //                      fmin=20.0, fmax=sr / 2 * 0.9, htk=True, lifter=22)
    MfccConfig {
        n_mfcc: 13,
        stft: StftConfig {
            n_fft: 512,
            hop_length: Some(160),
            ..Default::default()
        },
        mel: MelConfig {
            n_mels: 40,
            fmin: 20.0,
            fmax: Some(f64::from(sr) / 2.0 * 0.9),
            scale: MelScale::Htk,
            ..Default::default()
        },
        lifter: 22.0,
        ..Default::default()
    }
}

#[test]
fn loaded_samples_match_librosa_load_exactly() {
    for clip in CLIPS {
        let ours = load(fixture(clip)).unwrap();
        let theirs = reference(clip, "y").unwrap();
        let ours = Array2::from_shape_vec((1, ours.samples.len()), ours.samples).unwrap();
        assert!(
            relative_error(&ours, &theirs, &format!("{clip} y")) <= 1e-7,
            "{clip}"
        );
    }
}

#[test]
fn default_mfcc_matches_librosa_within_1e4_of_peak() {
    for clip in CLIPS {
        let y = load(fixture(clip)).unwrap();
        let ours = mfcc(&y.samples, y.sr, &MfccConfig::default()).unwrap();
        let theirs = reference(clip, "mfcc_default").unwrap();
        let what = format!("{clip} mfcc_default");
        assert!(relative_error(&ours, &theirs, &what) <= MFCC_TOL, "{what}");
    }
}

#[test]
fn custom_htk_liftered_mfcc_matches_librosa_within_1e4_of_peak() {
    for clip in CLIPS {
        let y = load(fixture(clip)).unwrap();
        let ours = mfcc(&y.samples, y.sr, &custom_config(y.sr)).unwrap();
        let theirs = reference(clip, "mfcc_custom").unwrap();
        let what = format!("{clip} mfcc_custom");
        assert!(relative_error(&ours, &theirs, &what) <= MFCC_TOL, "{what}");
    }
}

#[test]
fn default_melspectrogram_matches_librosa_within_1e5_of_peak() {
    for clip in CLIPS {
        let y = load(fixture(clip)).unwrap();
        let ours = melspectrogram(
            &y.samples,
            y.sr,
            &StftConfig::default(),
            &MelConfig::default(),
        )
        .unwrap();
        let theirs = reference(clip, "melspec_default").unwrap();
        let what = format!("{clip} melspec_default");
        assert!(relative_error(&ours, &theirs, &what) <= SPEC_TOL, "{what}");
    }
}

#[test]
fn power_spectrograms_with_short_windows_and_no_centering_match_librosa() {
    let windowed = StftConfig {
        n_fft: 1024,
        hop_length: Some(256),
        win_length: Some(800),
        ..Default::default()
    };
    let uncentred = StftConfig {
        n_fft: 256,
        hop_length: Some(100),
        center: false,
        ..Default::default()
    };
    let mut checked = 0;
    for clip in CLIPS {
        let y = load(fixture(clip)).unwrap();
        for (call, config) in [
            ("stft_power_win", &windowed),
            ("stft_power_nocenter", &uncentred),
        ] {
            if let Some(theirs) = reference(clip, call) {
                let ours = spectrogram(&y.samples, config).unwrap();
                let what = format!("{clip} {call}");
                assert!(relative_error(&ours, &theirs, &what) <= SPEC_TOL, "{what}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "only {checked} spectrogram fixtures found");
}

#[test]
fn deltas_of_default_mfcc_match_librosa_within_1e4_of_peak() {
    let mut checked = 0;
    for clip in CLIPS {
        let y = load(fixture(clip)).unwrap();
        let m = mfcc(&y.samples, y.sr, &MfccConfig::default()).unwrap();
        for (call, width, order) in [("delta1", 9, 1), ("delta2", 9, 2), ("delta1_w5", 5, 1)] {
            if let Some(theirs) = reference(clip, call) {
                let ours = delta(&m, width, order).unwrap();
                let what = format!("{clip} {call}");
                assert!(relative_error(&ours, &theirs, &what) <= MFCC_TOL, "{what}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 15, "only {checked} delta fixtures found");
}

#[test]
fn mel_filterbanks_match_librosa_within_1e6() {
    let cases = [
        // librosa.filters.mel(sr=22050, n_fft=2048)
        (
            "mel_22050_2048_128_slaney",
            22050,
            2048,
            MelConfig::default(),
        ),
        // librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=20.0, fmax=7600.0, htk=True)
        (
            "mel_16000_512_40_htk",
            16000,
            512,
            MelConfig {
                n_mels: 40,
                fmin: 20.0,
                fmax: Some(7600.0),
                scale: MelScale::Htk,
                ..Default::default()
            },
        ),
        // librosa.filters.mel(sr=44100, n_fft=2048, n_mels=64, fmin=50.0, fmax=15000.0)
        (
            "mel_44100_2048_64_slaney",
            44100,
            2048,
            MelConfig {
                n_mels: 64,
                fmin: 50.0,
                fmax: Some(15000.0),
                ..Default::default()
            },
        ),
        // librosa.filters.mel(sr=8000, n_fft=256, n_mels=20, htk=True, norm=None)
        (
            "mel_8000_256_20_htk_nonorm",
            8000,
            256,
            MelConfig {
                n_mels: 20,
                scale: MelScale::Htk,
                norm: MelNorm::None,
                ..Default::default()
            },
        ),
    ];
    for (name, sr, n_fft, config) in cases {
        let ours = mel_filters(sr, n_fft, &config).unwrap();
        let theirs = npy::read(fixture(&format!("{name}.npy"))).unwrap();
        assert_eq!(ours.dim(), theirs.dim(), "{name}");
        let worst = ours
            .iter()
            .zip(&theirs)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        eprintln!("{name}: max abs error {worst:.3e}");
        assert!(worst <= MEL_TOL, "{name}: {worst}");
    }
}
