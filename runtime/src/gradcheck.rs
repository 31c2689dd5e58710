//! Finite-difference checking of gradients: the independent reference for any gradient,
//! whether `#[differentiable]` derived it or you wrote it by hand.
//!
//! Each partial derivative is compared with a central difference
//!
//! ```text
//! numeric_i = (f(x + h e_i) - f(x - h e_i)) / 2h,   h = eps * max(1, |x_i|)
//! ok        ⇔ |analytic_i - numeric_i| <= atol + rtol * max(|analytic_i|, |numeric_i|)
//! ```
//!
//! Evaluate in `f64`: in `f32` the rounding error of a central difference (~1e-7 / h)
//! swamps the truncation error for any useful `h`.
//!
//! ```
//! use cadena::gradcheck::{Tolerance, check};
//! use cadena::prelude::*;
//!
//! #[differentiable]
//! fn f(x: f64, y: f64) -> f64 {
//!     (x * y).sin() + y.exp()
//! }
//!
//! let (_, g) = f::grad(0.3, -1.2);
//! check(|v| f(v[0], v[1]), &[0.3, -1.2], &[g.x, g.y], &["x", "y"], &Tolerance::default()).unwrap();
//!
//! let wrong = check(|v| f(v[0], v[1]), &[0.3, -1.2], &[g.x, 0.0], &["x", "y"], &Tolerance::default());
//! assert!(wrong.unwrap_err().to_string().contains("dL/dy"));
//! ```

use std::fmt;

use crate::{Float, Parameters};

/// Step size and tolerances of a check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// Relative step: `h = eps * max(1, |x|)`. Default `1e-6`, near the optimum
    /// `cbrt(f64::EPSILON)` for central differences of well-scaled functions.
    pub eps: f64,
    /// Relative tolerance on the larger of the two magnitudes. Default `1e-5`.
    pub rtol: f64,
    /// Absolute tolerance, for derivatives near zero. Default `1e-8`.
    pub atol: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            eps: 1e-6,
            rtol: 1e-5,
            atol: 1e-8,
        }
    }
}

/// One partial derivative that disagrees with its finite difference.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// What was differentiated: the argument name, with `[i, j]` for a tensor element.
    pub name: String,
    /// The gradient under test.
    pub analytic: f64,
    /// The central difference.
    pub numeric: f64,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "dL/d{}: gradient {} but finite difference {} (difference {:e})",
            self.name,
            self.analytic,
            self.numeric,
            (self.analytic - self.numeric).abs()
        )
    }
}

/// The partial derivatives that failed a check, all of them.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct GradCheckError {
    /// Every mismatch, in argument order.
    pub mismatches: Vec<Mismatch>,
}

impl fmt::Display for GradCheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} partial derivative(s) disagree with finite differences:",
            self.mismatches.len()
        )?;
        for m in &self.mismatches {
            writeln!(f, "  {m}")?;
        }
        Ok(())
    }
}

impl Tolerance {
    fn accepts(&self, analytic: f64, numeric: f64) -> bool {
        let scale = analytic.abs().max(numeric.abs());
        (analytic - numeric).abs() <= self.atol + self.rtol * scale
    }

    fn step(&self, x: f64) -> f64 {
        self.eps * x.abs().max(1.0)
    }
}

/// The central-difference gradient of `f` at `x`.
///
/// ```
/// let g = cadena::gradcheck::numeric_gradient(|v| v[0] * v[0] * v[1], &[3.0, 2.0], 1e-6);
/// assert!((g[0] - 12.0).abs() < 1e-6 && (g[1] - 9.0).abs() < 1e-6);
/// ```
pub fn numeric_gradient(mut f: impl FnMut(&[f64]) -> f64, x: &[f64], eps: f64) -> Vec<f64> {
    let tol = Tolerance {
        eps,
        ..Tolerance::default()
    };
    let mut probe = x.to_vec();
    (0..x.len())
        .map(|i| {
            let h = tol.step(x[i]);
            probe[i] = x[i] + h;
            let up = f(&probe);
            probe[i] = x[i] - h;
            let down = f(&probe);
            probe[i] = x[i];
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// Checks `analytic` (one partial per argument, named by `names`) against central
/// differences of `f` at `x`.
///
/// # Errors
///
/// [`GradCheckError`] listing every partial derivative outside the tolerance, by name,
/// with both values.
///
/// # Panics
///
/// If `x`, `analytic` and `names` differ in length (a programming error in the call).
pub fn check(
    f: impl FnMut(&[f64]) -> f64,
    x: &[f64],
    analytic: &[f64],
    names: &[&str],
    tol: &Tolerance,
) -> Result<(), GradCheckError> {
    assert!(
        x.len() == analytic.len() && x.len() == names.len(),
        "gradcheck::check: {} arguments, {} partials, {} names",
        x.len(),
        analytic.len(),
        names.len()
    );
    let numeric = numeric_gradient(f, x, tol.eps);
    let mismatches: Vec<Mismatch> = (0..x.len())
        .filter(|&i| !tol.accepts(analytic[i], numeric[i]))
        .map(|i| Mismatch {
            name: names[i].to_string(),
            analytic: analytic[i],
            numeric: numeric[i],
        })
        .collect();
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(GradCheckError { mismatches })
    }
}

/// Checks the gradient of a loss over a whole [`Parameters`] value — every element of
/// every tensor — against central differences. Elements are named `path[i, j]`.
///
/// The loss is evaluated twice per element, so keep models small (this is a test tool).
///
/// ```
/// use cadena::gradcheck::{Tolerance, check_params};
/// use cadena::ndarray::array;
///
/// let w = array![1.0_f64, -2.0, 0.5];
/// let loss = |w: &cadena::ndarray::Array1<f64>| w.mapv(|v| v * v).sum();
/// check_params(loss, &w, &w.mapv(|v| 2.0 * v), &Tolerance::default()).unwrap();
/// ```
///
/// # Errors
///
/// [`GradCheckError`] listing every element outside the tolerance.
pub fn check_params<P, F>(
    mut f: F,
    params: &P,
    analytic: &P,
    tol: &Tolerance,
) -> Result<(), GradCheckError>
where
    P: Parameters + Clone,
    F: FnMut(&P) -> P::Elem,
{
    let mut grads: Vec<(String, Vec<f64>)> = Vec::new();
    analytic.visit(&mut |name, t| {
        grads.push((
            name.to_string(),
            t.iter().map(|v| v.to_f64_lossless()).collect(),
        ))
    });

    let mut shapes: Vec<Vec<usize>> = Vec::new();
    params.visit(&mut |_, t| shapes.push(t.shape().to_vec()));

    let mut probe = params.clone();
    let mut mismatches = Vec::new();
    for (tensor, (name, analytic)) in grads.iter().enumerate() {
        for (flat, &a) in analytic.iter().enumerate() {
            let x = element(&mut probe, tensor, flat, None);
            let h = tol.step(x);
            element(&mut probe, tensor, flat, Some(x + h));
            let up = f(&probe).to_f64_lossless();
            element(&mut probe, tensor, flat, Some(x - h));
            let down = f(&probe).to_f64_lossless();
            element(&mut probe, tensor, flat, Some(x));
            let numeric = (up - down) / (2.0 * h);
            if !tol.accepts(a, numeric) {
                mismatches.push(Mismatch {
                    name: index_name(name, &shapes[tensor], flat),
                    analytic: a,
                    numeric,
                });
            }
        }
    }
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(GradCheckError { mismatches })
    }
}

/// Reads (and, with `Some`, writes) element `flat` (logical row-major order) of tensor
/// number `tensor`.
fn element<P: Parameters>(p: &mut P, tensor: usize, flat: usize, set: Option<f64>) -> f64 {
    let mut seen = 0;
    let mut old = 0.0;
    p.visit_mut(&mut |_, mut t| {
        if seen == tensor
            && let Some(v) = t.iter_mut().nth(flat)
        {
            old = v.to_f64_lossless();
            if let Some(new) = set {
                *v = P::Elem::of(new);
            }
        }
        seen += 1;
    });
    old
}

fn index_name(name: &str, shape: &[usize], mut flat: usize) -> String {
    if shape.is_empty() {
        return name.to_string();
    }
    let mut index = vec![0; shape.len()];
    for (i, &n) in shape.iter().enumerate().rev() {
        index[i] = flat % n;
        flat /= n;
    }
    let parts: Vec<String> = index.iter().map(usize::to_string).collect();
    format!("{name}[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_wrong_element_is_named_with_its_index() {
        let w = array![[1.0_f64, 2.0], [3.0, 4.0]];
        let mut g = w.mapv(|v| 2.0 * v);
        g[[1, 0]] = 0.0;
        let err = check_params(
            |w: &ndarray::Array2<f64>| w.mapv(|v| v * v).sum(),
            &w,
            &g,
            &Tolerance::default(),
        )
        .unwrap_err();
        assert_eq!(err.mismatches.len(), 1);
        assert_eq!(err.mismatches[0].name, "[1, 0]");
        assert!((err.mismatches[0].numeric - 6.0).abs() < 1e-6);
    }

    #[test]
    fn correct_gradients_pass_and_wrong_ones_name_the_argument() {
        let f = |v: &[f64]| v[0].sin() * v[1];
        let x = [0.7, 2.0];
        let good = [0.7f64.cos() * 2.0, 0.7f64.sin()];
        assert!(check(f, &x, &good, &["a", "b"], &Tolerance::default()).is_ok());
        let err = check(f, &x, &[good[0], 1.0], &["a", "b"], &Tolerance::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("dL/db: gradient 1 but finite difference 0.644"),
            "{err}"
        );
    }
}
