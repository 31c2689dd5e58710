//! A Gaussian mixture's log-likelihood as ADBench writes it (Srajer, Kukelova and
//! Fitzgibbon, 2018): per component, the points' log-density under a precision matrix
//! `Q = diag(exp(q)) + L` (`L` strictly lower triangular), the components joined with
//! `logsumexp`, minus the mixture weights' normaliser. A loop over the components pushes
//! one column of log-densities per component; checked against finite differences.

mod common;

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::Array2;
use common::Rng;

#[path = "../examples/common/gmm_model.rs"]
mod gmm_model;

use gmm_model::{Gmm, log_likelihood};

/// The same, computed point by point with plain loops.
fn reference(p: &Gmm, x: &Array2<f64>) -> f64 {
    let (k, d) = p.means.dim();
    let lse = |v: &[f64]| {
        let m = v.iter().cloned().fold(f64::MIN, f64::max);
        m + v.iter().map(|a| (a - m).exp()).sum::<f64>().ln()
    };
    let mut total = 0.0;
    for point in x.outer_iter() {
        let mut terms = Vec::new();
        for j in 0..k {
            let mut sq = 0.0;
            for r in 0..d {
                let mut qx = p.q[[j, r]].exp() * (point[r] - p.means[[j, r]]);
                for c in 0..d {
                    qx += p.l[[j, r, c]] * (point[c] - p.means[[j, c]]);
                }
                sq += qx * qx;
            }
            terms.push(p.alphas[j] + p.q.row(j).sum() - 0.5 * sq);
        }
        total += lse(&terms);
    }
    total - x.nrows() as f64 * lse(p.alphas.as_slice().unwrap())
}

fn setup() -> (Gmm, Array2<f64>) {
    let mut r = Rng(5);
    let (n, k, d) = (7, 3, 4);
    let mut l = r.array((k, d, d));
    for j in 0..k {
        for row in 0..d {
            for col in row..d {
                l[[j, row, col]] = 0.0;
            }
        }
    }
    let p = Gmm {
        alphas: r.array(k),
        means: r.array((k, d)),
        q: r.array((k, d)) * 0.5,
        l,
    };
    (p, r.array((n, d)) * 2.0)
}

#[test]
fn the_mixture_log_likelihood_is_the_point_by_point_one() {
    let (p, x) = setup();
    let got = log_likelihood(&p, &x, 3);
    let want = reference(&p, &x);
    assert!(
        (got - want).abs() < 1e-10 * want.abs().max(1.0),
        "{got} vs {want}"
    );
}

#[test]
fn the_mixture_gradient_matches_finite_differences() {
    let (p, x) = setup();
    let (value, g) = log_likelihood::grad(&p, &x, 3);
    assert!((value - log_likelihood(&p, &x, 3)).abs() < 1e-12);
    let tol = Tolerance {
        rtol: 1e-5,
        atol: 1e-7,
        ..Tolerance::default()
    };
    check_params(|p: &Gmm| log_likelihood(p, &x, 3), &p, &g.p, &tol).unwrap();
}
