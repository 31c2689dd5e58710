//! Loading: formats read, sample scaling, resampling, and bad input that must be an
//! `Err` naming the file and the problem, never a panic.

use std::path::{Path, PathBuf};

use cadena::audio::{LoadConfig, decode, load, load_with};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name)
}

fn wav_bytes(spec: hound::WavSpec, samples: &[i32]) -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for &s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    cursor.into_inner()
}

fn int_spec(channels: u16, bits: u16) -> hound::WavSpec {
    hound::WavSpec {
        channels,
        sample_rate: 8000,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    }
}

/// Decodes in memory and returns the error text, which must start with the file name.
fn error_for(bytes: Vec<u8>, name: &str) -> String {
    let err = decode(bytes, Path::new(name), &LoadConfig::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with(&format!("{name}: ")), "{text}");
    text
}

#[test]
fn int16_samples_are_scaled_by_32768_like_libsndfile() {
    let bytes = wav_bytes(int_spec(1, 16), &[-32768, 0, 16384, 32767]);
    let clip = decode(bytes, Path::new("a.wav"), &LoadConfig::default()).unwrap();
    assert_eq!(clip.samples, [-1.0, 0.0, 0.5, 32767.0 / 32768.0]);
    assert_eq!((clip.sr, clip.channels), (8000, 1));
}

#[test]
fn unsigned_8bit_samples_are_centred_on_128() {
    // hound takes and gives 8-bit samples already shifted by -128.
    let bytes = wav_bytes(int_spec(1, 8), &[-128, 0, 64]);
    let clip = decode(bytes, Path::new("a.wav"), &LoadConfig::default()).unwrap();
    assert_eq!(clip.samples, [-1.0, 0.0, 0.5]);
}

#[test]
fn stereo_is_averaged_to_mono() {
    let bytes = wav_bytes(int_spec(2, 16), &[16384, 0, -16384, -16384]);
    let clip = decode(bytes, Path::new("a.wav"), &LoadConfig::default()).unwrap();
    assert_eq!(clip.samples, [0.25, -0.5]);
    assert_eq!(clip.channels, 2);
}

#[test]
fn resampling_gives_the_requested_rate_and_librosa_length() {
    let clip = load_with(
        fixture("chirp_22050_s16.wav"),
        &LoadConfig { sr: Some(16000) },
    )
    .unwrap();
    assert_eq!(clip.sr, 16000);
    assert_eq!(clip.samples.len(), 16000);
}

#[test]
fn flac_and_aiff_load_through_symphonia() {
    assert_eq!(load(fixture("chirp_22050_s16.flac")).unwrap().sr, 22050);
    assert_eq!(load(fixture("chirp_16000_s16.aiff")).unwrap().sr, 16000);
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let err = load("/no/such/dir/clip.wav").unwrap_err();
    assert!(err.to_string().contains("/no/such/dir/clip.wav"));
}

#[test]
fn an_empty_file_is_an_error() {
    assert!(error_for(Vec::new(), "empty.wav").contains("empty"));
}

#[test]
fn a_text_file_is_an_error() {
    let text = error_for(b"just some notes, not audio\n".repeat(20), "notes.wav");
    assert!(text.contains("not a recognised audio format"), "{text}");
}

#[test]
fn a_header_without_samples_is_an_error() {
    let text = error_for(wav_bytes(int_spec(1, 16), &[]), "header.wav");
    assert!(text.contains("no audio samples"), "{text}");
}

#[test]
fn truncated_sample_data_is_an_error() {
    let mut bytes = wav_bytes(int_spec(1, 16), &[1000; 400]);
    bytes.truncate(bytes.len() - 101);
    let text = error_for(bytes, "cut.wav");
    assert!(text.contains("truncated"), "{text}");
}

#[test]
fn a_truncated_flac_is_an_error() {
    let mut bytes = std::fs::read(fixture("chirp_22050_s16.flac")).unwrap();
    bytes.truncate(bytes.len() / 2);
    error_for(bytes, "cut.flac");
}

#[test]
fn zero_channels_is_an_error() {
    let mut bytes = wav_bytes(int_spec(1, 16), &[1, 2, 3, 4]);
    // The fmt chunk's channel count sits at byte 22 of a canonical WAV header.
    bytes[22] = 0;
    bytes[23] = 0;
    error_for(bytes, "nochan.wav");
}

#[test]
fn an_unsupported_wav_codec_is_an_error() {
    let mut bytes = wav_bytes(int_spec(1, 16), &[1, 2, 3, 4]);
    // Format tag 2 is Microsoft ADPCM, which hound does not decode.
    bytes[20] = 2;
    let text = error_for(bytes, "adpcm.wav");
    assert!(
        text.contains("unsupported") || text.contains("malformed"),
        "{text}"
    );
}
