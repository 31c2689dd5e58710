//! `#[differentiable(wrt(self))]` on a method: `m.loss(..)` is the forward pass and
//! `m.loss_grad(..)` the value with a gradient of the model's own type, checked against
//! finite differences. With `#[differentiable]` on the impl block as well: methods that
//! call each other, gradients with respect to `self` and other arguments, associated
//! functions and methods returning arrays.

use cadena::gradcheck::{Tolerance, check, check_params};
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

/// A classifier written as methods that call each other, as in PyTorch's `forward`.
#[derive(Parameters, Clone, Debug)]
pub struct Classifier {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable]
impl Classifier {
    #[differentiable(wrt(self))]
    pub fn logits(&self, x: ArrayView2<f64>) -> Array2<f64> {
        x.dot(&self.w) + &self.b
    }

    #[differentiable(wrt(self))]
    pub fn loss(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> f64 {
        softmax_cross_entropy(self.logits(x), y)
    }

    /// The gradient with respect to the input as well: a saliency map.
    #[differentiable(wrt(self, x))]
    pub fn saliency(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> f64 {
        softmax_cross_entropy(self.logits(x), y)
    }

    /// Not differentiated: stays as written.
    pub fn classes(&self) -> usize {
        self.b.len()
    }
}

fn classifier() -> (Classifier, Array2<f64>, Array2<f64>) {
    let m = Classifier {
        w: array![[0.5, -0.2, 0.1], [0.3, 0.8, -0.5]],
        b: array![0.1, 0.0, -0.1],
    };
    let x = array![[1.0, 2.0], [-0.5, 0.3], [0.0, 1.0]];
    let y = array![[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]];
    (m, x, y)
}

#[test]
fn methods_of_a_differentiable_impl_block_call_each_other_and_simplify_through() {
    let (m, x, y) = classifier();
    let (value, g): (f64, Classifier) = m.loss_grad(x.view(), y.view());
    assert_eq!(value, m.loss(x.view(), y.view()));
    assert_eq!(m.classes(), 3);
    check_params(
        |p: &Classifier| p.loss(x.view(), y.view()),
        &m,
        &g,
        &Tolerance::default(),
    )
    .unwrap();
    // Softmax and cross-entropy meet across the call and collapse to `p - y`.
    assert_eq!(
        Classifier::LOSS_DERIVATION.lines().nth(1),
        Some("dL/dself_.b = (softmax(logits) - y) / n"),
        "{}",
        Classifier::LOSS_DERIVATION
    );
}

#[test]
fn a_method_differentiated_with_respect_to_self_and_an_argument_returns_both() {
    let (m, x, y) = classifier();
    let (value, g): (f64, ClassifierSaliencyGrad) = m.saliency_grad(x.view(), y.view());
    assert_eq!(value, m.loss(x.view(), y.view()));
    let (_, alone) = m.loss_grad(x.view(), y.view());
    assert_eq!((g.self_.w, g.self_.b), (alone.w, alone.b));
    let shape = x.dim();
    check(
        |v| {
            let x = Array2::from_shape_vec(shape, v.to_vec()).unwrap();
            m.loss(x.view(), y.view())
        },
        x.as_slice().unwrap(),
        g.x.as_slice().unwrap(),
        &["x"; 6],
        &Tolerance::default(),
    )
    .unwrap();
}

#[test]
fn a_method_returning_an_array_has_a_pullback_to_its_own_type() {
    let (m, x, _) = classifier();
    let (value, pullback) = m.logits_vjp(x.view());
    assert_eq!(value, m.logits(x.view()));
    let g: Classifier = pullback(Array2::ones((3, 3)));
    // d(sum of logits)/dw = column sums of x, repeated for each class; /db = rows.
    assert_eq!(g.w, array![[0.5, 0.5, 0.5], [3.3, 3.3, 3.3]]);
    assert_eq!(g.b, array![3.0, 3.0, 3.0]);
    // The pullback is `Fn`: called again, for another row of a Jacobian, without a new
    // forward pass.
    let again: Classifier = pullback(Array2::ones((3, 3)));
    assert_eq!((again.w, again.b), (g.w, g.b));
}

#[derive(Parameters, Clone, Debug)]
struct Parabola {
    a: f64,
    c: f64,
}

#[differentiable]
impl Parabola {
    #[differentiable(wrt(self))]
    fn inner(&self, x: f64) -> f64 {
        self.a * Self::square(x) + self.c
    }

    #[differentiable(wrt(self))]
    fn at(&self, x: f64) -> f64 {
        let v = self.inner(x);
        v * v
    }

    /// An associated function: `Parabola::square_grad(x)`.
    #[differentiable]
    fn square(x: f64) -> f64 {
        x * x
    }
}

#[test]
fn associated_functions_and_scalar_methods_of_an_impl_block_are_differentiated() {
    let p = Parabola { a: 2.0, c: 1.0 };
    let (value, g) = p.at_grad(3.0);
    assert_eq!(value, 19.0 * 19.0);
    assert_eq!((g.a, g.c), (2.0 * 19.0 * 9.0, 2.0 * 19.0));
    assert_eq!(
        Parabola::AT_DERIVATION.lines().next(),
        Some("dL/dself_.a = 2 * inner * square")
    );
    let (value, g) = Parabola::square_grad(3.0);
    assert_eq!((value, g.x), (9.0, 6.0));
    assert_eq!(Parabola::square(4.0), 16.0);
}
