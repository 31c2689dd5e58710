//! Reading audio files into mono `f32` samples the way `librosa.load` does: WAV through
//! hound, everything else (FLAC, AIFF, OGG Vorbis, ...) through symphonia, channels
//! averaged, optionally resampled.

use std::io::Cursor;
use std::path::Path;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use super::resample::resample;
use crate::{Error, Result};

/// How to load a clip. `Default` reads the file at its native rate, like
/// `librosa.load(path, sr=None)`.
///
/// Note that librosa's own default is `sr=22050`; cadena does not resample unless asked,
/// because the rate a file was recorded at is the one most people expect back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadConfig {
    /// Target sample rate in Hz; `None` keeps the file's own rate.
    pub sr: Option<u32>,
}

/// A decoded clip: mono samples in [-1, 1) and their sample rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    /// Mono samples, channels averaged, scaled like libsndfile (int16 / 32768, ...).
    pub samples: Vec<f32>,
    /// Sample rate of `samples`, in Hz.
    pub sr: u32,
    /// How many channels the file had before they were averaged.
    pub channels: u16,
}

impl Clip {
    /// Length in seconds.
    ///
    /// ```
    /// let clip = cadena::audio::Clip { samples: vec![0.0; 8000], sr: 16000, channels: 1 };
    /// assert_eq!(clip.duration(), 0.5);
    /// ```
    pub fn duration(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.sr)
    }
}

/// Loads a file at its native sample rate, mixed down to mono.
///
/// ```no_run
/// let clip = cadena::audio::load("kick.wav")?;
/// println!("{} samples at {} Hz", clip.samples.len(), clip.sr);
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Audio`] naming the file if it is
/// empty, not audio, truncated, has no samples or no channels, or uses a codec neither
/// hound nor symphonia decodes.
pub fn load(path: impl AsRef<Path>) -> Result<Clip> {
    load_with(path, &LoadConfig::default())
}

/// Loads a file, mixed down to mono and resampled to `config.sr` if set.
///
/// ```no_run
/// use cadena::audio::{load_with, LoadConfig};
/// let clip = load_with("kick.wav", &LoadConfig { sr: Some(16000) })?;
/// assert_eq!(clip.sr, 16000);
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// As [`load`], and [`Error::InvalidConfig`] for a target rate of 0.
pub fn load_with(path: impl AsRef<Path>, config: &LoadConfig) -> Result<Clip> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode(bytes, path, config)
}

/// Decodes a file already in memory; `path` names it in error messages and its extension
/// hints the container format.
///
/// ```
/// let err = cadena::audio::decode(b"hello".to_vec(), "notes.txt".as_ref(), &Default::default());
/// assert!(err.unwrap_err().to_string().starts_with("notes.txt: "));
/// ```
///
/// # Errors
/// As [`load_with`], without the I/O failures.
pub fn decode(bytes: Vec<u8>, path: &Path, config: &LoadConfig) -> Result<Clip> {
    let fail = |reason: String| Error::Audio {
        path: path.to_path_buf(),
        reason,
    };
    if config.sr == Some(0) {
        return Err(Error::InvalidConfig {
            name: "sr",
            reason: "target sample rate must be positive, got 0".into(),
        });
    }
    if bytes.is_empty() {
        return Err(fail("file is empty".into()));
    }
    let is_wav = bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE";
    // hound and symphonia are meant to return errors on malformed input, but corrupted
    // headers still reach arithmetic that overflows inside them (symphonia 0.6.1's AIFF
    // reader multiplies an unchecked frame count, for one). One bad file must not take a
    // whole data set down, so a panic in a decoder becomes this file's error. Everything
    // the closure touches is owned by it, so no broken state is observable afterwards.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if is_wav {
            decode_wav(&bytes)
        } else {
            decode_other(bytes, path)
        }
    }))
    .unwrap_or_else(|panic| Err(decoder_panic_reason(panic.as_ref())))
    .map_err(fail)?;
    if decoded.channels == 0 {
        return Err(fail("file declares zero channels".into()));
    }
    if decoded.sr == 0 {
        return Err(fail("file declares a sample rate of 0 Hz".into()));
    }
    if decoded.interleaved.is_empty() {
        return Err(fail("file contains no audio samples".into()));
    }
    let samples = mix_to_mono(&decoded.interleaved, usize::from(decoded.channels));
    let (samples, sr) = match config.sr {
        Some(target) if target != decoded.sr => (
            resample(&samples, decoded.sr, target).map_err(fail)?,
            target,
        ),
        _ => (samples, decoded.sr),
    };
    Ok(Clip {
        samples,
        sr,
        channels: decoded.channels,
    })
}

/// Interleaved samples straight out of a decoder.
struct Decoded {
    interleaved: Vec<f32>,
    channels: u16,
    sr: u32,
}

/// Averages interleaved channels, as `librosa.to_mono` does (`np.mean(y, axis=0)`).
fn mix_to_mono(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels == 1 {
        return interleaved.to_vec();
    }
    let scale = 1.0 / channels as f32;
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() * scale)
        .collect()
}

/// WAV through hound, scaled like libsndfile's float reads: an n-bit integer is divided by
/// 2^(n-1); hound already recentres 8-bit unsigned data on zero.
fn decode_wav(bytes: &[u8]) -> std::result::Result<Decoded, String> {
    let reader = hound::WavReader::new(Cursor::new(bytes)).map_err(|e| wav_reason(&e))?;
    let spec = reader.spec();
    if spec.channels == 0 {
        return Err("file declares zero channels".into());
    }
    // The header's sample count is not trusted for allocation: a corrupt header can claim
    // gigabytes that the file does not hold.
    let bytes_per_sample = usize::from(spec.bits_per_sample.div_ceil(8)).max(1);
    let capacity = (reader.len() as usize).min(bytes.len() / bytes_per_sample);
    let mut interleaved = Vec::with_capacity(capacity);
    match spec.sample_format {
        hound::SampleFormat::Float => {
            if spec.bits_per_sample != 32 {
                return Err(format!(
                    "unsupported codec: {}-bit float WAV (only 32-bit float is read)",
                    spec.bits_per_sample
                ));
            }
            for s in reader.into_samples::<f32>() {
                interleaved.push(s.map_err(|e| wav_reason(&e))?);
            }
        }
        hound::SampleFormat::Int => {
            if !(1..=32).contains(&spec.bits_per_sample) {
                return Err(format!(
                    "unsupported codec: {}-bit integer WAV",
                    spec.bits_per_sample
                ));
            }
            let scale = 1.0 / f64::from(1u32 << (spec.bits_per_sample - 1)) as f32;
            for s in reader.into_samples::<i32>() {
                interleaved.push(s.map_err(|e| wav_reason(&e))? as f32 * scale);
            }
        }
    }
    if interleaved.len() % usize::from(spec.channels) != 0 {
        return Err("truncated data: last frame is incomplete".into());
    }
    Ok(Decoded {
        interleaved,
        channels: spec.channels,
        sr: spec.sample_rate,
    })
}

/// The message of a panic raised inside a decoder, as a load error.
fn decoder_panic_reason(panic: &(dyn std::any::Any + Send)) -> String {
    let detail = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    format!("malformed file: the decoder failed on it ({detail})")
}

/// Words a hound failure for a user: what is wrong with the file, not which parser step
/// noticed it.
fn wav_reason(e: &hound::Error) -> String {
    match e {
        // The bytes are already in memory, so the only way a read can fail is running
        // off the end of them.
        hound::Error::IoError(io) => {
            format!("truncated data: the file ends before its header says it should ({io})")
        }
        hound::Error::FormatError(msg) => format!("malformed WAV: {msg}"),
        hound::Error::Unsupported => {
            "unsupported codec: only PCM and 32-bit float WAV are read".into()
        }
        other => format!("malformed WAV: {other}"),
    }
}

/// Any container and codec symphonia knows, the extension used as a hint.
fn decode_other(bytes: Vec<u8>, path: &Path) -> std::result::Result<Decoded, String> {
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let mss = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| match e {
            SymphoniaError::Unsupported(_) => "not a recognised audio format".to_string(),
            other => format!("not a readable audio file: {other}"),
        })?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or("no audio track")?;
    let track_id = track.id;
    let expected_frames = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or("no audio codec parameters")?
        .clone();
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| format!("unsupported codec: {e}"))?;
    let mut channels = params.channels.as_ref().map(|c| c.count());
    let mut sr = params.sample_rate;
    let mut interleaved = Vec::new();
    let mut chunk = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err("truncated data: the stream ends mid-packet".into());
            }
            Err(e) => return Err(format!("malformed stream: {e}")),
        };
        if packet.track_id != track_id {
            continue;
        }
        let buf = decoder
            .decode(&packet)
            .map_err(|e| format!("decoding failed: {e}"))?;
        let spec = buf.spec();
        channels = Some(spec.channels().count());
        sr = Some(spec.rate());
        buf.copy_to_vec_interleaved(&mut chunk);
        interleaved.extend_from_slice(&chunk);
    }
    let channels = channels.ok_or("stream declares no channels")?;
    let channels =
        u16::try_from(channels).map_err(|_| format!("{channels} channels is too many"))?;
    if let (Some(expected), true) = (expected_frames, channels > 0) {
        let got = (interleaved.len() / usize::from(channels)) as u64;
        if got < expected {
            return Err(format!(
                "truncated data: header promises {expected} frames, decoded {got}"
            ));
        }
    }
    Ok(Decoded {
        interleaved,
        channels,
        sr: sr.ok_or("stream declares no sample rate")?,
    })
}
