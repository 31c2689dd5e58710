//! Refining a camera by Gauss-Newton on reprojection errors: ADBench's bundle-adjustment
//! residual (`common/ba_model.rs`, Rodrigues' rotation with its branch at zero, radial
//! distortion), its Jacobian from `reprojection::jacobian` (one gradient per residual, all
//! from one forward pass). A camera is drawn, 40 points are seen through it, the camera is
//! perturbed, and Gauss-Newton steps on its 11 parameters bring the reprojection error
//! back to zero. Prints the error per step and the camera found against the one drawn.
//!
//! ```text
//! cargo run --release --example bundle_adjustment -- [--seed S]
//! ```

#[path = "common/ba_model.rs"]
mod ba_model;

use ba_model::reprojection;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

fn seed() -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// `a x = b` for a small dense system, by Gaussian elimination with partial pivoting (11
/// unknowns: no linear-algebra crate needed for it).
// Dense linear algebra reads clearest by index.
#[allow(clippy::needless_range_loop)]
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .expect("rows");
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            for k in col..n {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x
}

#[allow(clippy::needless_range_loop)]
fn main() {
    let mut rng = StdRng::seed_from_u64(seed());
    // Rotation 0-2, centre 3-5, focal length 6, principal point 7-8, distortion 9-10.
    let truth = [
        0.2, -0.1, 0.15, 0.3, -0.2, -8.0, 1.5, 0.05, -0.02, 0.01, -0.002,
    ];
    let points: Vec<[f64; 3]> = (0..40)
        .map(|_| {
            let mut p = [0.0; 3];
            for v in &mut p {
                *v = rng.random_range(-1.0..1.0);
            }
            p
        })
        .collect();
    let seen: Vec<[f64; 2]> = points
        .iter()
        .map(|x| {
            let (u, v) = reprojection(&truth, x, 1.0, &[0.0, 0.0]);
            [u, v]
        })
        .collect();
    let mut cam = truth;
    for (k, v) in cam.iter_mut().enumerate().take(7) {
        *v += if k == 6 { 0.1 } else { 0.05 } * rng.random_range(-1.0..1.0);
    }
    for step in 0..8 {
        // Normal equations JᵀJ δ = -Jᵀr over every point's two residuals, damped a little.
        let mut jtj = vec![vec![0.0; 11]; 11];
        let mut jtr = [0.0; 11];
        let mut error = 0.0;
        for (x, feat) in points.iter().zip(&seen) {
            let ((r0, r1), rows) = reprojection::jacobian(&cam, x, 1.0, feat);
            error += r0 * r0 + r1 * r1;
            for (r, row) in [r0, r1].iter().zip(rows.iter()) {
                for i in 0..11 {
                    jtr[i] += row.cam[i] * r;
                    for j in 0..11 {
                        jtj[i][j] += row.cam[i] * row.cam[j];
                    }
                }
            }
        }
        println!("step {step}: squared reprojection error {error:.3e}");
        for (i, row) in jtj.iter_mut().enumerate() {
            row[i] *= 1.0 + 1e-6;
        }
        let delta = solve(jtj, jtr.iter().map(|v| -v).collect());
        for (c, d) in cam.iter_mut().zip(&delta) {
            *c += d;
        }
    }
    let largest = cam
        .iter()
        .zip(&truth)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    println!("camera found: {cam:.4?}");
    println!("camera drawn: {truth:?}");
    println!("largest parameter error: {largest:.2e}");
}
