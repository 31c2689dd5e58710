//! What the backward run of a `#[differentiable]` loop needs besides the ops: zeros to
//! start an adjoint from (a loop of no iterations contributes nothing), and writing one
//! iteration's gradient into its slice of an iterated array.

use ndarray::{ArrayBase, Axis, DataMut, DimMax, Dimension, RemoveAxis};

use super::map::map2;
use super::operand::{Kind, Operand, Out1, Out2};
use crate::{Float, Parameters};

/// Zeros of `x`'s type and shape: `0.0` for a float, an owned array of zeros for an array.
///
/// ```
/// use cadena::ndarray::array;
/// use cadena::ops::tensor::zeros_as;
/// assert_eq!(zeros_as(&array![[1.0_f32, 2.0]]), array![[0.0, 0.0]]);
/// assert_eq!(zeros_as(2.5_f64), 0.0);
/// ```
pub fn zeros_as<X: Operand>(x: X) -> Out1<X> {
    X::Kind::wrap(
        x,
        |_| Default::default(),
        |x| {
            let zeros = super::pool::zeros(x.view().raw_dim());
            x.recycle();
            zeros
        },
    )
}

/// Writes `value` into sub-array `index` of `target` along `axis`: the gradient of the
/// iteration that read `x.axis_iter(axis)`'s element `index`.
///
/// # Panics
///
/// If `index` is out of range or `value`'s shape does not broadcast to the sub-array.
///
/// ```
/// use cadena::ndarray::{array, Axis};
/// use cadena::ops::tensor::assign_index_axis;
/// let mut g = array![[0.0_f64, 0.0], [0.0, 0.0]];
/// assign_index_axis(&mut g, Axis(1), 1, &array![3.0, 4.0]);
/// assert_eq!(g, array![[0.0, 3.0], [0.0, 4.0]]);
/// ```
pub fn assign_index_axis<S, D, V>(target: &mut ArrayBase<S, D>, axis: Axis, index: usize, value: V)
where
    S: DataMut,
    S::Elem: Float,
    D: Dimension + RemoveAxis,
    V: Operand<Elem = S::Elem>,
{
    target.index_axis_mut(axis, index).assign(&value.view());
}

/// `x + y`, in `x`'s buffer when it owns one: a loop's backward run sums the adjoint of a
/// value every iteration reads (a shared weight) with this.
///
/// ```
/// use cadena::ndarray::array;
/// use cadena::ops::tensor::accumulate;
/// assert_eq!(accumulate(array![1.0_f64, 2.0], &array![0.5, 0.5]), array![1.5, 2.5]);
/// assert_eq!(accumulate(1.0_f32, 2.0_f32), 3.0);
/// ```
pub fn accumulate<X, Y>(x: X, y: Y) -> Out2<X, Y>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
{
    map2(x, y, |a, b| a + b)
}

/// `sum += term` for values of a parameter type: how a loop sums, over its iterations,
/// the gradient of a stack of layers that a loop inside its body iterates. `term` may be
/// owned or borrowed.
///
/// ```
/// use cadena::ndarray::array;
/// use cadena::ops::tensor::add_parameters;
/// let mut sum = vec![array![1.0_f64, 2.0]];
/// add_parameters(&mut sum, vec![array![0.5_f64, 0.5]]);
/// add_parameters(&mut sum, &vec![array![1.0_f64, 1.0]]);
/// assert_eq!(sum, vec![array![2.5, 3.5]]);
/// ```
pub fn add_parameters<P: Parameters, B: std::borrow::Borrow<P>>(sum: &mut P, term: B) {
    let mut terms = Vec::new();
    term.borrow()
        .visit_named("", &mut |_, t| terms.push(t.to_owned()));
    let mut k = 0;
    sum.visit_named_mut("", &mut |_, mut t| {
        t += &terms[k];
        k += 1;
    });
}

/// `a + b` for whole models (or stacks of layers, or float arrays): the gradient of a
/// stack two loops iterate is the sum of what each gives.
///
/// ```
/// use cadena::ops::tensor::accumulate_parameters;
/// assert_eq!(accumulate_parameters(&[1.0_f64, 2.0], &[0.5, 0.25]), [1.5, 2.25]);
/// ```
pub fn accumulate_parameters<P: Parameters + Clone>(a: &P, b: &P) -> P {
    let mut terms = Vec::new();
    b.visit_named("", &mut |_, t| terms.push(t.to_owned()));
    let mut sum = a.clone();
    let mut k = 0;
    sum.visit_named_mut("", &mut |_, mut t| {
        t += &terms[k];
        k += 1;
    });
    sum
}
