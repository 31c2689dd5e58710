//! Mel filterbanks (`librosa.filters.mel`) and mel spectrograms
//! (`librosa.feature.melspectrogram`), the filterbank kept in sparse band form so each
//! filter touches only the FFT bins it covers.

use ndarray::Array2;

use super::stft::{Stft, StftConfig};
use crate::{Error, Result};

/// Which Hz ↔ mel formula to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MelScale {
    /// Slaney's Auditory Toolbox scale: linear below 1 kHz, logarithmic above
    /// (librosa's default, `htk=False`).
    #[default]
    Slaney,
    /// The HTK formula `2595 log10(1 + f / 700)` (`htk=True`).
    Htk,
}

/// How each triangular filter is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MelNorm {
    /// Divide each triangle by its width in Hz (times 2), so filters have roughly constant
    /// energy per channel (librosa's default, `norm="slaney"`).
    #[default]
    Slaney,
    /// Leave triangles with peak 1 (`norm=None`).
    None,
}

/// Mel filterbank parameters. `Default` is librosa 0.11's: 128 filters from 0 Hz to
/// `sr / 2`, Slaney scale, Slaney normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct MelConfig {
    /// Number of mel bands.
    pub n_mels: usize,
    /// Lowest frequency, in Hz.
    pub fmin: f64,
    /// Highest frequency, in Hz; `None` is `sr / 2`.
    pub fmax: Option<f64>,
    /// The Hz ↔ mel formula.
    pub scale: MelScale,
    /// Filter normalisation.
    pub norm: MelNorm,
}

impl Default for MelConfig {
    fn default() -> Self {
        Self {
            n_mels: 128,
            fmin: 0.0,
            fmax: None,
            scale: MelScale::Slaney,
            norm: MelNorm::Slaney,
        }
    }
}

// Constants of Slaney's scale: 3 filters per 200 Hz up to 1 kHz, then log steps of
// ln(6.4)/27 (librosa.core.convert.hz_to_mel).
const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Converts Hz to mels (`librosa.hz_to_mel`).
///
/// ```
/// use cadena::audio::mel::{hz_to_mel, MelScale};
/// assert!((hz_to_mel(1000.0, MelScale::Slaney) - 15.0).abs() < 1e-12);
/// assert!((hz_to_mel(1000.0, MelScale::Htk) - 999.9855).abs() < 1e-3);
/// ```
pub fn hz_to_mel(hz: f64, scale: MelScale) -> f64 {
    match scale {
        MelScale::Htk => 2595.0 * (1.0 + hz / 700.0).log10(),
        MelScale::Slaney if hz >= MIN_LOG_HZ => MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step(),
        MelScale::Slaney => hz / F_SP,
    }
}

/// Converts mels to Hz (`librosa.mel_to_hz`), the inverse of [`hz_to_mel`].
///
/// ```
/// use cadena::audio::mel::{hz_to_mel, mel_to_hz, MelScale};
/// let hz = mel_to_hz(hz_to_mel(4321.0, MelScale::Slaney), MelScale::Slaney);
/// assert!((hz - 4321.0).abs() < 1e-9);
/// ```
pub fn mel_to_hz(mel: f64, scale: MelScale) -> f64 {
    match scale {
        MelScale::Htk => 700.0 * (10f64.powf(mel / 2595.0) - 1.0),
        MelScale::Slaney if mel >= MIN_LOG_MEL => {
            MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
        }
        MelScale::Slaney => F_SP * mel,
    }
}

/// `n` frequencies evenly spaced in mels from `fmin` to `fmax`, in Hz
/// (`librosa.mel_frequencies`).
pub fn mel_frequencies(n: usize, fmin: f64, fmax: f64, scale: MelScale) -> Vec<f64> {
    let (lo, hi) = (hz_to_mel(fmin, scale), hz_to_mel(fmax, scale));
    // np.linspace: the last point is exactly `hi`, the rest lo + i * step.
    let step = if n > 1 {
        (hi - lo) / (n - 1) as f64
    } else {
        0.0
    };
    (0..n)
        .map(|i| {
            let mel = if i + 1 == n && n > 1 {
                hi
            } else {
                lo + i as f64 * step
            };
            mel_to_hz(mel, scale)
        })
        .collect()
}

fn validate(sr: u32, n_fft: usize, config: &MelConfig) -> Result<f64> {
    let bad = |name, reason: String| Err(Error::InvalidConfig { name, reason });
    if sr == 0 {
        return bad("sr", "sample rate must be positive, got 0".into());
    }
    if n_fft < 2 {
        return bad("n_fft", format!("must be at least 2, got {n_fft}"));
    }
    if config.n_mels == 0 {
        return bad("n_mels", "must be positive, got 0".into());
    }
    let fmax = config.fmax.unwrap_or(f64::from(sr) / 2.0);
    if !(config.fmin >= 0.0 && config.fmin < fmax && fmax.is_finite()) {
        return bad(
            "fmin",
            format!(
                "need 0 <= fmin < fmax, got fmin={} fmax={fmax}",
                config.fmin
            ),
        );
    }
    Ok(fmax)
}

/// The mel filterbank, shape `(n_mels, 1 + n_fft/2)`, as `librosa.filters.mel`.
///
/// Computed in `f64` and rounded to `f32` like librosa (whose default dtype is float32);
/// within 1e-6 of librosa 0.11, elementwise (tests/audio_parity.rs).
///
/// ```text
/// f_i    = mel_frequencies(n_mels + 2, fmin, fmax)
/// w[i,k] = max(0, min((fft_k - f_i) / (f_{i+1} - f_i), (f_{i+2} - fft_k) / (f_{i+2} - f_{i+1})))
/// slaney norm: w[i,:] *= 2 / (f_{i+2} - f_i)
/// ```
///
/// ```
/// use cadena::audio::mel::{mel_filters, MelConfig};
/// let bank = mel_filters(22050, 2048, &MelConfig::default())?;
/// assert_eq!(bank.dim(), (128, 1025));
/// assert!(bank.iter().all(|&w| w >= 0.0));
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidConfig`] for `sr = 0`, `n_fft < 2`, `n_mels = 0`, or unless
/// `0 <= fmin < fmax`.
pub fn mel_filters(sr: u32, n_fft: usize, config: &MelConfig) -> Result<Array2<f32>> {
    let fmax = validate(sr, n_fft, config)?;
    let n_bins = 1 + n_fft / 2;
    // np.fft.rfftfreq(n_fft, 1/sr) == linspace(0, sr/2, n_bins) for even n_fft; librosa
    // uses rfftfreq, which is i * sr / n_fft for every n_fft.
    let fft_freqs: Vec<f64> = (0..n_bins)
        .map(|i| i as f64 * f64::from(sr) / n_fft as f64)
        .collect();
    let f = mel_frequencies(config.n_mels + 2, config.fmin, fmax, config.scale);
    let mut weights = Array2::zeros((config.n_mels, n_bins));
    for i in 0..config.n_mels {
        let (lo_width, hi_width) = (f[i + 1] - f[i], f[i + 2] - f[i + 1]);
        let enorm = match config.norm {
            MelNorm::Slaney => 2.0 / (f[i + 2] - f[i]),
            MelNorm::None => 1.0,
        };
        for (k, &freq) in fft_freqs.iter().enumerate() {
            let lower = (freq - f[i]) / lo_width;
            let upper = (f[i + 2] - freq) / hi_width;
            // librosa stores the triangle as float32 first, then scales it in float64.
            let triangle = lower.min(upper).max(0.0) as f32;
            weights[[i, k]] = (f64::from(triangle) * enorm) as f32;
        }
    }
    Ok(weights)
}

/// One filter of a [`MelBank`]: its weights over the contiguous bins `start..start+len`.
#[derive(Debug, Clone, PartialEq)]
struct Band {
    start: usize,
    weights: Vec<f32>,
}

/// A mel filterbank in sparse band form: each filter stores only the bins where it is
/// non-zero, so projecting a spectrum costs about two multiply-adds per FFT bin instead of
/// `n_mels` per bin.
#[derive(Debug, Clone, PartialEq)]
pub struct MelBank {
    n_bins: usize,
    bands: Vec<Band>,
}

impl MelBank {
    /// Builds the bank `librosa.filters.mel(sr=sr, n_fft=n_fft, ...)` describes.
    ///
    /// # Errors
    /// As [`mel_filters`].
    pub fn new(sr: u32, n_fft: usize, config: &MelConfig) -> Result<Self> {
        Ok(Self::from_dense(&mel_filters(sr, n_fft, config)?))
    }

    /// Compresses a dense `(n_mels, n_bins)` filterbank, keeping each row's non-zero span.
    pub fn from_dense(dense: &Array2<f32>) -> Self {
        let bands = dense
            .rows()
            .into_iter()
            .map(|row| {
                let first = row.iter().position(|&w| w != 0.0);
                let last = row.iter().rposition(|&w| w != 0.0);
                match (first, last) {
                    (Some(a), Some(b)) => Band {
                        start: a,
                        weights: row.iter().skip(a).take(b + 1 - a).copied().collect(),
                    },
                    _ => Band {
                        start: 0,
                        weights: Vec::new(),
                    },
                }
            })
            .collect();
        Self {
            n_bins: dense.ncols(),
            bands,
        }
    }

    /// Number of mel bands.
    pub fn n_mels(&self) -> usize {
        self.bands.len()
    }

    /// Number of FFT bins the bank expects.
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// Projects one spectrum (`n_bins` values) onto the bands, writing `n_mels` values.
    ///
    /// # Panics
    /// If `spectrum` is shorter than [`n_bins`](Self::n_bins) or `out` shorter than
    /// [`n_mels`](Self::n_mels): a programming error, not an input error.
    pub fn apply(&self, spectrum: &[f32], out: &mut [f32]) {
        assert!(spectrum.len() >= self.n_bins && out.len() >= self.bands.len());
        for (o, band) in out.iter_mut().zip(&self.bands) {
            let span = &spectrum[band.start..band.start + band.weights.len()];
            *o = dot(span, &band.weights);
        }
    }
}

/// A dot product in eight independent lanes: a single running float sum cannot be
/// reordered by the compiler, so it would not use SIMD; eight partial sums do.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a_blocks, b_blocks) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a_blocks
        .remainder()
        .iter()
        .zip(b_blocks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_blocks.zip(b_blocks) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// `librosa.feature.melspectrogram(y=y, sr=sr, ...)`: the STFT power spectrogram projected
/// onto the mel filterbank, shape `(n_mels, frames)`.
///
/// ```
/// use cadena::audio::mel::{melspectrogram, MelConfig};
/// let y = vec![0.0f32; 22050];
/// let m = melspectrogram(&y, 22050, &Default::default(), &MelConfig::default())?;
/// assert_eq!(m.dim(), (128, 44));
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// As [`Stft::new`] and [`mel_filters`].
pub fn melspectrogram(
    y: &[f32],
    sr: u32,
    stft: &StftConfig,
    mel: &MelConfig,
) -> Result<Array2<f32>> {
    let mut planned = Stft::new(stft)?;
    let bank = MelBank::new(sr, stft.n_fft, mel)?;
    let mut out = Array2::zeros((bank.n_mels(), stft.n_frames(y.len())?));
    let mut column = vec![0.0; bank.n_mels()];
    planned.for_each_frame(y, |t, power| {
        bank.apply(power, &mut column);
        out.column_mut(t)
            .iter_mut()
            .zip(&column)
            .for_each(|(o, &v)| *o = v);
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_bank_projects_like_the_dense_matrix() {
        let dense = mel_filters(16000, 512, &MelConfig::default()).unwrap();
        let bank = MelBank::from_dense(&dense);
        let spectrum: Vec<f32> = (0..257).map(|k| (k as f32 * 0.37).sin().abs()).collect();
        let mut sparse = vec![0.0; 128];
        bank.apply(&spectrum, &mut sparse);
        let full = dense.dot(&ndarray::Array1::from(spectrum));
        for (a, b) in sparse.iter().zip(&full) {
            assert!((a - b).abs() <= 1e-6 * b.abs().max(1e-3), "{a} vs {b}");
        }
    }

    #[test]
    fn htk_mels_round_trip_through_hz() {
        for hz in [0.0, 50.0, 999.0, 1000.0, 8000.0] {
            let back = mel_to_hz(hz_to_mel(hz, MelScale::Htk), MelScale::Htk);
            assert!((back - hz).abs() < 1e-9 * hz.max(1.0));
        }
    }

    #[test]
    fn fmin_above_fmax_is_rejected() {
        let config = MelConfig {
            fmin: 9000.0,
            ..Default::default()
        };
        assert!(mel_filters(16000, 512, &config).is_err());
    }
}
