//! Bundle adjustment's reprojection residual as ADBench writes it (Srajer, Kukelova and
//! Fitzgibbon, 2018): Rodrigues' rotation with its branch at zero rotation, projection,
//! radial distortion, weighted residual; its 2 × 18 Jacobian (`f::jacobian`, one gradient
//! per residual) checked against finite differences.

use cadena::prelude::*;

/// Rodrigues' formula rotating `x` about the axis `r` by the angle `|r|`; at zero
/// rotation its first-order form (the cross product), as in the benchmark.
#[differentiable]
fn rodrigues(r0: f64, r1: f64, r2: f64, x0: f64, x1: f64, x2: f64) -> (f64, f64, f64) {
    let theta2 = r0 * r0 + r1 * r1 + r2 * r2;
    if theta2 != 0.0 {
        let theta = theta2.sqrt();
        let (c, s) = (theta.cos(), theta.sin());
        let (w0, w1, w2) = (r0 / theta, r1 / theta, r2 / theta);
        let (c0, c1, c2) = (w1 * x2 - w2 * x1, w2 * x0 - w0 * x2, w0 * x1 - w1 * x0);
        let tmp = (w0 * x0 + w1 * x1 + w2 * x2) * (1.0 - c);
        (
            x0 * c + c0 * s + w0 * tmp,
            x1 * c + c1 * s + w1 * tmp,
            x2 * c + c2 * s + w2 * tmp,
        )
    } else {
        (
            x0 + (r1 * x2 - r2 * x1),
            x1 + (r2 * x0 - r0 * x2),
            x2 + (r0 * x1 - r1 * x0),
        )
    }
}

/// The weighted reprojection error of point `x` seen at `feat` by camera `cam`
/// (rotation 0-2, centre 3-5, focal length 6, principal point 7-8, radial distortion
/// 9-10), as in ADBench's `computeReprojError`.
#[differentiable]
fn reprojection(cam: &[f64; 11], x: &[f64; 3], w: f64, feat: &[f64; 2]) -> (f64, f64) {
    let (p0, p1, p2) = rodrigues(
        cam[0],
        cam[1],
        cam[2],
        x[0] - cam[3],
        x[1] - cam[4],
        x[2] - cam[5],
    );
    let (u, v) = (p0 / p2, p1 / p2);
    let rsq = u * u + v * v;
    let distortion = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
    (
        w * (cam[7] + cam[6] * u * distortion - feat[0]),
        w * (cam[8] + cam[6] * v * distortion - feat[1]),
    )
}

/// Rodrigues' rotation as ADBench's C++ writes it, on arrays of three.
#[differentiable]
fn rodrigues_rotate(rot: &[f64; 3], x: &[f64; 3]) -> (f64, f64, f64) {
    rodrigues(rot[0], rot[1], rot[2], x[0], x[1], x[2])
}

/// The residual with the rotation called on arrays the caller writes out.
#[differentiable]
fn reprojection_arrays(cam: &[f64; 11], x: &[f64; 3], w: f64, feat: &[f64; 2]) -> (f64, f64) {
    let (p0, p1, p2) = rodrigues_rotate(
        &[cam[0], cam[1], cam[2]],
        &[x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]],
    );
    let (u, v) = (p0 / p2, p1 / p2);
    let rsq = u * u + v * v;
    let distortion = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
    (
        w * (cam[7] + cam[6] * u * distortion - feat[0]),
        w * (cam[8] + cam[6] * v * distortion - feat[1]),
    )
}

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
