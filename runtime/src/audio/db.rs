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
    if config.amin >= f32::MIN_POSITIVE {
        for v in values.iter_mut() {
            *v = DB_PER_NEPER * ln_normal(v.max(config.amin)) - offset;
        }
    } else {
        for v in values.iter_mut() {
            *v = 10.0 * v.max(config.amin).log10() - offset;
        }
    }
    for &v in values.iter() {
        peak = peak.max(v);
    }
    if let Some(top) = config.top_db {
        let floor = peak - top;
        values.iter_mut().for_each(|v| *v = v.max(floor));
    }
    Ok(())
}

/// `10 / ln(10)`: decibels per neper of power.
const DB_PER_NEPER: f32 = 10.0 * std::f32::consts::LOG10_E;

/// Natural logarithm of a positive, normal, finite `f32`, within a few ulp of `f32::ln`.
///
/// The MFCC pipeline takes one logarithm per mel band per frame, and the libm call costs
/// as much as the mel projection and DCT together; this form has no calls or branches,
/// so the loop over a spectrogram vectorises.
///
/// ```text
/// x = m 2^e with m in [sqrt(1/2), sqrt(2));  t = (m - 1) / (m + 1),  |t| <= 0.172
/// ln x = e ln 2 + 2 (t + t^3/3 + t^5/5 + t^7/7 + t^9/9)   (next term < 4e-10)
/// ```
#[inline]
fn ln_normal(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let high = m > std::f32::consts::SQRT_2;
    m = if high { m * 0.5 } else { m };
    exponent += i32::from(high);
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let series =
        t * (2.0 + t2 * (2.0 / 3.0 + t2 * (2.0 / 5.0 + t2 * (2.0 / 7.0 + t2 * (2.0 / 9.0)))));
    exponent as f32 * std::f32::consts::LN_2 + series
}

/// `librosa.power_to_db(S)`, the `top_db` clip taken against the global maximum.
///
/// ```
/// use cadena::audio::db::{power_to_db, DbConfig};
/// let s = ndarray::array![[1.0f32, 0.1], [1e-12, 100.0]];
/// let db = power_to_db(&s, &DbConfig::default())?;
/// let expected = [0.0f32, -10.0, -60.0, 20.0];
/// assert!(db.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-4), "{db}");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_log_agrees_with_the_library_log_across_the_range() {
        let mut x = 1e-10f32;
        while x < 1e10 {
            let (fast, exact) = (ln_normal(x), f64::from(x).ln());
            assert!(
                (f64::from(fast) - exact).abs() < 2e-7 * exact.abs().max(1.0),
                "{x}"
            );
            x *= 1.0137;
        }
    }
}
