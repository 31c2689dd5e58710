//! Fixed-length feature vectors for a whole clip, the input an MLP classifier wants:
//! mean and standard deviation over time of MFCCs, their deltas and a few spectral
//! descriptors ([`SummarySpec`]), or the raw waveform cut or padded to a fixed length
//! (the naive baseline).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use ndarray::{Array1, Array2, ArrayView1};

use super::delta::delta;
use super::mfcc::{MfccConfig, MfccExtractor};
use super::stft::{Stft, StftConfig};
use crate::{Error, Result};

/// What goes into a clip's summary vector, in this order: MFCC means, MFCC standard
/// deviations, delta means, delta standard deviations (each `n_mfcc` long), then mean and
/// standard deviation of the spectral centroid, the spectral rolloff (both in Hz) and the
/// zero-crossing rate. Standard deviations are population ones (`np.std`, `ddof=0`).
///
/// `Default` is MFCC mean and std only (40 values with 20 coefficients).
#[derive(Debug, Clone, PartialEq)]
pub struct SummarySpec {
    /// The MFCCs summarised; its STFT settings also frame the spectral descriptors.
    pub mfcc: MfccConfig,
    /// Include each coefficient's mean over time.
    pub mfcc_mean: bool,
    /// Include each coefficient's standard deviation over time.
    pub mfcc_std: bool,
    /// Include the mean of each coefficient's delta (`librosa.feature.delta`).
    pub delta_mean: bool,
    /// Include the standard deviation of each coefficient's delta.
    pub delta_std: bool,
    /// Delta window (odd, >= 3). Clips with fewer frames use the largest odd width that
    /// fits, and all-zero deltas below 3 frames, where librosa would raise instead.
    pub delta_width: usize,
    /// Include `librosa.feature.spectral_centroid` mean and std.
    pub spectral_centroid: bool,
    /// Include `librosa.feature.spectral_rolloff` mean and std.
    pub spectral_rolloff: bool,
    /// Fraction of spectral energy below the rolloff frequency (librosa: 0.85).
    pub roll_percent: f32,
    /// Include `librosa.feature.zero_crossing_rate` mean and std (frame length `n_fft`,
    /// the MFCC hop, edge-padded as librosa).
    pub zero_crossing_rate: bool,
}

impl Default for SummarySpec {
    fn default() -> Self {
        Self {
            mfcc: MfccConfig::default(),
            mfcc_mean: true,
            mfcc_std: true,
            delta_mean: false,
            delta_std: false,
            delta_width: 9,
            spectral_centroid: false,
            spectral_rolloff: false,
            roll_percent: 0.85,
            zero_crossing_rate: false,
        }
    }
}

impl SummarySpec {
    /// Everything on: MFCC and delta mean and std, centroid, rolloff and zero-crossing rate.
    pub fn all() -> Self {
        Self {
            delta_mean: true,
            delta_std: true,
            spectral_centroid: true,
            spectral_rolloff: true,
            zero_crossing_rate: true,
            ..Self::default()
        }
    }

    /// A name for each entry of the vector, in order (`mfcc3_mean`, `centroid_std`, ...).
    ///
    /// ```
    /// let names = cadena::audio::features::SummarySpec::default().names();
    /// assert_eq!(names.len(), 40);
    /// assert_eq!(names[0], "mfcc0_mean");
    /// assert_eq!(names[20], "mfcc0_std");
    /// ```
    pub fn names(&self) -> Vec<String> {
        let n = self.mfcc.n_mfcc;
        let mut names = Vec::new();
        let mut per_coefficient = |on: bool, prefix: &str, stat: &str| {
            if on {
                names.extend((0..n).map(|k| format!("{prefix}{k}_{stat}")));
            }
        };
        per_coefficient(self.mfcc_mean, "mfcc", "mean");
        per_coefficient(self.mfcc_std, "mfcc", "std");
        per_coefficient(self.delta_mean, "delta", "mean");
        per_coefficient(self.delta_std, "delta", "std");
        for (on, name) in [
            (self.spectral_centroid, "centroid"),
            (self.spectral_rolloff, "rolloff"),
            (self.zero_crossing_rate, "zcr"),
        ] {
            if on {
                names.push(format!("{name}_mean"));
                names.push(format!("{name}_std"));
            }
        }
        names
    }

    /// Length of the summary vector.
    pub fn dims(&self) -> usize {
        self.names().len()
    }
}

/// How a clip becomes one fixed-length row of a data set.
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureSpec {
    /// Statistics of MFCCs and spectral descriptors over time.
    Summary(SummarySpec),
    /// The first `length` samples, zero-padded when the clip is shorter: the naive input.
    Waveform {
        /// Samples kept per clip.
        length: usize,
    },
}

impl Default for FeatureSpec {
    fn default() -> Self {
        Self::Summary(SummarySpec::default())
    }
}

impl FeatureSpec {
    /// Length of each feature vector.
    ///
    /// ```
    /// use cadena::audio::features::{FeatureSpec, SummarySpec};
    /// assert_eq!(FeatureSpec::Summary(SummarySpec::all()).dims(), 86);
    /// assert_eq!(FeatureSpec::Waveform { length: 16000 }.dims(), 16000);
    /// ```
    pub fn dims(&self) -> usize {
        match self {
            Self::Summary(spec) => spec.dims(),
            Self::Waveform { length } => *length,
        }
    }
}

/// Computes feature vectors for clips, keeping one planned pipeline per sample rate so
/// repeated calls reuse FFT plans and buffers. One per thread.
#[derive(Debug)]
pub struct FeatureExtractor {
    spec: FeatureSpec,
    planned: HashMap<u32, Planned>,
}

#[derive(Debug)]
struct Planned {
    mfcc: MfccExtractor,
    magnitude: Option<Stft>,
}

impl Planned {
    fn new(sr: u32, spec: &SummarySpec) -> Result<Self> {
        let magnitude = if spec.spectral_centroid || spec.spectral_rolloff {
            Some(Stft::new(&StftConfig {
                power: 1.0,
                ..spec.mfcc.stft.clone()
            })?)
        } else {
            None
        };
        Ok(Self {
            mfcc: MfccExtractor::new(sr, &spec.mfcc)?,
            magnitude,
        })
    }
}

impl FeatureExtractor {
    /// An extractor for `spec`; pipelines are planned on first use of each sample rate.
    pub fn new(spec: &FeatureSpec) -> Self {
        Self {
            spec: spec.clone(),
            planned: HashMap::new(),
        }
    }

    /// The spec this extractor computes.
    pub fn spec(&self) -> &FeatureSpec {
        &self.spec
    }

    /// The feature vector of `samples` at `sr` Hz, [`FeatureSpec::dims`] long.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an invalid configuration; [`Error::Data`] for an empty
    /// clip in summary mode.
    pub fn extract(&mut self, samples: &[f32], sr: u32) -> Result<Array1<f32>> {
        let spec = match &self.spec {
            FeatureSpec::Waveform { length } => {
                let mut out = Array1::zeros(*length);
                let n = samples.len().min(*length);
                out.as_slice_mut()
                    .expect("fresh array is contiguous")
                    .get_mut(..n)
                    .expect("n <= length")
                    .copy_from_slice(&samples[..n]);
                return Ok(out);
            }
            FeatureSpec::Summary(spec) => spec.clone(),
        };
        if samples.is_empty() {
            return Err(Error::Data("cannot summarise an empty clip".into()));
        }
        let planned = match self.planned.entry(sr) {
            Entry::Occupied(planned) => planned.into_mut(),
            Entry::Vacant(slot) => slot.insert(Planned::new(sr, &spec)?),
        };
        let mut out = Vec::with_capacity(spec.dims());
        let m = planned.mfcc.compute(samples)?;
        push_row_stats(&mut out, &m, spec.mfcc_mean, spec.mfcc_std);
        if spec.delta_mean || spec.delta_std {
            let d = deltas_that_fit(&m, spec.delta_width)?;
            push_row_stats(&mut out, &d, spec.delta_mean, spec.delta_std);
        }
        if let Some(stft) = planned.magnitude.as_mut() {
            let (centroid, rolloff) = centroid_and_rolloff(stft, samples, sr, spec.roll_percent)?;
            if spec.spectral_centroid {
                push_stats(&mut out, centroid.view());
            }
            if spec.spectral_rolloff {
                push_stats(&mut out, rolloff.view());
            }
        }
        if spec.zero_crossing_rate {
            let stft = &spec.mfcc.stft;
            push_stats(
                &mut out,
                zero_crossing_rate(samples, stft.n_fft, stft.hop()).view(),
            );
        }
        Ok(Array1::from(out))
    }
}

/// The summary vector of one clip: [`FeatureExtractor::extract`] for a single call.
///
/// ```
/// use cadena::audio::features::{summary, SummarySpec};
/// let y: Vec<f32> = (0..22050).map(|n| (n as f32 * 0.1).sin() * 0.5).collect();
/// let v = summary(&y, 22050, &SummarySpec::all())?;
/// assert_eq!(v.len(), SummarySpec::all().dims());
/// assert!(v.iter().all(|x| x.is_finite()));
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// As [`FeatureExtractor::extract`].
pub fn summary(samples: &[f32], sr: u32, spec: &SummarySpec) -> Result<Array1<f32>> {
    FeatureExtractor::new(&FeatureSpec::Summary(spec.clone())).extract(samples, sr)
}

fn deltas_that_fit(m: &Array2<f32>, width: usize) -> Result<Array2<f32>> {
    let frames = m.ncols();
    let fit = if frames >= width {
        width
    } else if frames % 2 == 1 {
        frames
    } else {
        frames.saturating_sub(1)
    };
    if fit < 3 {
        return Ok(Array2::zeros(m.dim()));
    }
    delta(m, fit, 1)
}

/// Appends the mean and/or population standard deviation of each row.
fn push_row_stats(out: &mut Vec<f32>, m: &Array2<f32>, mean: bool, std: bool) {
    let stats: Vec<(f32, f32)> = m.rows().into_iter().map(mean_std).collect();
    if mean {
        out.extend(stats.iter().map(|s| s.0));
    }
    if std {
        out.extend(stats.iter().map(|s| s.1));
    }
}

fn push_stats(out: &mut Vec<f32>, values: ArrayView1<'_, f32>) {
    let (mean, std) = mean_std(values);
    out.push(mean);
    out.push(std);
}

fn mean_std(values: ArrayView1<'_, f32>) -> (f32, f32) {
    let n = values.len().max(1) as f64;
    let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = values
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean as f32, var.sqrt() as f32)
}

/// Per-frame spectral centroid and rolloff of the magnitude spectrogram, as
/// `librosa.feature.spectral_centroid` and `spectral_rolloff`: a silent frame has
/// centroid 0 and rolloff 0 Hz.
fn centroid_and_rolloff(
    stft: &mut Stft,
    y: &[f32],
    sr: u32,
    roll_percent: f32,
) -> Result<(Array1<f32>, Array1<f32>)> {
    let frames = stft.config().n_frames(y.len())?;
    let bin_hz = f64::from(sr) / stft.config().n_fft as f64;
    let mut centroid = Array1::zeros(frames);
    let mut rolloff = Array1::zeros(frames);
    stft.for_each_frame(y, |t, magnitude| {
        let total: f64 = magnitude.iter().map(|&v| f64::from(v)).sum();
        if total >= f64::from(f32::MIN_POSITIVE) {
            let weighted: f64 = magnitude
                .iter()
                .enumerate()
                .map(|(k, &v)| k as f64 * bin_hz * f64::from(v))
                .sum();
            centroid[t] = (weighted / total) as f32;
        }
        let threshold = f64::from(roll_percent) * total;
        let mut cumulative = 0.0;
        for (k, &v) in magnitude.iter().enumerate() {
            cumulative += f64::from(v);
            if cumulative >= threshold {
                rolloff[t] = (k as f64 * bin_hz) as f32;
                break;
            }
        }
    })?;
    Ok((centroid, rolloff))
}

/// `librosa.feature.zero_crossing_rate(y, frame_length, hop_length)`: per centred frame
/// (edge-padded), the fraction of samples whose sign differs from the previous sample's,
/// values within 1e-10 of zero counting as positive.
fn zero_crossing_rate(y: &[f32], frame_length: usize, hop: usize) -> Array1<f32> {
    let half = frame_length / 2;
    let last = y.len() - 1;
    let sample = |i: usize| -> bool {
        let v = y[i.saturating_sub(half).min(last)];
        v < 0.0 && v.abs() > 1e-10
    };
    let padded_len = y.len() + 2 * half;
    let frames = 1 + padded_len.saturating_sub(frame_length) / hop;
    Array1::from_shape_fn(frames, |t| {
        let start = t * hop;
        let crossings = (start + 1..start + frame_length)
            .filter(|&i| sample(i) != sample(i - 1))
            .count();
        crossings as f32 / frame_length as f32
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waveform_spec_pads_short_clips_and_cuts_long_ones() {
        let mut ex = FeatureExtractor::new(&FeatureSpec::Waveform { length: 4 });
        assert_eq!(
            ex.extract(&[1.0, 2.0], 8000).unwrap().to_vec(),
            [1.0, 2.0, 0.0, 0.0]
        );
        assert_eq!(
            ex.extract(&[1.0, 2.0, 3.0, 4.0, 5.0], 8000)
                .unwrap()
                .to_vec(),
            [1.0, 2.0, 3.0, 4.0]
        );
    }

    #[test]
    fn summary_mean_is_the_time_average_of_the_mfcc_matrix() {
        let y: Vec<f32> = (0..16000)
            .map(|n| ((n * 31) % 17) as f32 / 17.0 - 0.5)
            .collect();
        let v = summary(&y, 16000, &SummarySpec::default()).unwrap();
        let m = super::super::mfcc::mfcc(&y, 16000, &MfccConfig::default()).unwrap();
        let mean3 = m.row(3).mean().unwrap();
        assert!((v[3] - mean3).abs() < 1e-3 * mean3.abs().max(1.0));
    }

    #[test]
    fn a_pure_tone_has_its_centroid_near_its_frequency() {
        let sr = 22050;
        let y: Vec<f32> = (0..sr)
            .map(|n| (2.0 * std::f32::consts::PI * 1000.0 * n as f32 / sr as f32).sin())
            .collect();
        let spec = SummarySpec {
            mfcc_mean: false,
            mfcc_std: false,
            spectral_centroid: true,
            ..Default::default()
        };
        let v = summary(&y, sr as u32, &spec).unwrap();
        assert!((v[0] - 1000.0).abs() < 50.0, "centroid {}", v[0]);
    }

    #[test]
    fn alternating_signs_cross_zero_at_every_sample() {
        let y: Vec<f32> = (0..4096)
            .map(|n| if n % 2 == 0 { 0.5 } else { -0.5 })
            .collect();
        let zcr = zero_crossing_rate(&y, 2048, 512);
        assert!((zcr[3] - 2047.0 / 2048.0).abs() < 1e-6);
    }

    #[test]
    fn clips_shorter_than_the_delta_width_still_get_deltas() {
        let y = vec![0.1f32; 1500];
        let v = summary(&y, 22050, &SummarySpec::all()).unwrap();
        assert_eq!(v.len(), SummarySpec::all().dims());
    }
}
