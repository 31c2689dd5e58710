//! Sample-rate conversion with rubato's synchronous FFT resampler, trimmed to the length
//! librosa gives (`ceil(n * target / source)`).

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

/// Resamples mono `samples` from `from` Hz to `to` Hz.
///
/// The output has exactly `ceil(len * to / from)` samples, as `librosa.resample` returns.
/// The filter differs from librosa's default (soxr "HQ"), so values agree only to within
/// the two filters' passband ripple, not bit for bit.
///
/// # Errors
/// A reason string if rubato rejects the rates.
pub(crate) fn resample(samples: &[f32], from: u32, to: u32) -> Result<Vec<f32>, String> {
    // The FFT resampler's block sizes grow with the rates' reduced ratio; a corrupt header
    // claiming a rate of billions would make it allocate without bound.
    const MAX_RATE: u32 = 768_000;
    if from > MAX_RATE || to > MAX_RATE {
        return Err(format!(
            "cannot resample from {from} Hz to {to} Hz: rates above {MAX_RATE} Hz are not supported"
        ));
    }
    let target_len = (samples.len() as u64 * u64::from(to)).div_ceil(u64::from(from)) as usize;
    if samples.is_empty() {
        return Ok(Vec::new());
    }
    let mut resampler = Fft::<f32>::new(from as usize, to as usize, 1024, 1, FixedSync::Both)
        .map_err(|e| format!("cannot resample from {from} Hz to {to} Hz: {e}"))?;
    let input = InterleavedSlice::new(samples, 1, samples.len())
        .map_err(|e| format!("resampler input: {e}"))?;
    let output = resampler
        .process_all(&input, samples.len(), None)
        .map_err(|e| format!("resampling from {from} Hz to {to} Hz failed: {e}"))?;
    let mut out = output.take_data();
    out.resize(target_len, 0.0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampled_length_matches_librosa_ceiling() {
        let y = vec![0.0f32; 1001];
        assert_eq!(resample(&y, 22050, 16000).unwrap().len(), 727);
    }

    #[test]
    fn a_low_tone_survives_resampling_with_its_amplitude() {
        let sr = 44100.0f32;
        let y: Vec<f32> = (0..44100)
            .map(|n| (2.0 * std::f32::consts::PI * 440.0 * n as f32 / sr).sin() * 0.5)
            .collect();
        let out = resample(&y, 44100, 16000).unwrap();
        let peak = out[2000..14000].iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((peak - 0.5).abs() < 0.01, "peak {peak}");
    }
}
