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
        Array::zeros(self.raw_dim())
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
