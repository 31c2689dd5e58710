//! The `Parameters` trait: what optimisers and checkpoints need to know about a model.
//!
//! It is implemented for plain `f32`/`f64` scalars, for every ndarray `Array`, and —
//! through `#[derive(Parameters)]` — for structs whose fields are any of those (nested
//! structs included). A field path such as `enc.w1` names each tensor.

use std::borrow::Cow;

use ndarray::{Array, ArrayViewD, ArrayViewMutD, Dimension, IxDyn};

use crate::Float;

/// The callback of [`Parameters::visit_with_grad`]: `(name, parameter, gradient)`.
pub type WithGrad<'f, A> = dyn FnMut(&str, ArrayViewMutD<'_, A>, ArrayViewD<'_, A>) + 'f;

/// A collection of trainable tensors with stable names.
///
/// ```
/// use cadena::prelude::*;
/// use cadena::ndarray::{Array1, Array2};
///
/// #[derive(Parameters, Clone, Debug, PartialEq)]
/// struct Layer { w: Array2<f32>, b: Array1<f32> }
///
/// let l = Layer { w: Array2::ones((3, 2)), b: Array1::ones(2) };
/// assert_eq!(l.num_params(), 8);
/// let mut names = Vec::new();
/// l.visit(&mut |name, t| names.push((name.to_string(), t.shape().to_vec())));
/// assert_eq!(names, [("w".to_string(), vec![3, 2]), ("b".to_string(), vec![2])]);
/// assert_eq!(l.zeros_like().w.sum(), 0.0);
/// ```
///
/// A field that is not a parameter (a layer width, an activation choice) is marked
/// `#[parameters(skip)]`: it is never visited, so optimisers, checkpoints and
/// [`num_params`](Self::num_params) do not see it, and [`zeros_like`](Self::zeros_like)
/// clones it (its type must be `Clone`), so a gradient describes the same model. Any other
/// argument to `#[parameters(..)]` is a compile error.
///
/// ```
/// use cadena::prelude::*;
/// use cadena::ndarray::Array1;
///
/// #[derive(Clone, Copy, Debug, PartialEq)]
/// enum Activation { Tanh, Relu }
///
/// #[derive(Parameters, Clone)]
/// struct Layer {
///     b: Array1<f32>,
///     #[parameters(skip)]
///     activation: Activation,
/// }
///
/// let l = Layer { b: Array1::ones(4), activation: Activation::Relu };
/// assert_eq!(l.num_params(), 4);
/// assert_eq!(l.zeros_like().activation, Activation::Relu);
/// ```
pub trait Parameters {
    /// The element type of every tensor (a model mixes no precisions).
    type Elem: Float;

    /// Zeros with the same shapes as `self`: the identity for gradient accumulation.
    fn zeros_like(&self) -> Self
    where
        Self: Sized;

    /// Calls `f(name, tensor)` for every tensor, in declaration order, where `name` is
    /// `prefix` joined by `.` with the field path.
    fn visit_named(&self, prefix: &str, f: &mut dyn FnMut(&str, ArrayViewD<'_, Self::Elem>));

    /// Like [`visit_named`](Self::visit_named), mutably.
    fn visit_named_mut(
        &mut self,
        prefix: &str,
        f: &mut dyn FnMut(&str, ArrayViewMutD<'_, Self::Elem>),
    );

    /// Calls `f(name, parameter, gradient)` for every tensor, pairing `self` with a
    /// gradient of the same type (as `name::grad` returns it).
    fn visit_with_grad_named(
        &mut self,
        grad: &Self,
        prefix: &str,
        f: &mut WithGrad<'_, Self::Elem>,
    ) where
        Self: Sized;

    /// Every tensor with its field path (`w1`, `enc.w1`, ...).
    fn visit(&self, f: &mut dyn FnMut(&str, ArrayViewD<'_, Self::Elem>)) {
        self.visit_named("", f)
    }

    /// Every tensor with its field path, mutably.
    fn visit_mut(&mut self, f: &mut dyn FnMut(&str, ArrayViewMutD<'_, Self::Elem>)) {
        self.visit_named_mut("", f)
    }

    /// Every (name, parameter, gradient) triple.
    fn visit_with_grad(&mut self, grad: &Self, f: &mut WithGrad<'_, Self::Elem>)
    where
        Self: Sized,
    {
        self.visit_with_grad_named(grad, "", f)
    }

    /// Gives every array's buffer to this thread's buffer pool
    /// ([`crate::ops::tensor::pool`]), leaving empty arrays: for a gradient that has been
    /// applied, so the next step's gradient is made in the same memory instead of newly
    /// allocated. [`crate::train::fit`] does this after each optimiser step. Floats are
    /// left as they are; a hand-written implementation that does not override this
    /// recycles nothing, which is correct, only slower.
    ///
    /// A training loop of one's own does what `fit` does:
    ///
    /// ```
    /// use cadena::prelude::*;
    /// use cadena::ndarray::{Array1, Array2, array};
    ///
    /// #[derive(Parameters, Clone)]
    /// struct Linear { w: Array2<f64>, b: Array1<f64> }
    ///
    /// #[differentiable(wrt(p))]
    /// fn loss(p: &Linear, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    ///     mse(x.dot(&p.w) + &p.b, y)
    /// }
    ///
    /// fn main() {
    ///     let mut p = Linear { w: Array2::zeros((2, 1)), b: Array1::zeros(1) };
    ///     let (x, y) = (array![[1.0, 2.0], [3.0, 4.0]], array![[1.0], [2.0]]);
    ///     for _ in 0..200 {
    ///         let (_, mut g) = loss::grad(&p, &x, &y);
    ///         p.w.scaled_add(-0.02, &g.p.w);
    ///         p.b.scaled_add(-0.02, &g.p.b);
    ///         g.p.recycle(); // the next call's gradient reuses these buffers
    ///     }
    ///     assert!(loss(&p, &x, &y) < 1e-2);
    /// }
    /// ```
    fn recycle(&mut self) {}

    /// The number of scalar parameters.
    fn num_params(&self) -> usize {
        let mut n = 0;
        self.visit(&mut |_, t| n += t.len());
        n
    }
}

/// Joins a parent path and a field name with `.`; the root has no leading dot. A top-level
/// field's name is borrowed as is: the visits of a flat model, done on every optimiser
/// step, allocate nothing for names.
#[doc(hidden)]
pub fn join_path<'a>(prefix: &str, field: &'a str) -> Cow<'a, str> {
    if prefix.is_empty() {
        Cow::Borrowed(field)
    } else {
        Cow::Owned(format!("{prefix}.{field}"))
    }
}

impl<A: Float, D: Dimension> Parameters for Array<A, D> {
    type Elem = A;

    fn zeros_like(&self) -> Self {
        crate::ops::tensor::pool::zeros(self.raw_dim())
    }

    fn recycle(&mut self) {
        // A 0-dimensional array always holds its one element; there is nothing to reuse.
        if self.ndim() > 0 {
            let empty = Array::from_shape_vec(D::zeros(self.ndim()), Vec::new())
                .expect("an empty array of the same rank");
            crate::ops::tensor::pool::recycle(std::mem::replace(self, empty));
        }
    }

    fn visit_named(&self, prefix: &str, f: &mut dyn FnMut(&str, ArrayViewD<'_, A>)) {
        f(prefix, self.view().into_dyn())
    }

    fn visit_named_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, ArrayViewMutD<'_, A>)) {
        f(prefix, self.view_mut().into_dyn())
    }

    fn visit_with_grad_named(&mut self, grad: &Self, prefix: &str, f: &mut WithGrad<'_, A>) {
        f(prefix, self.view_mut().into_dyn(), grad.view().into_dyn())
    }
}

macro_rules! scalar_parameters {
    ($($t:ty),*) => {$(
        impl Parameters for $t {
            type Elem = $t;

            fn zeros_like(&self) -> Self {
                0.0
            }

            fn visit_named(&self, prefix: &str, f: &mut dyn FnMut(&str, ArrayViewD<'_, $t>)) {
                f(prefix, ArrayViewD::from_shape(IxDyn(&[]), std::slice::from_ref(self)).expect("a 0-d view of one element"))
            }

            fn visit_named_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, ArrayViewMutD<'_, $t>)) {
                f(prefix, ArrayViewMutD::from_shape(IxDyn(&[]), std::slice::from_mut(self)).expect("a 0-d view of one element"))
            }

            fn visit_with_grad_named(
                &mut self,
                grad: &Self,
                prefix: &str,
                f: &mut WithGrad<'_, $t>,
            ) {
                let g = ArrayViewD::from_shape(IxDyn(&[]), std::slice::from_ref(grad)).expect("a 0-d view of one element");
                f(prefix, ArrayViewMutD::from_shape(IxDyn(&[]), std::slice::from_mut(self)).expect("a 0-d view of one element"), g)
            }
        }
    )*};
}

scalar_parameters!(f32, f64);

/// A stack of models (`layers: Vec<Layer>`, depth known at run time): element `i`'s
/// tensors are named `i.w` under the field, so `layers.0.w`, `layers.1.w`, ...
///
/// ```
/// use cadena::prelude::*;
/// use cadena::ndarray::{Array1, Array2};
///
/// #[derive(Parameters, Clone)]
/// struct Layer { w: Array2<f32>, b: Array1<f32> }
///
/// #[derive(Parameters, Clone)]
/// struct Deep { layers: Vec<Layer>, out: [Layer; 1] }
///
/// let layer = |i, o| Layer { w: Array2::ones((i, o)), b: Array1::ones(o) };
/// let model = Deep { layers: vec![layer(3, 4), layer(4, 4)], out: [layer(4, 2)] };
/// let mut names = Vec::new();
/// model.visit(&mut |name, _| names.push(name.to_string()));
/// assert_eq!(names, ["layers.0.w", "layers.0.b", "layers.1.w", "layers.1.b", "out.0.w", "out.0.b"]);
/// assert_eq!(model.num_params(), 16 + 20 + 10);
/// assert_eq!(model.zeros_like().layers.len(), 2);
/// ```
impl<T: Parameters> Parameters for Vec<T> {
    type Elem = T::Elem;

    fn zeros_like(&self) -> Self {
        self.iter().map(Parameters::zeros_like).collect()
    }

    fn recycle(&mut self) {
        self.iter_mut().for_each(Parameters::recycle);
    }

    fn visit_named(&self, prefix: &str, f: &mut dyn FnMut(&str, ArrayViewD<'_, Self::Elem>)) {
        elements::visit(self, prefix, f)
    }

    fn visit_named_mut(
        &mut self,
        prefix: &str,
        f: &mut dyn FnMut(&str, ArrayViewMutD<'_, Self::Elem>),
    ) {
        elements::visit_mut(self, prefix, f)
    }

    /// Pairs element `i` with the gradient's element `i`; a gradient of another length
    /// is a mismatch between model and gradient, and only the common prefix is visited.
    fn visit_with_grad_named(
        &mut self,
        grad: &Self,
        prefix: &str,
        f: &mut WithGrad<'_, Self::Elem>,
    ) {
        debug_assert_eq!(self.len(), grad.len(), "a gradient of another depth");
        elements::visit_with_grad(self, grad, prefix, f)
    }
}

/// A fixed number of models (`layers: [Layer; 3]`), named like a `Vec`'s: `layers.0.w`.
impl<T: Parameters, const N: usize> Parameters for [T; N] {
    type Elem = T::Elem;

    fn zeros_like(&self) -> Self {
        std::array::from_fn(|i| self[i].zeros_like())
    }

    fn recycle(&mut self) {
        self.iter_mut().for_each(Parameters::recycle);
    }

    fn visit_named(&self, prefix: &str, f: &mut dyn FnMut(&str, ArrayViewD<'_, Self::Elem>)) {
        elements::visit(self, prefix, f)
    }

    fn visit_named_mut(
        &mut self,
        prefix: &str,
        f: &mut dyn FnMut(&str, ArrayViewMutD<'_, Self::Elem>),
    ) {
        elements::visit_mut(self, prefix, f)
    }

    fn visit_with_grad_named(
        &mut self,
        grad: &Self,
        prefix: &str,
        f: &mut WithGrad<'_, Self::Elem>,
    ) {
        elements::visit_with_grad(self, grad, prefix, f)
    }
}

/// The visits of a sequence of models, shared by `Vec<T>` and `[T; N]`: element `i`
/// under the name `prefix.i`.
mod elements {
    use ndarray::{ArrayViewD, ArrayViewMutD};

    use super::{Parameters, WithGrad, join_path};

    pub fn visit<T: Parameters>(
        items: &[T],
        prefix: &str,
        f: &mut dyn FnMut(&str, ArrayViewD<'_, T::Elem>),
    ) {
        for (i, x) in items.iter().enumerate() {
            x.visit_named(&join_path(prefix, &i.to_string()), f);
        }
    }

    pub fn visit_mut<T: Parameters>(
        items: &mut [T],
        prefix: &str,
        f: &mut dyn FnMut(&str, ArrayViewMutD<'_, T::Elem>),
    ) {
        for (i, x) in items.iter_mut().enumerate() {
            x.visit_named_mut(&join_path(prefix, &i.to_string()), f);
        }
    }

    pub fn visit_with_grad<T: Parameters>(
        items: &mut [T],
        grads: &[T],
        prefix: &str,
        f: &mut WithGrad<'_, T::Elem>,
    ) {
        for (i, (x, g)) in items.iter_mut().zip(grads).enumerate() {
            x.visit_with_grad_named(g, &join_path(prefix, &i.to_string()), f);
        }
    }
}
