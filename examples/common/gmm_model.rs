//! A Gaussian mixture's log-likelihood as ADBench writes it (Srajer, Kukelova and
//! Fitzgibbon, 2018), shared by `examples/gmm.rs` and `tests/gmm.rs`: per component, the
//! points' log-density under a precision `Q = diag(exp(q)) + L` (`L` strictly lower
//! triangular), the components joined by `logsumexp`, minus the weights' normaliser. A
//! loop over the components pushes one column of log-densities per component.

use cadena::ndarray::{Array1, Array2, Array3, Axis, s};
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug)]
pub struct Gmm {
    /// Unnormalised log mixture weights, one per component.
    pub alphas: Array1<f64>,
    /// Means, components × dimensions.
    pub means: Array2<f64>,
    /// Log of the precision's diagonal, components × dimensions.
    pub q: Array2<f64>,
    /// The precision's strictly lower part, components × dimensions × dimensions (the
    /// caller keeps its upper part zero).
    pub l: Array3<f64>,
}

/// The log-likelihood of the points `x` (n × d), up to the constant
/// `-n d ln(2π) / 2`, without the Wishart prior.
#[differentiable(wrt(p))]
pub fn log_likelihood(p: &Gmm, x: &Array2<f64>, k: usize) -> f64 {
    let mut columns = Vec::new();
    for j in 0..k {
        let mean = p.means.index_axis(Axis(0), j);
        let q = p.q.index_axis(Axis(0), j);
        let lower = p.l.index_axis(Axis(0), j);
        let centred = x - &mean;
        let qx = &centred * exp(&q) + centred.dot(&lower.t());
        let log_density =
            p.alphas.slice(s![j..j + 1]) + sum(&q) - 0.5 * (&qx * &qx).sum_axis(Axis(1));
        columns.push(log_density);
    }
    let by_component = stack(Axis(1), &columns);
    let n = x.nrows() as f64;
    sum(logsumexp(&by_component, Axis(1))) - n * sum(logsumexp(&p.alphas, Axis(0)))
}
