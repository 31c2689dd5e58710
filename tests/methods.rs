//! `#[differentiable(wrt(self))]` on a method: `m.loss(..)` is the forward pass and
//! `m.loss_grad(..)` the value with a gradient of the model's own type, checked against
//! finite differences.

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::{Array1, Array2, ArrayView2, array};
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug)]
pub struct Linear {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

impl Linear {
    #[differentiable(wrt(self))]
    pub fn loss(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> f64 {
        let z = x.dot(&self.w) + &self.b;
        softmax_cross_entropy(z, y)
    }

    /// A method beside it that is not differentiated.
    pub fn classes(&self) -> usize {
        self.b.len()
    }
}

#[test]
fn a_method_differentiated_with_respect_to_self_returns_a_gradient_of_its_own_type() {
    let m = Linear {
        w: array![[0.5, -0.2, 0.1], [0.3, 0.8, -0.5]],
        b: array![0.1, 0.0, -0.1],
    };
    let x = array![[1.0, 2.0], [-0.5, 0.3], [0.0, 1.0]];
    let y = array![[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]];
    let (value, g): (f64, Linear) = m.loss_grad(x.view(), y.view());
    assert_eq!(value, m.loss(x.view(), y.view()));
    assert_eq!(m.classes(), 3);
    check_params(
        |p: &Linear| p.loss(x.view(), y.view()),
        &m,
        &g,
        &Tolerance::default(),
    )
    .unwrap();
}

#[derive(Parameters, Clone, Debug)]
pub struct Quadratic {
    pub a: f64,
    pub c: f64,
}

impl Quadratic {
    #[differentiable(wrt(self))]
    fn at(&self, x: f64) -> f64 {
        let v = self.a * x * x + self.c;
        v * v
    }
}

#[test]
fn a_scalar_model_method_has_its_gradient_too() {
    let q = Quadratic { a: 2.0, c: -1.0 };
    let (value, g) = q.at_grad(3.0);
    assert_eq!(value, 289.0);
    assert_eq!((g.a, g.c), (2.0 * 17.0 * 9.0, 2.0 * 17.0));
}
