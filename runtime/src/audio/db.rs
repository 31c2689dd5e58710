//! Power to decibels, `librosa.power_to_db`.

use ndarray::Array2;

use crate::{Error, Result};

/// `power_to_db` parameters. `Default` is librosa 0.11's: `ref=1.0`, `amin=1e-10`,
/// `top_db=80`.
#[derive(Debug, Clone, PartialEq)]
pub struct DbConfig {
    /// Reference power mapped to 0 dB (librosa's `ref`, as a fixed value).
    pub reference: f32,
    /// Floor applied to powers (and the reference) before the logarithm.
    pub amin: f32,
    /// If set, values are clipped to `max - top_db`, the maximum taken over the whole input.
    pub top_db: Option<f32>,
}

impl Default for DbConfig {
    fn default() -> Self {
        Self {
            reference: 1.0,
            amin: 1e-10,
            top_db: Some(80.0),
        }
    }
}

impl DbConfig {
    /// Checks every parameter is in range.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] unless `amin > 0`, `reference > 0` and `top_db >= 0`.
    pub fn validate(&self) -> Result<()> {
        if self.amin.is_nan() || self.amin <= 0.0 {
            return Err(Error::InvalidConfig {
                name: "amin",
                reason: format!("must be positive, got {}", self.amin),
            });
        }
        if self.reference.is_nan() || self.reference <= 0.0 {
            return Err(Error::InvalidConfig {
                name: "ref",
                reason: format!("must be positive, got {}", self.reference),
            });
        }
        if let Some(top) = self.top_db
            && (top.is_nan() || top < 0.0)
        {
            return Err(Error::InvalidConfig {
                name: "top_db",
                reason: format!("must be non-negative, got {top}"),
            });
        }
        Ok(())
    }
}

/// Converts powers to dB in place.
///
/// ```text
/// db = 10 log10(max(amin, S)) - 10 log10(max(amin, ref))
/// db = max(db, max(db) - top_db)
/// ```
///
/// # Errors
/// As [`DbConfig::validate`].
pub fn power_to_db_in_place(values: &mut [f32], config: &DbConfig) -> Result<()> {
    config.validate()?;
    let offset = 10.0 * config.amin.max(config.reference).log10();
    let mut peak = f32::NEG_INFINITY;
    for v in values.iter_mut() {
        *v = 10.0 * v.max(config.amin).log10() - offset;
        peak = peak.max(*v);
    }
    if let Some(top) = config.top_db {
        let floor = peak - top;
        values.iter_mut().for_each(|v| *v = v.max(floor));
    }
    Ok(())
}

/// `librosa.power_to_db(S)`, the `top_db` clip taken against the global maximum.
///
/// ```
/// use cadena::audio::db::{power_to_db, DbConfig};
/// let s = ndarray::array![[1.0f32, 0.1], [1e-12, 100.0]];
/// let db = power_to_db(&s, &DbConfig::default())?;
/// assert_eq!(db, ndarray::array![[0.0f32, -10.0], [-60.0, 20.0]]);
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// As [`DbConfig::validate`].
pub fn power_to_db(s: &Array2<f32>, config: &DbConfig) -> Result<Array2<f32>> {
    let mut out = s.as_standard_layout().into_owned();
    if let Some(values) = out.as_slice_mut() {
        power_to_db_in_place(values, config)?;
    }
    Ok(out)
}
