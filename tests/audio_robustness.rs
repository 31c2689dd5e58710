//! The loader on hostile input: random bytes, random prefixes of valid files, and valid
//! headers followed by noise. Errors are fine; panics are not (proptest fails on a panic).

use std::path::Path;

use cadena::audio::{LoadConfig, decode};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name);
    std::fs::read(path).unwrap()
}

fn decode_quietly(bytes: Vec<u8>, name: &str) {
    // Either outcome is acceptable; only a panic would fail the property.
    let _ = decode(bytes, Path::new(name), &LoadConfig::default());
}

/// 300 cases from a fixed seed, so CI runs the same inputs every time; set
/// `PROPTEST_RNG_SEED` and `PROPTEST_CASES` to explore further by hand.
fn config() -> ProptestConfig {
    let from_env = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            from_env.cases
        } else {
            300
        },
        rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
            from_env.rng_seed
        } else {
            RngSeed::Fixed(0x00CA_DE2A)
        },
        ..from_env
    }
}

/// Found by the random search in CI: one byte of the AIFF `COMM` chunk changed makes
/// symphonia 0.6.1 overflow a multiplication. It must come back as an error on the file.
#[test]
fn aiff_with_a_corrupted_frame_count_is_an_error() {
    let mut bytes = fixture_bytes("chirp_16000_s16.aiff");
    bytes[20] = 128;
    let err = decode(
        bytes,
        Path::new("chirp_16000_s16.aiff"),
        &LoadConfig::default(),
    )
    .expect_err("a corrupted header cannot decode cleanly");
    let message = err.to_string();
    assert!(message.starts_with("chirp_16000_s16.aiff: "), "{message}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048),
                                ext in prop::sample::select(vec!["wav", "flac", "ogg", "aiff", "mp3", "bin"])) {
        decode_quietly(bytes, &format!("random.{ext}"));
    }

    #[test]
    fn random_bytes_behind_a_riff_header_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = b"RIFF\xff\xff\x00\x00WAVEfmt ".to_vec();
        bytes.extend(tail);
        decode_quietly(bytes, "riff.wav");
    }

    #[test]
    fn truncated_valid_files_never_panic(
        name in prop::sample::select(vec![
            "chirp_22050_s16.wav", "u8_11025.wav", "s24_48000.wav",
            "f32_stereo_22050.wav", "chirp_22050_s16.flac", "chirp_16000_s16.aiff",
        ]),
        fraction in 0.0f64..1.0,
    ) {
        let mut bytes = fixture_bytes(name);
        bytes.truncate((bytes.len() as f64 * fraction) as usize);
        decode_quietly(bytes, name);
    }

    #[test]
    fn valid_files_with_corrupted_bytes_never_panic(
        name in prop::sample::select(vec!["short_16000_s16.wav", "chirp_22050_s16.flac", "chirp_16000_s16.aiff"]),
        flips in proptest::collection::vec((0usize..4096, any::<u8>()), 1..16),
    ) {
        let mut bytes = fixture_bytes(name);
        for (at, value) in flips {
            let at = at % bytes.len();
            bytes[at] = value;
        }
        decode_quietly(bytes, name);
    }
}
