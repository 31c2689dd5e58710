//! Fitting a Gaussian mixture by gradient ascent on its log-likelihood: ADBench's GMM
//! objective (`common/gmm_model.rs`, a loop over the components joined by `logsumexp`),
//! differentiated by `#[differentiable]`, stepped by Adam. The data are 600 points drawn
//! around three centres in the plane; the fit starts from three data points far apart and
//! prints the log-likelihood per point as it climbs, then the centres it found.
//!
//! ```text
//! cargo run --release --example gmm -- [--seed S] [--steps N]
//! ```

#[path = "common/gmm_model.rs"]
mod gmm_model;

use cadena::ndarray::{Array1, Array2, Array3, Axis};
use cadena::optim::{Adam, Optimizer};
use gmm_model::{Gmm, log_likelihood};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const CENTRES: [[f64; 2]; 3] = [[-2.0, 0.0], [2.0, 1.0], [0.0, -2.5]];

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// `k` starting centres: a random point, then each time the point farthest from those
/// chosen (a mixture fitted by ascent keeps the basin it starts in).
fn farthest_points(x: &Array2<f64>, k: usize, rng: &mut StdRng) -> Array2<f64> {
    let mut chosen = vec![rng.random_range(0..x.nrows())];
    while chosen.len() < k {
        let distance = |i: usize| {
            chosen
                .iter()
                .map(|&c| (&x.row(i) - &x.row(c)).mapv(|v| v * v).sum())
                .fold(f64::INFINITY, f64::min)
        };
        let next = (0..x.nrows())
            .max_by(|&a, &b| distance(a).total_cmp(&distance(b)))
            .expect("points");
        chosen.push(next);
    }
    x.select(Axis(0), &chosen)
}

fn main() -> Result<(), cadena::Error> {
    let seed = arg("--seed", 1);
    let steps = arg("--steps", 400) as usize;
    let mut rng = StdRng::seed_from_u64(seed);
    let (n, k, d) = (600, CENTRES.len(), 2);
    let x = Array2::from_shape_fn((n, d), |(i, j)| CENTRES[i % k][j] + 0.6 * normal(&mut rng));
    let mut p = Gmm {
        alphas: Array1::zeros(k),
        means: farthest_points(&x, k, &mut rng),
        q: Array2::zeros((k, d)),
        l: Array3::zeros((k, d, d)),
    };
    let mut adam = Adam::new(0.05)?;
    for step in 0..=steps {
        let (ll, g) = log_likelihood::grad(&p, &x, k);
        if step % (steps / 8).max(1) == 0 {
            println!(
                "step {step:4}: log-likelihood per point {:.4}",
                ll / n as f64
            );
        }
        // Ascent: the optimiser descends, so it is handed the negated gradient. The
        // strictly lower part of each L stays lower: its upper gradient is dropped.
        let mut descent = g.p;
        descent.alphas.mapv_inplace(|v| -v);
        descent.means.mapv_inplace(|v| -v);
        descent.q.mapv_inplace(|v| -v);
        for (idx, v) in descent.l.indexed_iter_mut() {
            *v = if idx.2 < idx.1 { -*v } else { 0.0 };
        }
        adam.step(&mut p, &descent)?;
    }
    let mut found: Vec<[f64; 2]> = p.means.axis_iter(Axis(0)).map(|m| [m[0], m[1]]).collect();
    found.sort_by(|a, b| a[0].total_cmp(&b[0]));
    println!("centres found: {found:.2?}");
    println!("centres drawn: {CENTRES:?}");
    Ok(())
}
