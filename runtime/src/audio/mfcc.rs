//! Mel-frequency cepstral coefficients, `librosa.feature.mfcc`, with an [`MfccExtractor`]
//! that keeps the FFT plan, window, sparse mel bank and DCT matrix for reuse across clips.

use ndarray::{Array2, ArrayView2};

use super::db::{DbConfig, power_to_db_in_place};
use super::mel::{MelBank, MelConfig};
use super::stft::{Stft, StftConfig};
use crate::{Error, Result};

/// MFCC parameters. `Default` is `librosa.feature.mfcc`'s in librosa 0.11: 20 coefficients,
/// DCT-II with orthonormal scaling, no liftering, over `power_to_db` of a 128-band Slaney
/// mel spectrogram of a 2048-point, hop-512 power STFT.
#[derive(Debug, Clone, PartialEq)]
pub struct MfccConfig {
    /// Number of coefficients kept (rows of the result).
    pub n_mfcc: usize,
    /// The STFT.
    pub stft: StftConfig,
    /// The mel filterbank.
    pub mel: MelConfig,
    /// The decibel conversion.
    pub db: DbConfig,
    /// Sinusoidal liftering `1 + (lifter/2) sin(pi (k+1) / lifter)`; 0 disables it.
    pub lifter: f32,
}

impl Default for MfccConfig {
    fn default() -> Self {
        Self {
            n_mfcc: 20,
            stft: StftConfig::default(),
            mel: MelConfig::default(),
            db: DbConfig::default(),
            lifter: 0.0,
        }
    }
}

/// The orthonormal DCT-II matrix, `(n_out, n_in)`, as `scipy.fft.dct(x, type=2,
/// norm="ortho")[:n_out]`.
///
/// ```text
/// D[k, n] = sqrt(2 / N) cos(pi k (2n + 1) / 2N),  row 0 scaled by 1/sqrt(2)
/// ```
///
/// ```
/// let d = cadena::audio::mfcc::dct_matrix(4, 4);
/// // Orthonormal: D Dᵀ = I.
/// let i = d.dot(&d.t());
/// for r in 0..4 { for c in 0..4 {
///     assert!((i[[r, c]] - if r == c { 1.0 } else { 0.0 }).abs() < 1e-6);
/// } }
/// ```
pub fn dct_matrix(n_out: usize, n_in: usize) -> Array2<f32> {
    let n = n_in as f64;
    Array2::from_shape_fn((n_out, n_in), |(k, i)| {
        let scale = if k == 0 {
            (1.0 / n).sqrt()
        } else {
            (2.0 / n).sqrt()
        };
        let angle = std::f64::consts::PI * k as f64 * (2.0 * i as f64 + 1.0) / (2.0 * n);
        (scale * angle.cos()) as f32
    })
}

/// A planned MFCC pipeline for one sample rate and configuration. Build it once and call
/// [`compute`](Self::compute) for every clip: the FFT plan, window, mel bank, DCT matrix
/// and working buffers are reused. For parallel extraction, give each thread its own.
#[derive(Debug)]
pub struct MfccExtractor {
    config: MfccConfig,
    stft: Stft,
    bank: MelBank,
    dct: Array2<f32>,
    lifter: Vec<f32>,
    mel: Vec<f32>,
}

impl MfccExtractor {
    /// Plans the pipeline for clips at `sr` Hz.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for any parameter out of range, including `n_mfcc = 0` or
    /// `n_mfcc > n_mels`.
    pub fn new(sr: u32, config: &MfccConfig) -> Result<Self> {
        if config.n_mfcc == 0 || config.n_mfcc > config.mel.n_mels {
            return Err(Error::InvalidConfig {
                name: "n_mfcc",
                reason: format!(
                    "must be in 1..={} (n_mels), got {}",
                    config.mel.n_mels, config.n_mfcc
                ),
            });
        }
        if config.lifter.is_nan() || config.lifter < 0.0 {
            return Err(Error::InvalidConfig {
                name: "lifter",
                reason: format!("must be non-negative, got {}", config.lifter),
            });
        }
        config.db.validate()?;
        let lifter = (0..config.n_mfcc)
            .map(|k| {
                if config.lifter > 0.0 {
                    let l = f64::from(config.lifter);
                    (1.0 + l / 2.0 * (std::f64::consts::PI * (k + 1) as f64 / l).sin()) as f32
                } else {
                    1.0
                }
            })
            .collect();
        Ok(Self {
            stft: Stft::new(&config.stft)?,
            bank: MelBank::new(sr, config.stft.n_fft, &config.mel)?,
            dct: dct_matrix(config.n_mfcc, config.mel.n_mels),
            lifter,
            mel: Vec::new(),
            config: config.clone(),
        })
    }

    /// The configuration this extractor was planned for.
    pub fn config(&self) -> &MfccConfig {
        &self.config
    }

    /// The log-mel spectrogram `power_to_db(melspectrogram(y))`, shape `(n_mels, frames)`.
    ///
    /// # Errors
    /// As [`StftConfig::n_frames`].
    pub fn log_mel(&mut self, y: &[f32]) -> Result<Array2<f32>> {
        let frames = self.fill_log_mel(y)?;
        Ok(self.log_mel_view(frames)?.t().to_owned())
    }

    /// The MFCC matrix of `y`, shape `(n_mfcc, frames)`.
    ///
    /// # Errors
    /// As [`StftConfig::n_frames`] (an uncentred STFT of a clip shorter than `n_fft`).
    pub fn compute(&mut self, y: &[f32]) -> Result<Array2<f32>> {
        let frames = self.fill_log_mel(y)?;
        let mut out = self.dct.dot(&self.log_mel_view(frames)?.t());
        if self.config.lifter > 0.0 {
            for (mut row, &l) in out.rows_mut().into_iter().zip(&self.lifter) {
                row *= l;
            }
        }
        Ok(out)
    }

    /// Fills the reused buffer with the log-mel spectrogram, one contiguous row of `n_mels`
    /// per frame, and returns the number of frames.
    fn fill_log_mel(&mut self, y: &[f32]) -> Result<usize> {
        let n_mels = self.bank.n_mels();
        let frames = self.config.stft.n_frames(y.len())?;
        self.mel.resize(frames * n_mels, 0.0);
        let (bank, mel) = (&self.bank, &mut self.mel);
        self.stft.for_each_frame(y, |t, power| {
            bank.apply(power, &mut mel[t * n_mels..(t + 1) * n_mels]);
        })?;
        power_to_db_in_place(&mut self.mel, &self.config.db)?;
        Ok(frames)
    }

    /// The buffer [`fill_log_mel`](Self::fill_log_mel) wrote, as `(frames, n_mels)`.
    fn log_mel_view(&self, frames: usize) -> Result<ArrayView2<'_, f32>> {
        ArrayView2::from_shape((frames, self.bank.n_mels()), &self.mel[..])
            .map_err(|e| Error::Data(format!("log-mel buffer: {e}")))
    }
}

/// `librosa.feature.mfcc(y=y, sr=sr, ...)`, shape `(n_mfcc, frames)`.
///
/// Within 1e-4 of the largest absolute value of librosa 0.11's matrix, for the default and
/// a non-default configuration, on clips at 8–48 kHz including silence, stereo and clips
/// shorter than `n_fft` (tests/audio_parity.rs). Build an [`MfccExtractor`] instead when
/// processing many clips.
///
/// ```
/// use cadena::audio::mfcc::{mfcc, MfccConfig};
/// let y: Vec<f32> = (0..22050).map(|n| (n as f32 * 0.05).sin()).collect();
/// let m = mfcc(&y, 22050, &MfccConfig::default())?;
/// assert_eq!(m.dim(), (20, 44));
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidConfig`] for parameters out of range, or an uncentred STFT of a clip
/// shorter than `n_fft`.
pub fn mfcc(y: &[f32], sr: u32, config: &MfccConfig) -> Result<Array2<f32>> {
    MfccExtractor::new(sr, config)?.compute(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_gives_the_amin_floor_in_every_band() {
        let m = mfcc(&[0.0; 5000], 16000, &MfccConfig::default()).unwrap();
        // -100 dB in all 128 bands; the orthonormal DCT maps a constant c to c * sqrt(N).
        let c0 = -100.0 * 128f32.sqrt();
        let worst = m
            .column(0)
            .iter()
            .skip(1)
            .fold(0.0f32, |w, v| w.max(v.abs()));
        assert!(worst < 1e-5 * c0.abs(), "{worst}");
        assert!((m[[0, 3]] - c0).abs() < 1e-5 * c0.abs(), "{}", m[[0, 3]]);
    }

    #[test]
    fn more_coefficients_than_bands_is_rejected() {
        let config = MfccConfig {
            n_mfcc: 200,
            ..Default::default()
        };
        assert!(MfccExtractor::new(22050, &config).is_err());
    }

    #[test]
    fn one_extractor_gives_the_same_answer_twice() {
        let y: Vec<f32> = (0..9000).map(|n| (n as f32 * 0.01).sin()).collect();
        let mut ex = MfccExtractor::new(22050, &MfccConfig::default()).unwrap();
        let a = ex.compute(&y).unwrap();
        let _ = ex.compute(&y[..3000]).unwrap();
        assert_eq!(a, ex.compute(&y).unwrap());
    }
}
