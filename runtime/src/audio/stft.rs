//! Short-time Fourier transform power spectrograms, as `librosa.stft` frames and windows
//! them, with the FFT plan, window and buffers kept in an [`Stft`] for reuse.

use std::sync::Arc;

use ndarray::Array2;
use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use crate::{Error, Result};

/// STFT parameters. `Default` is what `librosa.feature.melspectrogram` and
/// `librosa.feature.mfcc` use in librosa 0.11: `n_fft=2048`, `hop_length=512`,
/// `win_length=n_fft`, periodic Hann window, `center=True` with zero padding
/// (`pad_mode="constant"`), `power=2`.
///
/// Those feature functions fix `hop_length=512` whatever `n_fft` is; `librosa.stft` on its
/// own defaults to `win_length // 4` instead, which `hop_length: None` selects.
#[derive(Debug, Clone, PartialEq)]
pub struct StftConfig {
    /// FFT length in samples.
    pub n_fft: usize,
    /// Samples between frame starts; `None` is `win_length / 4`, as in `librosa.stft`.
    pub hop_length: Option<usize>,
    /// Hann window length, zero-padded to `n_fft` on both sides; `None` is `n_fft`.
    pub win_length: Option<usize>,
    /// Pad `n_fft / 2` zeros on each side so frame `t` is centred on sample `t * hop`.
    pub center: bool,
    /// Exponent applied to the magnitude: 2 gives power, 1 gives magnitude.
    pub power: f32,
}

impl Default for StftConfig {
    fn default() -> Self {
        Self {
            n_fft: 2048,
            hop_length: Some(512),
            win_length: None,
            center: true,
            power: 2.0,
        }
    }
}

impl StftConfig {
    /// The window length in effect.
    pub fn win(&self) -> usize {
        self.win_length.unwrap_or(self.n_fft)
    }

    /// The hop length in effect.
    ///
    /// ```
    /// let config = cadena::audio::stft::StftConfig::default();
    /// assert_eq!(config.hop(), 512);
    /// ```
    pub fn hop(&self) -> usize {
        self.hop_length.unwrap_or(self.win() / 4)
    }

    /// Frequency bins per frame: `1 + n_fft / 2`.
    pub fn n_bins(&self) -> usize {
        1 + self.n_fft / 2
    }

    /// Frames produced for a signal of `len` samples.
    ///
    /// ```
    /// let config = cadena::audio::stft::StftConfig::default();
    /// assert_eq!(config.n_frames(22050)?, 44);
    /// assert_eq!(config.n_frames(0)?, 1);
    /// # Ok::<(), cadena::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if the configuration is invalid, or if `center` is off and
    /// the signal is shorter than `n_fft` (librosa raises the same).
    pub fn n_frames(&self, len: usize) -> Result<usize> {
        self.validate()?;
        let padded = if self.center {
            len + 2 * (self.n_fft / 2)
        } else {
            len
        };
        if padded < self.n_fft {
            return Err(Error::InvalidConfig {
                name: "n_fft",
                reason: format!(
                    "n_fft={} is longer than the signal ({len} samples) and center is off",
                    self.n_fft
                ),
            });
        }
        Ok(1 + (padded - self.n_fft) / self.hop())
    }

    /// Checks every parameter is in range.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the first parameter out of range.
    pub fn validate(&self) -> Result<()> {
        let bad = |name, reason: String| Err(Error::InvalidConfig { name, reason });
        if self.n_fft < 2 {
            return bad("n_fft", format!("must be at least 2, got {}", self.n_fft));
        }
        if self.win() == 0 || self.win() > self.n_fft {
            return bad(
                "win_length",
                format!("must be in 1..={}, got {}", self.n_fft, self.win()),
            );
        }
        if self.hop() == 0 {
            return bad("hop_length", "must be positive, got 0".into());
        }
        if !(self.power > 0.0 && self.power.is_finite()) {
            return bad("power", format!("must be positive, got {}", self.power));
        }
        Ok(())
    }
}

/// The periodic Hann window of `win_length` samples, centred in `n_fft` zeros, as
/// `librosa.filters.get_window("hann", win_length, fftbins=True)` padded by
/// `librosa.util.pad_center`.
///
/// ```text
/// w[n] = 0.5 - 0.5 cos(2 pi n / win_length),  n = 0 .. win_length-1
/// ```
///
/// ```
/// let w = cadena::audio::stft::hann_window(4, 4);
/// assert_eq!(w, vec![0.0, 0.5, 1.0, 0.5]);
/// ```
pub fn hann_window(win_length: usize, n_fft: usize) -> Vec<f32> {
    let mut window = vec![0.0f32; n_fft.max(win_length)];
    let offset = (window.len() - win_length) / 2;
    for n in 0..win_length {
        let phase = 2.0 * std::f64::consts::PI * n as f64 / win_length as f64;
        window[offset + n] = (0.5 - 0.5 * phase.cos()) as f32;
    }
    window
}

/// A planned STFT: FFT plan, window and scratch buffers, reused across frames and clips.
/// One per thread; planning is done once in [`Stft::new`].
pub struct Stft {
    config: StftConfig,
    hop: usize,
    window: Vec<f32>,
    fft: Arc<dyn RealToComplex<f32>>,
    frame: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    power: Vec<f32>,
}

impl std::fmt::Debug for Stft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stft")
            .field("config", &self.config)
            .finish()
    }
}

impl Stft {
    /// Plans the FFT and builds the window.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if `config` does not [validate](StftConfig::validate).
    pub fn new(config: &StftConfig) -> Result<Self> {
        config.validate()?;
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(config.n_fft);
        Ok(Self {
            hop: config.hop(),
            window: hann_window(config.win(), config.n_fft),
            frame: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            power: vec![0.0; config.n_bins()],
            fft,
            config: config.clone(),
        })
    }

    /// The configuration this STFT was planned for.
    pub fn config(&self) -> &StftConfig {
        &self.config
    }

    /// Calls `f(frame_index, spectrum)` with `|X|^power` of each frame in turn, in a buffer
    /// reused between frames.
    ///
    /// # Errors
    /// As [`StftConfig::n_frames`].
    pub fn for_each_frame(&mut self, y: &[f32], mut f: impl FnMut(usize, &[f32])) -> Result<()> {
        let n_frames = self.config.n_frames(y.len())?;
        let n_fft = self.config.n_fft;
        let pad = if self.config.center { n_fft / 2 } else { 0 };
        for t in 0..n_frames {
            // Sample index (in the unpadded signal) of the frame's first sample.
            let start = (t * self.hop) as isize - pad as isize;
            if start >= 0 && start as usize + n_fft <= y.len() {
                let src = &y[start as usize..start as usize + n_fft];
                for ((dst, &s), &w) in self.frame.iter_mut().zip(src).zip(&self.window) {
                    *dst = s * w;
                }
            } else {
                for (i, (dst, &w)) in self.frame.iter_mut().zip(&self.window).enumerate() {
                    let k = start + i as isize;
                    *dst = if k >= 0 && (k as usize) < y.len() {
                        y[k as usize] * w
                    } else {
                        0.0
                    };
                }
            }
            self.fft
                .process_with_scratch(&mut self.frame, &mut self.spectrum, &mut self.scratch)
                .map_err(|e| Error::Data(format!("fft failed: {e}")))?;
            let bins = self.power.iter_mut().zip(&self.spectrum);
            // The exponent is chosen outside the loop so the common cases vectorise.
            match self.config.power {
                2.0 => bins.for_each(|(p, c)| *p = c.re * c.re + c.im * c.im),
                1.0 => bins.for_each(|(p, c)| *p = (c.re * c.re + c.im * c.im).sqrt()),
                power => bins.for_each(|(p, c)| *p = (c.re * c.re + c.im * c.im).powf(power / 2.0)),
            }
            f(t, &self.power);
        }
        Ok(())
    }

    /// The spectrogram `|stft(y)|^power`, shape `(1 + n_fft/2, frames)` as librosa.
    ///
    /// # Errors
    /// As [`StftConfig::n_frames`].
    pub fn spectrogram(&mut self, y: &[f32]) -> Result<Array2<f32>> {
        let mut out = Array2::zeros((self.config.n_bins(), self.config.n_frames(y.len())?));
        self.for_each_frame(y, |t, power| {
            out.column_mut(t)
                .iter_mut()
                .zip(power)
                .for_each(|(o, &p)| *o = p);
        })?;
        Ok(out)
    }
}

/// `np.abs(librosa.stft(y, ...)) ** power`, shape `(1 + n_fft/2, frames)`.
///
/// Within 1e-5 of the largest value of librosa 0.11's result (tests/audio_parity.rs).
///
/// ```
/// use cadena::audio::stft::{spectrogram, StftConfig};
/// let y = vec![1.0f32; 4096];
/// let s = spectrogram(&y, &StftConfig::default())?;
/// assert_eq!(s.dim(), (1025, 9));
/// // A constant signal puts all of an interior frame's energy in bin 0: (sum of window)^2.
/// assert!((s[[0, 4]] - 1024.0f32.powi(2)).abs() < 1.0);
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// As [`StftConfig::n_frames`].
pub fn spectrogram(y: &[f32], config: &StftConfig) -> Result<Array2<f32>> {
    Stft::new(config)?.spectrogram(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slow, obviously correct oracle: a direct DFT of each padded, windowed frame.
    fn naive_power(y: &[f32], config: &StftConfig) -> Array2<f64> {
        let n_fft = config.n_fft;
        let pad = if config.center { n_fft / 2 } else { 0 };
        let mut padded = vec![0.0f64; pad];
        padded.extend(y.iter().map(|&v| f64::from(v)));
        padded.extend(std::iter::repeat_n(0.0, pad));
        let window = hann_window(config.win(), n_fft);
        let frames = 1 + (padded.len() - n_fft) / config.hop();
        let mut out = Array2::zeros((config.n_bins(), frames));
        for t in 0..frames {
            for k in 0..config.n_bins() {
                let (mut re, mut im) = (0.0, 0.0);
                for n in 0..n_fft {
                    let x = padded[t * config.hop() + n] * f64::from(window[n]);
                    let angle = -2.0 * std::f64::consts::PI * (k * n) as f64 / n_fft as f64;
                    re += x * angle.cos();
                    im += x * angle.sin();
                }
                out[[k, t]] = re * re + im * im;
            }
        }
        out
    }

    #[test]
    fn fast_stft_matches_a_direct_dft() {
        let y: Vec<f32> = (0..700)
            .map(|n| ((n * 7919) % 101) as f32 / 50.0 - 1.0)
            .collect();
        for config in [
            StftConfig {
                n_fft: 64,
                hop_length: None,
                ..Default::default()
            },
            StftConfig {
                n_fft: 60,
                hop_length: Some(25),
                win_length: Some(41),
                center: false,
                power: 2.0,
            },
        ] {
            let fast = spectrogram(&y, &config).unwrap();
            let slow = naive_power(&y, &config);
            assert_eq!(fast.dim(), slow.dim());
            let peak = slow.iter().fold(0.0f64, |m, &v| m.max(v));
            for (a, b) in fast.iter().zip(&slow) {
                assert!((f64::from(*a) - b).abs() < 1e-5 * peak, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn periodic_hann_is_zero_only_at_its_first_sample() {
        let w = hann_window(8, 8);
        assert_eq!(w[0], 0.0);
        assert!(w[1..].iter().all(|&v| v > 0.0));
        assert_eq!(w[4], 1.0);
    }

    #[test]
    fn short_window_is_centred_in_the_fft_frame() {
        let w = hann_window(4, 8);
        assert_eq!(w, vec![0.0, 0.0, 0.0, 0.5, 1.0, 0.5, 0.0, 0.0]);
    }

    #[test]
    fn zero_hop_is_rejected() {
        let config = StftConfig {
            hop_length: Some(0),
            ..Default::default()
        };
        assert!(Stft::new(&config).is_err());
    }

    #[test]
    fn uncentred_stft_of_a_short_signal_is_an_error() {
        let config = StftConfig {
            center: false,
            ..Default::default()
        };
        assert!(spectrogram(&[0.0; 100], &config).is_err());
    }
}
