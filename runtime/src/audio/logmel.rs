//! Log-mel spectrograms, `librosa.power_to_db(librosa.feature.melspectrogram(y))`, as the
//! (mels × frames) images a convolutional network reads, and the cropping or padding that
//! gives every clip the same number of frames.

use ndarray::{Array2, ArrayView2, s};

use super::db::{DbConfig, power_to_db_in_place};
use super::mel::{MelBank, MelConfig};
use super::stft::{Stft, StftConfig};
use crate::{Error, Result};

/// Log-mel parameters. `Default` is librosa 0.11's `melspectrogram` (2048-point, hop-512
/// power STFT, 128 Slaney bands) followed by `power_to_db` (`ref=1`, `amin=1e-10`,
/// `top_db=80`): the same log-mel the MFCCs start from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogMelConfig {
    /// The STFT.
    pub stft: StftConfig,
    /// The mel filterbank.
    pub mel: MelConfig,
    /// The decibel conversion.
    pub db: DbConfig,
}

impl LogMelConfig {
    /// Mel bands: the rows of every matrix.
    pub fn n_mels(&self) -> usize {
        self.mel.n_mels
    }
}

/// A planned log-mel pipeline for one sample rate: FFT plan, window, sparse mel bank and
/// buffers, reused across clips. One per thread.
#[derive(Debug)]
pub struct LogMelExtractor {
    config: LogMelConfig,
    stft: Stft,
    bank: MelBank,
    buffer: Vec<f32>,
}

impl LogMelExtractor {
    /// Plans the pipeline for clips at `sr` Hz.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for any parameter out of range (see [`StftConfig`],
    /// [`MelConfig`], [`DbConfig`]).
    pub fn new(sr: u32, config: &LogMelConfig) -> Result<Self> {
        config.db.validate()?;
        Ok(Self {
            stft: Stft::new(&config.stft)?,
            bank: MelBank::new(sr, config.stft.n_fft, &config.mel)?,
            buffer: Vec::new(),
            config: config.clone(),
        })
    }

    /// The configuration this extractor was planned for.
    pub fn config(&self) -> &LogMelConfig {
        &self.config
    }

    /// The log-mel spectrogram of `y`, shape `(n_mels, frames)`, in dB.
    ///
    /// # Errors
    /// [`Error::Data`] for an empty clip; otherwise as [`StftConfig::n_frames`].
    pub fn compute(&mut self, y: &[f32]) -> Result<Array2<f32>> {
        if y.is_empty() {
            return Err(Error::Data(
                "cannot compute the log-mel of an empty clip".into(),
            ));
        }
        let n_mels = self.bank.n_mels();
        let frames = self.config.stft.n_frames(y.len())?;
        self.buffer.resize(frames * n_mels, 0.0);
        let (bank, buffer) = (&self.bank, &mut self.buffer);
        self.stft.for_each_frame(y, |t, power| {
            bank.apply(power, &mut buffer[t * n_mels..(t + 1) * n_mels]);
        })?;
        power_to_db_in_place(&mut self.buffer, &self.config.db)?;
        let by_frame = ArrayView2::from_shape((frames, n_mels), &self.buffer[..])
            .map_err(|e| Error::Data(format!("log-mel buffer: {e}")))?;
        Ok(by_frame.t().as_standard_layout().into_owned())
    }
}

/// `librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr, ...))` with the
/// settings of `config`, shape `(n_mels, frames)`. Build a [`LogMelExtractor`] instead for
/// many clips.
///
/// ```
/// use cadena::audio::logmel::{log_mel, LogMelConfig};
/// let y: Vec<f32> = (0..22050).map(|n| (n as f32 * 0.05).sin()).collect();
/// let m = log_mel(&y, 22050, &LogMelConfig::default())?;
/// assert_eq!(m.dim(), (128, 44));
/// // top_db = 80: nothing lies more than 80 dB under the loudest cell.
/// let peak = m.iter().cloned().fold(f32::MIN, f32::max);
/// assert!(m.iter().all(|&v| v >= peak - 80.0));
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// As [`LogMelExtractor::new`] and [`LogMelExtractor::compute`].
pub fn log_mel(y: &[f32], sr: u32, config: &LogMelConfig) -> Result<Array2<f32>> {
    LogMelExtractor::new(sr, config)?.compute(y)
}

/// `m` (bands × frames) with exactly `frames` columns: its first `frames` when it has more,
/// else followed by columns of its own minimum (the clip's silence, as `power_to_db` left
/// it). Drum hits start at the clip's start, so cropping keeps the attack and drops tail.
///
/// ```
/// use cadena::audio::logmel::fit_frames;
/// use cadena::ndarray::array;
/// let m = array![[0.0f32, -10.0, -20.0], [-5.0, -15.0, -30.0]];
/// assert_eq!(fit_frames(m.view(), 2), array![[0.0, -10.0], [-5.0, -15.0]]);
/// assert_eq!(fit_frames(m.view(), 4).column(3).to_vec(), vec![-30.0, -30.0]);
/// ```
pub fn fit_frames(m: ArrayView2<'_, f32>, frames: usize) -> Array2<f32> {
    let floor = m.iter().copied().fold(f32::INFINITY, f32::min);
    let floor = if floor.is_finite() { floor } else { 0.0 };
    let mut out = Array2::from_elem((m.nrows(), frames), floor);
    let kept = frames.min(m.ncols());
    out.slice_mut(s![.., ..kept])
        .assign(&m.slice(s![.., ..kept]));
    out
}

/// The number of frames every clip is cropped or padded to, chosen from the frame counts
/// of the training clips only: the smallest count at least a `share` of them fit in
/// whole (`share = 1` is the longest clip; `0.5` the median).
///
/// ```
/// use cadena::audio::logmel::frames_for;
/// assert_eq!(frames_for(&[24, 24, 30, 12], 1.0)?, 30);
/// assert_eq!(frames_for(&[24, 24, 30, 12], 0.75)?, 24);
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// [`Error::Data`] for no clips; [`Error::InvalidConfig`] unless `0 < share <= 1`.
pub fn frames_for(counts: &[usize], share: f64) -> Result<usize> {
    if !(share > 0.0 && share <= 1.0) {
        return Err(Error::InvalidConfig {
            name: "share",
            reason: format!("must be in (0, 1], got {share}"),
        });
    }
    if counts.is_empty() {
        return Err(Error::Data(
            "cannot choose a frame count from no clips".into(),
        ));
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let needed = ((share * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Ok(sorted[needed - 1].max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::mfcc::{MfccConfig, MfccExtractor};

    #[test]
    fn log_mel_is_the_matrix_the_mfccs_start_from() {
        let y: Vec<f32> = (0..9000)
            .map(|n| ((n * 37) % 101) as f32 / 101.0 - 0.5)
            .collect();
        let ours = log_mel(&y, 16000, &LogMelConfig::default()).unwrap();
        let theirs = MfccExtractor::new(16000, &MfccConfig::default())
            .unwrap()
            .log_mel(&y)
            .unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn an_empty_clip_is_an_error_not_a_panic() {
        assert!(matches!(
            log_mel(&[], 16000, &LogMelConfig::default()),
            Err(Error::Data(_))
        ));
    }

    #[test]
    fn frames_for_rejects_a_share_out_of_range() {
        assert!(frames_for(&[3], 0.0).is_err());
        assert!(frames_for(&[3], 1.5).is_err());
        assert!(frames_for(&[], 0.5).is_err());
    }
}
