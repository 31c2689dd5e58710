//! Delta features, `librosa.feature.delta`: a Savitzky–Golay derivative along time.

use ndarray::Array2;

use crate::{Error, Result};

/// Savitzky–Golay weights for the `order`-th derivative at the centre of a window of
/// `width` points, from a least-squares polynomial of degree `order` (as
/// `scipy.signal.savgol_coeffs(width, order, deriv=order)`, applied as a correlation).
fn savgol_weights(width: usize, order: usize) -> Vec<f64> {
    let half = (width / 2) as f64;
    let terms = order + 1;
    // Normal equations (VᵀV) c = e_order for the Vandermonde V of offsets -half..=half.
    let mut a = vec![vec![0.0f64; terms + 1]; terms];
    for (r, row) in a.iter_mut().enumerate() {
        for (c, cell) in row.iter_mut().take(terms).enumerate() {
            *cell = (0..width)
                .map(|i| (i as f64 - half).powi((r + c) as i32))
                .sum();
        }
        row[terms] = if r == order { 1.0 } else { 0.0 };
    }
    for col in 0..terms {
        let pivot = (col..terms)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (x, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    let coef: Vec<f64> = (0..terms).map(|r| a[r][terms] / a[r][r]).collect();
    let factorial: f64 = (1..=order).map(|k| k as f64).product();
    (0..width)
        .map(|i| {
            let x = i as f64 - half;
            factorial
                * coef
                    .iter()
                    .enumerate()
                    .map(|(p, c)| c * x.powi(p as i32))
                    .sum::<f64>()
        })
        .collect()
}

/// `librosa.feature.delta(data, width=width, order=order)` along the last axis (time).
///
/// Interior frames use the Savitzky–Golay derivative filter; the first and last
/// `width / 2` frames take the value of the nearest full window, which is exactly what
/// librosa's `mode="interp"` gives when the polynomial degree equals the derivative order.
/// Within 1e-4 of the largest absolute value of librosa 0.11's result
/// (tests/audio_parity.rs).
///
/// ```
/// use ndarray::Array2;
/// let ramp = Array2::from_shape_fn((1, 12), |(_, t)| (t * t) as f32);
/// let d = cadena::audio::delta::delta(&ramp, 9, 1)?;
/// assert!((d[[0, 6]] - 12.0).abs() < 1e-4); // d/dt t^2 = 2t
/// assert!((d[[0, 0]] - d[[0, 4]]).abs() < 1e-4);
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidConfig`] unless `width` is odd and at least 3, `1 <= order < width`,
/// and there are at least `width` frames (librosa raises the same).
pub fn delta(data: &Array2<f32>, width: usize, order: usize) -> Result<Array2<f32>> {
    if width < 3 || width.is_multiple_of(2) {
        return Err(Error::InvalidConfig {
            name: "width",
            reason: format!("must be an odd integer >= 3, got {width}"),
        });
    }
    if order == 0 || order >= width {
        return Err(Error::InvalidConfig {
            name: "order",
            reason: format!("must be in 1..{width}, got {order}"),
        });
    }
    let frames = data.ncols();
    if frames < width {
        return Err(Error::InvalidConfig {
            name: "width",
            reason: format!("width={width} cannot exceed the number of frames ({frames})"),
        });
    }
    let weights = savgol_weights(width, order);
    let half = width / 2;
    let mut out = Array2::zeros(data.dim());
    for (row, mut out_row) in data.rows().into_iter().zip(out.rows_mut()) {
        for t in half..frames - half {
            let sum: f64 = (0..width)
                .map(|j| f64::from(row[t - half + j]) * weights[j])
                .sum();
            out_row[t] = sum as f32;
        }
        let (first, last) = (out_row[half], out_row[frames - half - 1]);
        for t in 0..half {
            out_row[t] = first;
            out_row[frames - 1 - t] = last;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_order_weights_are_the_regression_slope() {
        let w = savgol_weights(5, 1);
        let expected = [-0.2, -0.1, 0.0, 0.1, 0.2];
        for (a, b) in w.iter().zip(expected) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn second_order_delta_of_a_parabola_is_twice_its_curvature() {
        let data = Array2::from_shape_fn((1, 15), |(_, t)| 3.0 * (t as f32).powi(2));
        let d = delta(&data, 9, 2).unwrap();
        assert!(d.iter().all(|&v| (v - 6.0).abs() < 1e-3));
    }

    #[test]
    fn fewer_frames_than_the_width_is_an_error() {
        assert!(delta(&Array2::zeros((2, 5)), 9, 1).is_err());
    }
}
