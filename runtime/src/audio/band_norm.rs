//! Per-band normalisation of spectrograms: each mel band's mean and spread over every
//! frame of the training clips, so the network sees every band on one scale while the
//! shape of a clip over time and across bands is kept.

use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis};

use crate::{Error, Result};

/// Each band's mean and population standard deviation, in dB, fitted on training
/// spectrograms only and applied to every split.
///
/// ```text
/// mean[b] = mean over clips c and frames t of m_c[b, t]
/// std[b]  = sqrt(mean of (m_c[b, t] - mean[b])²)      (1 where it is 0)
/// x[b, t] = (m[b, t] - mean[b]) / std[b]
/// ```
///
/// ```
/// use cadena::audio::band_norm::BandNormalizer;
/// use cadena::ndarray::array;
///
/// let train = [array![[0.0f32, 2.0], [10.0, 10.0]], array![[4.0f32], [10.0]]];
/// let norm = BandNormalizer::fit(&train)?;
/// assert_eq!(norm.mean.to_vec(), vec![2.0, 10.0]);
/// let mut m = array![[4.0f32, 0.0], [11.0, 10.0]];
/// norm.apply(&mut m.view_mut())?;
/// assert!((m[[0, 0]] - 2.0 / (8.0f32 / 3.0).sqrt()).abs() < 1e-6);
/// assert_eq!(m[[1, 0]], 1.0); // a band with no spread is only centred
/// # Ok::<(), cadena::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BandNormalizer {
    /// Mean of each band, in dB.
    pub mean: Array1<f32>,
    /// Standard deviation of each band, in dB (1 where it was 0).
    pub std: Array1<f32>,
}

impl BandNormalizer {
    /// Learns each band's statistics over every frame of `train` (statistics in `f64`).
    ///
    /// # Errors
    /// [`Error::Data`] when there are no frames, the matrices disagree in bands, or a value
    /// is not finite.
    pub fn fit(train: &[Array2<f32>]) -> Result<Self> {
        let bands = train.first().map_or(0, Array2::nrows);
        let frames: usize = train.iter().map(Array2::ncols).sum();
        if bands == 0 || frames == 0 {
            return Err(Error::Data(
                "cannot fit a band normalisation on no frames".into(),
            ));
        }
        let (mut sum, mut sum_sq) = (vec![0.0f64; bands], vec![0.0f64; bands]);
        for (i, m) in train.iter().enumerate() {
            if m.nrows() != bands {
                return Err(Error::Data(format!(
                    "spectrogram {i} has {} bands, the first has {bands}",
                    m.nrows()
                )));
            }
            if m.iter().any(|v| !v.is_finite()) {
                return Err(Error::Data(format!(
                    "spectrogram {i} has a non-finite value"
                )));
            }
            for (b, row) in m.axis_iter(Axis(0)).enumerate() {
                for &v in row {
                    sum[b] += f64::from(v);
                }
            }
        }
        let n = frames as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        for m in train {
            for (b, row) in m.axis_iter(Axis(0)).enumerate() {
                for &v in row {
                    sum_sq[b] += (f64::from(v) - mean[b]).powi(2);
                }
            }
        }
        let std = sum_sq
            .iter()
            .map(|s| {
                let s = (s / n).sqrt() as f32;
                if s > 0.0 { s } else { 1.0 }
            })
            .collect();
        Ok(Self {
            mean: mean.iter().map(|&m| m as f32).collect(),
            std,
        })
    }

    /// Number of bands.
    pub fn bands(&self) -> usize {
        self.mean.len()
    }

    /// Normalises `m` (bands × frames) in place.
    ///
    /// # Errors
    /// [`Error::Shape`] when `m` has another number of bands.
    pub fn apply(&self, m: &mut ArrayViewMut2<'_, f32>) -> Result<()> {
        self.check(m.view())?;
        for ((mut row, &mean), &std) in m.rows_mut().into_iter().zip(&self.mean).zip(&self.std) {
            row.mapv_inplace(|v| (v - mean) / std);
        }
        Ok(())
    }

    /// Undoes [`apply`](Self::apply): back to dB, in place.
    ///
    /// # Errors
    /// As [`apply`](Self::apply).
    pub fn invert(&self, m: &mut ArrayViewMut2<'_, f32>) -> Result<()> {
        self.check(m.view())?;
        for ((mut row, &mean), &std) in m.rows_mut().into_iter().zip(&self.mean).zip(&self.std) {
            row.mapv_inplace(|v| v * std + mean);
        }
        Ok(())
    }

    fn check(&self, m: ArrayView2<'_, f32>) -> Result<()> {
        if m.nrows() == self.bands() {
            Ok(())
        } else {
            Err(Error::Shape {
                op: "BandNormalizer (bands)",
                left: vec![self.bands()],
                right: vec![m.nrows()],
            })
        }
    }
}
