//! Seeded data augmentation of log-mel spectrograms for training: a random delay, a random
//! gain, SpecAugment's time and frequency masks (Park et al., 2019) and, optionally, noise
//! mixed in at a random signal-to-noise ratio. Each is a change a recording of the same
//! sound could show, so the network learns not to rely on it.

use ndarray::{ArrayViewMut2, s};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::band_norm::BandNormalizer;
use crate::{Error, Result};

/// White noise mixed into a spectrogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseMix {
    /// Share of clips that get noise, in `[0, 1]`.
    pub probability: f32,
    /// The signal-to-noise ratio, drawn uniformly from this range: the noise's level is
    /// this many dB under the clip's loudest cell.
    pub snr_db: (f32, f32),
}

impl Default for NoiseMix {
    fn default() -> Self {
        Self {
            probability: 0.5,
            snr_db: (20.0, 40.0),
        }
    }
}

/// What [`Augmenter`] changes, and by how much. `Default` is a mild set for short
/// percussive clips: a delay of up to 4 frames, ±6 dB of gain, one time mask of up to 4
/// frames, one frequency mask of up to 6 bands, no noise.
#[derive(Debug, Clone, PartialEq)]
pub struct AugmentConfig {
    /// The clip is delayed by `0..=max_delay` frames, its first frames filled with its
    /// quietest value and its last ones dropped. Only delays: a clip starts at its onset,
    /// and moving it earlier would cut the attack.
    pub max_delay: usize,
    /// A gain drawn uniformly from `[-gain_db, gain_db]` is added to every cell.
    pub gain_db: f32,
    /// Number of time masks per clip.
    pub time_masks: usize,
    /// Each time mask covers `0..=max_time_mask` consecutive frames.
    pub max_time_mask: usize,
    /// Number of frequency masks per clip.
    pub freq_masks: usize,
    /// Each frequency mask covers `0..=max_freq_mask` consecutive bands.
    pub max_freq_mask: usize,
    /// Noise mixed in, if any.
    pub noise: Option<NoiseMix>,
}

impl Default for AugmentConfig {
    fn default() -> Self {
        Self {
            max_delay: 4,
            gain_db: 6.0,
            time_masks: 1,
            max_time_mask: 4,
            freq_masks: 1,
            max_freq_mask: 6,
            noise: None,
        }
    }
}

impl AugmentConfig {
    /// Checks every field's range.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a negative or non-finite gain, a noise probability
    /// outside `[0, 1]` or a signal-to-noise range that is not finite and ordered.
    pub fn validate(&self) -> Result<()> {
        if !(self.gain_db.is_finite() && self.gain_db >= 0.0) {
            return Err(Error::InvalidConfig {
                name: "gain_db",
                reason: format!("must be finite and non-negative, got {}", self.gain_db),
            });
        }
        if let Some(noise) = &self.noise {
            if !(0.0..=1.0).contains(&noise.probability) {
                return Err(Error::InvalidConfig {
                    name: "probability",
                    reason: format!("must be in [0, 1], got {}", noise.probability),
                });
            }
            let (lo, hi) = noise.snr_db;
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(Error::InvalidConfig {
                    name: "snr_db",
                    reason: format!("must be finite with low <= high, got ({lo}, {hi})"),
                });
            }
        }
        Ok(())
    }
}

/// Applies an [`AugmentConfig`] to rows of a batch, each row a normalised spectrogram of
/// `bands × frames` cells laid out band after band (as `fit_frames` then
/// [`BandNormalizer::apply`] leave it, flattened). Changes are made in dB: each row is
/// taken back through the normaliser, changed and normalised again. All randomness comes
/// from the generator seeded in [`new`](Self::new), so a run repeats.
///
/// ```
/// use cadena::audio::augment::{AugmentConfig, Augmenter};
/// use cadena::audio::band_norm::BandNormalizer;
/// use cadena::ndarray::Array2;
///
/// let norm = BandNormalizer { mean: vec![-40.0f32; 4].into(), std: vec![10.0f32; 4].into() };
/// let clean = Array2::from_shape_fn((3, 4 * 8), |(i, j)| (i + j % 8) as f32 * 0.1);
/// let run = |seed| {
///     let mut x = clean.clone();
///     let mut a = Augmenter::new(AugmentConfig::default(), (4, 8), norm.clone(), seed)?;
///     a.apply(x.view_mut())?;
///     Ok::<_, cadena::Error>(x)
/// };
/// let (a, b, c) = (run(7)?, run(7)?, run(8)?);
/// assert_eq!(a, b); // seeded: the same changes again
/// assert_ne!(a, c);
/// assert_ne!(a, clean);
/// # Ok::<(), cadena::Error>(())
/// ```
#[derive(Debug)]
pub struct Augmenter {
    config: AugmentConfig,
    bands: usize,
    frames: usize,
    normalizer: BandNormalizer,
    rng: StdRng,
    scratch: Vec<f32>,
}

impl Augmenter {
    /// An augmenter for spectrograms of `(bands, frames)`, normalised by `normalizer`,
    /// drawing from a generator seeded with `seed`.
    ///
    /// # Errors
    /// As [`AugmentConfig::validate`]; [`Error::Shape`] when `normalizer` has another
    /// number of bands.
    pub fn new(
        config: AugmentConfig,
        (bands, frames): (usize, usize),
        normalizer: BandNormalizer,
        seed: u64,
    ) -> Result<Self> {
        config.validate()?;
        if normalizer.bands() != bands {
            return Err(Error::Shape {
                op: "Augmenter::new (bands)",
                left: vec![bands],
                right: vec![normalizer.bands()],
            });
        }
        Ok(Self {
            config,
            bands,
            frames,
            normalizer,
            rng: StdRng::seed_from_u64(seed),
            scratch: Vec::new(),
        })
    }

    /// Augments every row of `x` in place, each with its own random draw.
    ///
    /// # Errors
    /// [`Error::Shape`] when rows are not `bands × frames` long.
    pub fn apply(&mut self, mut x: ArrayViewMut2<'_, f32>) -> Result<()> {
        let cells = self.bands * self.frames;
        if x.ncols() != cells {
            return Err(Error::Shape {
                op: "Augmenter::apply (row length, bands × frames)",
                left: vec![cells],
                right: vec![x.ncols()],
            });
        }
        for mut row in x.rows_mut() {
            self.scratch.clear();
            self.scratch.extend(row.iter());
            let mut m = ArrayViewMut2::from_shape((self.bands, self.frames), &mut self.scratch)
                .expect("checked length");
            self.normalizer.invert(&mut m)?;
            augment_db(&self.config, &self.normalizer, &mut m, &mut self.rng);
            self.normalizer.apply(&mut m)?;
            row.iter_mut().zip(&self.scratch).for_each(|(d, &s)| *d = s);
        }
        Ok(())
    }
}

/// One spectrogram's changes, in dB.
fn augment_db(
    config: &AugmentConfig,
    norm: &BandNormalizer,
    m: &mut ArrayViewMut2<'_, f32>,
    rng: &mut StdRng,
) {
    let (bands, frames) = m.dim();
    let floor = m.iter().copied().fold(f32::INFINITY, f32::min);
    let delay = rng.random_range(0..=config.max_delay.min(frames));
    if delay > 0 {
        for t in (delay..frames).rev() {
            let earlier = m.column(t - delay).to_owned();
            m.column_mut(t).assign(&earlier);
        }
        m.slice_mut(s![.., ..delay]).fill(floor);
    }
    if config.gain_db > 0.0 {
        let gain = rng.random_range(-config.gain_db..=config.gain_db);
        m.mapv_inplace(|v| v + gain);
    }
    if let Some(noise) = config.noise
        && rng.random::<f32>() < noise.probability
    {
        let peak = m.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let (lo, hi) = noise.snr_db;
        let level = peak - rng.random_range(lo..=hi);
        for v in m.iter_mut() {
            // White noise has about the same power in every Slaney-normalised band; each
            // cell's estimate of it varies by a few dB.
            let n = level + rng.random_range(-3.0f32..=3.0);
            let sum = 10f32.powf(*v / 10.0) + 10f32.powf(n / 10.0);
            *v = 10.0 * sum.log10();
        }
    }
    // Masked cells take their band's mean: zero once normalised, as in SpecAugment.
    for _ in 0..config.time_masks {
        let width = rng.random_range(0..=config.max_time_mask.min(frames));
        let start = rng.random_range(0..=frames - width);
        for (b, mut row) in m.rows_mut().into_iter().enumerate() {
            row.slice_mut(s![start..start + width]).fill(norm.mean[b]);
        }
    }
    for _ in 0..config.freq_masks {
        let width = rng.random_range(0..=config.max_freq_mask.min(bands));
        let start = rng.random_range(0..=bands - width);
        for b in start..start + width {
            m.row_mut(b).fill(norm.mean[b]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn norm(bands: usize) -> BandNormalizer {
        BandNormalizer {
            mean: vec![-30.0; bands].into(),
            std: vec![5.0; bands].into(),
        }
    }

    fn only(config: AugmentConfig) -> AugmentConfig {
        AugmentConfig {
            max_delay: 0,
            gain_db: 0.0,
            time_masks: 0,
            freq_masks: 0,
            noise: None,
            ..config
        }
    }

    #[test]
    fn nothing_on_changes_nothing() {
        let x = Array2::from_shape_fn((2, 12), |(i, j)| (i * 12 + j) as f32 * 0.25 - 1.0);
        let mut y = x.clone();
        let mut a = Augmenter::new(only(AugmentConfig::default()), (3, 4), norm(3), 1).unwrap();
        a.apply(y.view_mut()).unwrap();
        for (p, q) in x.iter().zip(&y) {
            assert!((p - q).abs() < 1e-5);
        }
    }

    #[test]
    fn a_delay_moves_frames_later_and_fills_with_the_floor() {
        let config = AugmentConfig {
            max_delay: 2,
            ..only(AugmentConfig::default())
        };
        let mut a = Augmenter::new(config, (1, 6), norm(1), 3).unwrap();
        for _ in 0..10 {
            let mut x =
                Array2::from_shape_vec((1, 6), vec![3.0, 2.0, 1.0, 0.0, -1.0, -2.0]).unwrap();
            a.apply(x.view_mut()).unwrap();
            let d = x.iter().position(|&v| (v - 3.0).abs() < 1e-5).unwrap();
            assert!(d <= 2);
            assert!(x.iter().take(d).all(|&v| (v + 2.0).abs() < 1e-5), "{x}");
        }
    }

    #[test]
    fn masks_set_cells_to_the_band_mean() {
        let config = AugmentConfig {
            freq_masks: 1,
            max_freq_mask: 8,
            ..only(AugmentConfig::default())
        };
        let mut a = Augmenter::new(config, (8, 5), norm(8), 11).unwrap();
        let mut x = Array2::from_elem((20, 40), 2.0f32);
        a.apply(x.view_mut()).unwrap();
        assert!(x.iter().all(|&v| v.abs() < 1e-5 || (v - 2.0).abs() < 1e-5));
        assert!(x.iter().any(|&v| v.abs() < 1e-5));
    }

    #[test]
    fn noise_never_makes_a_cell_quieter() {
        let config = AugmentConfig {
            noise: Some(NoiseMix {
                probability: 1.0,
                snr_db: (10.0, 10.0),
            }),
            ..only(AugmentConfig::default())
        };
        let mut a = Augmenter::new(config, (2, 3), norm(2), 5).unwrap();
        let x = Array2::from_shape_fn((4, 6), |(i, j)| -(i as f32) - j as f32);
        let mut y = x.clone();
        a.apply(y.view_mut()).unwrap();
        assert!(x.iter().zip(&y).all(|(p, q)| q >= p));
        assert!(x.iter().zip(&y).any(|(p, q)| q > p));
    }

    #[test]
    fn bad_settings_and_shapes_are_errors() {
        let bad_gain = AugmentConfig {
            gain_db: -1.0,
            ..AugmentConfig::default()
        };
        assert!(Augmenter::new(bad_gain, (2, 3), norm(2), 0).is_err());
        assert!(Augmenter::new(AugmentConfig::default(), (3, 3), norm(2), 0).is_err());
        let mut a = Augmenter::new(AugmentConfig::default(), (2, 3), norm(2), 0).unwrap();
        assert!(a.apply(Array2::zeros((1, 5)).view_mut()).is_err());
    }
}
