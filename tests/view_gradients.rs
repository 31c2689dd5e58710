//! Gradients with respect to inputs passed as views (saliency maps), and the default
//! `wrt` (every float and array argument) on a function that takes views.

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::{Array2, ArrayView2, array};
use cadena::prelude::*;

/// How much each input feature moves the loss: the gradient with respect to `x`.
#[differentiable(wrt(x))]
pub fn saliency(w: ArrayView2<f64>, x: ArrayView2<f64>, y: ArrayView2<f64>) -> f64 {
    mse(tanh(x.dot(&w)), y)
}

#[differentiable]
pub fn every_argument(w: ArrayView2<f64>, x: ArrayView2<f64>) -> f64 {
    sum(tanh(x.dot(&w)))
}

/// A view argument the loss does not depend on still gets a gradient, of zeros.
#[differentiable]
#[allow(unused_variables)]
pub fn unused_view(w: ArrayView2<f64>, x: ArrayView2<f64>) -> f64 {
    sum(w.t().dot(&w))
}

#[test]
fn gradients_with_respect_to_views_are_owned_arrays() {
    let w = array![[0.5, -0.25], [0.75, 0.1], [-0.3, 0.6]];
    let x = array![[1.0, -2.0, 0.5], [0.25, 0.5, -1.5]];
    let y = array![[0.1, -0.2], [0.3, 0.0]];
    let (loss, g) = saliency::grad(w.view(), x.view(), y.view());
    assert_eq!(loss, saliency(w.view(), x.view(), y.view()));
    let gx: Array2<f64> = g.x;
    check_params(
        |x: &Array2<f64>| saliency(w.view(), x.view(), y.view()),
        &x,
        &gx,
        &Tolerance::default(),
    )
    .unwrap();

    let (_, g) = every_argument::grad(w.view(), x.view());
    let tol = Tolerance::default();
    check_params(
        |w: &Array2<f64>| every_argument(w.view(), x.view()),
        &w,
        &g.w,
        &tol,
    )
    .unwrap();
    check_params(
        |x: &Array2<f64>| every_argument(w.view(), x.view()),
        &x,
        &g.x,
        &tol,
    )
    .unwrap();

    let (_, g) = unused_view::grad(w.view(), x.view());
    assert_eq!(g.x, Array2::<f64>::zeros((2, 3)));
}
