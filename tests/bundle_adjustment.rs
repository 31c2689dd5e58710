//! Bundle adjustment's reprojection residual as ADBench writes it (Srajer, Kukelova and
//! Fitzgibbon, 2018): Rodrigues' rotation with its branch at zero rotation, projection,
//! radial distortion, weighted residual; its 2 × 18 Jacobian (`f::jacobian`, one gradient
//! per residual) checked against finite differences.

#[path = "../examples/common/ba_model.rs"]
mod ba_model;

use ba_model::{reprojection, reprojection_arrays};

const CAM: [f64; 11] = [
    0.1, -0.2, 0.3, 0.5, -0.4, -6.0, 2.0, 0.1, -0.05, 0.02, -0.001,
];
const X: [f64; 3] = [0.7, -0.3, 1.5];
const W: f64 = 0.9;
const FEAT: [f64; 2] = [0.2, -0.1];

/// Central differences of both residuals with respect to input `k` (camera 0-10, point
/// 11-13, weight 14).
fn numeric(cam: [f64; 11], x: [f64; 3], w: f64, k: usize) -> [f64; 2] {
    let h = 1e-6;
    let (mut up, mut down) = ((cam, x, w), (cam, x, w));
    match k {
        0..=10 => {
            up.0[k] += h;
            down.0[k] -= h;
        }
        11..=13 => {
            up.1[k - 11] += h;
            down.1[k - 11] -= h;
        }
        _ => {
            up.2 += h;
            down.2 -= h;
        }
    }
    let a = reprojection(&up.0, &up.1, up.2, &FEAT);
    let b = reprojection(&down.0, &down.1, down.2, &FEAT);
    [(a.0 - b.0) / (2.0 * h), (a.1 - b.1) / (2.0 * h)]
}

fn assert_rows_match(cam: [f64; 11], x: [f64; 3], w: f64) {
    let (value, rows) = reprojection::jacobian(&cam, &x, w, &FEAT);
    assert_eq!(value, reprojection(&cam, &x, w, &FEAT));
    for (j, row) in rows.iter().enumerate() {
        let mut analytic = row.cam.to_vec();
        analytic.extend(row.x);
        analytic.push(row.w);
        for (k, a) in analytic.iter().enumerate() {
            let n = &numeric(cam, x, w, k)[j];
            assert!(
                (a - n).abs() <= 1e-6 * (1.0 + n.abs()),
                "d r{j} / d input {k}: {a} vs {n}"
            );
        }
        // The observation enters with weight -w.
        assert_eq!(row.feat[j], -w);
    }
}

#[test]
fn the_reprojection_jacobian_matches_finite_differences() {
    assert_rows_match(CAM, X, W);
}

#[test]
fn at_zero_rotation_the_small_angle_branch_is_taken_and_its_jacobian_is_right() {
    let mut cam = CAM;
    cam[..3].copy_from_slice(&[0.0, 0.0, 0.0]);
    let (value, rows) = reprojection::jacobian(&cam, &X, W, &FEAT);
    assert!(value.0.is_finite() && value.1.is_finite());
    assert!(rows.iter().all(|r| r.cam.iter().all(|g| g.is_finite())));
    // Differences across zero rotation step off the branch point; the rotation's
    // columns there are those of the first-order form, checked at a tiny rotation.
    let mut tiny = cam;
    tiny[0] = 1e-9;
    let (_, near) = reprojection::jacobian(&tiny, &X, W, &FEAT);
    for (a, b) in rows.iter().zip(near.iter()) {
        for k in 3..11 {
            assert!((a.cam[k] - b.cam[k]).abs() < 1e-6, "column {k}");
        }
    }
}

#[test]
fn arrays_written_out_for_a_helper_give_the_same_residual_and_jacobian() {
    let (value, rows) = reprojection::jacobian(&CAM, &X, W, &FEAT);
    let (value2, rows2) = reprojection_arrays::jacobian(&CAM, &X, W, &FEAT);
    assert_eq!(value, value2);
    for (a, b) in rows.iter().zip(rows2.iter()) {
        for k in 0..11 {
            assert!((a.cam[k] - b.cam[k]).abs() < 1e-14, "cam[{k}]");
        }
        for k in 0..3 {
            assert!((a.x[k] - b.x[k]).abs() < 1e-14, "x[{k}]");
        }
    }
}
