//! Bundle adjustment's reprojection residual as ADBench writes it (Srajer, Kukelova and
//! Fitzgibbon, 2018), shared by `examples/bundle_adjustment.rs` and
//! `tests/bundle_adjustment.rs`: Rodrigues' rotation with its branch at zero rotation,
//! projection, radial distortion, weighted residual.

use cadena::prelude::*;

/// Rodrigues' formula rotating `x` about the axis `r` by the angle `|r|`; at zero
/// rotation its first-order form (the cross product), as in the benchmark.
#[differentiable]
pub fn rodrigues(r0: f64, r1: f64, r2: f64, x0: f64, x1: f64, x2: f64) -> (f64, f64, f64) {
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
pub fn reprojection(cam: &[f64; 11], x: &[f64; 3], w: f64, feat: &[f64; 2]) -> (f64, f64) {
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
pub fn rodrigues_rotate(rot: &[f64; 3], x: &[f64; 3]) -> (f64, f64, f64) {
    rodrigues(rot[0], rot[1], rot[2], x[0], x[1], x[2])
}

/// The residual with the rotation called on arrays the caller writes out.
#[differentiable]
pub fn reprojection_arrays(cam: &[f64; 11], x: &[f64; 3], w: f64, feat: &[f64; 2]) -> (f64, f64) {
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
