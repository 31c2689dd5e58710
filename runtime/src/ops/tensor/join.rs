//! Joining arrays: [`concatenate`] along an existing axis and [`stack`] along a new one,
//! each returning the array (a shape mismatch panics naming the shapes, where ndarray's
//! functions return a `Result`), and the pieces of their gradients: [`concatenate_part`]
//! cuts one operand's slab out of the joined gradient, [`len_of`] records how long each
//! operand was, [`view`] lends any operand as a view for the list of parts. (The gradient
//! of a stacked operand is [`index_axis`](super::index_axis) of the joined gradient.)

use ndarray::{Array, ArrayView, Axis, Dimension, Slice};

use super::operand::{Operand, shapes_text};
use super::pool;
use super::slicing::axis_len;
use crate::Float;

/// The length of `x` along `axis`: what generated code records of each operand of a
/// [`concatenate`] for [`concatenate_part`] (`len_of(&a, Axis(1))`).
///
/// # Panics
///
/// If `axis` is out of range: `len_of: Axis(2) out of range for x [2, 3]`.
///
/// ```
/// use cadena::ops::tensor::len_of;
/// use ndarray::{Array2, Axis};
///
/// assert_eq!(len_of(&Array2::<f32>::zeros((2, 3)), Axis(1)), 3);
/// ```
#[track_caller]
pub fn len_of<X: Operand>(x: &X, axis: Axis) -> usize {
    axis_len("len_of", "x", x.view().shape(), axis)
}

/// `x.view()` of any operand (an owned array, a reference, a view, a float): generated
/// code builds the parts of a join with it, `&[view(&a), view(&b)]`, whatever `a` and `b`
/// are.
///
/// ```
/// use cadena::ops::tensor::view;
/// use ndarray::array;
///
/// let a = array![1.0_f64, 2.0];
/// assert_eq!(view(&a), a.view());
/// assert_eq!(view(&2.5_f32).shape(), &[] as &[usize]);
/// ```
pub fn view<X: Operand>(x: &X) -> ArrayView<'_, X::Elem, X::Dim> {
    x.view()
}

/// The shapes of all parts, for panic messages.
fn all_shapes<V: Operand>(parts: &[V]) -> String {
    let views: Vec<_> = parts.iter().map(Operand::view).collect();
    let shapes: Vec<&[usize]> = views.iter().map(|v| v.shape()).collect();
    shapes_text(&shapes)
}

/// The parts joined along `axis`, which must exist in each: every part has the same
/// shape off `axis`, and the result's length along it is the sum of theirs. A function
/// where ndarray has a fallible one and a macro; the parts may be views or owned arrays
/// (anything that is an [`Operand`]), so both `concatenate(Axis(1), &[a.view(), b.view()])`
/// and `concatenate(Axis(0), &rows)` with `rows: Vec<Array2<f64>>` work. The result comes
/// from the buffer [`pool`].
///
/// # Panics
///
/// If there are no parts, `axis` is out of range, or the parts disagree off `axis`:
/// `concatenate: parts disagree off the axis ([2, 3] with [2, 4] along Axis(0))`.
///
/// ```
/// use cadena::ops::tensor::concatenate;
/// use ndarray::{array, Axis};
///
/// let a = array![[1.0_f64, 2.0], [3.0, 4.0]];
/// let b = array![[5.0], [6.0]];
/// assert_eq!(concatenate(Axis(1), &[a.view(), b.view()]), array![[1.0, 2.0, 5.0], [3.0, 4.0, 6.0]]);
/// let rows = vec![array![[1.0_f64, 2.0]], array![[3.0, 4.0]]];
/// assert_eq!(concatenate(Axis(0), &rows), a);
/// ```
#[track_caller]
pub fn concatenate<A, D, V>(axis: Axis, parts: &[V]) -> Array<A, D>
where
    A: Float,
    D: Dimension,
    V: Operand<Elem = A, Dim = D>,
{
    let Some(first) = parts.first() else {
        panic!("concatenate: no parts to join along {axis:?}");
    };
    let first = first.view();
    axis_len("concatenate", "the first part", first.shape(), axis);
    let mut dim = first.raw_dim();
    dim[axis.index()] = 0;
    for part in parts {
        let v = part.view();
        let fits = v.ndim() == dim.ndim()
            && (0..dim.ndim()).all(|i| i == axis.index() || v.shape()[i] == dim[i]);
        if !fits {
            panic!(
                "concatenate: parts disagree off the axis ({} along {axis:?})",
                all_shapes(parts)
            );
        }
        dim[axis.index()] += v.len_of(axis);
    }
    let mut out = pool::array(dim);
    let mut start = 0;
    for part in parts {
        let v = part.view();
        let end = start + v.len_of(axis);
        out.slice_axis_mut(axis, Slice::from(start..end)).assign(&v);
        start = end;
    }
    out
}

/// The parts, all of one shape, stacked along a new axis `axis` (0 up to their rank):
/// the result's sub-array `k` along `axis` is part `k`. As [`concatenate`], the parts may
/// be views or owned arrays (`stack(Axis(1), &outs)` with `outs: Vec<Array1<f64>>`), even
/// floats (which stack into a vector), and the result comes from the buffer [`pool`].
///
/// # Panics
///
/// If there are no parts, `axis` is past their rank, or their shapes differ:
/// `stack: parts differ in shape ([3] with [4])`.
///
/// ```
/// use cadena::ops::tensor::stack;
/// use ndarray::{array, Array1, Axis};
///
/// let outs: Vec<Array1<f64>> = vec![array![1.0, 2.0], array![3.0, 4.0], array![5.0, 6.0]];
/// assert_eq!(stack(Axis(1), &outs), array![[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]);
/// assert_eq!(stack(Axis(0), &[outs[0].view(), outs[1].view()]), array![[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(stack(Axis(0), &[1.0_f32, 2.0]), array![1.0, 2.0]);
/// ```
#[track_caller]
pub fn stack<A, D, V>(axis: Axis, parts: &[V]) -> Array<A, D::Larger>
where
    A: Float,
    D: Dimension,
    V: Operand<Elem = A, Dim = D>,
{
    let Some(first) = parts.first() else {
        panic!("stack: no parts to stack along {axis:?}");
    };
    let first = first.view();
    if axis.index() > first.ndim() {
        panic!(
            "stack: {axis:?} out of range for parts of rank {} ({})",
            first.ndim(),
            all_shapes(parts)
        );
    }
    if parts.iter().any(|p| p.view().shape() != first.shape()) {
        panic!("stack: parts differ in shape ({})", all_shapes(parts));
    }
    let mut dim = first.raw_dim().insert_axis(axis);
    dim[axis.index()] = parts.len();
    let mut out = pool::array(dim);
    for (k, part) in parts.iter().enumerate() {
        out.index_axis_mut(axis, k).assign(&part.view());
    }
    out
}

/// Operand `k`'s share of the gradient `g` of a [`concatenate`]: the slab of `g` along
/// `axis` that starts at `lens[..k].iter().sum()` and is `lens[k]` long, where `lens`
/// holds every operand's length along `axis` ([`len_of`]). A copy from the buffer
/// [`pool`]; an owned `g` goes back to the pool.
///
/// # Panics
///
/// If `k` is not an operand, `axis` is out of range, or the lengths do not add up to
/// `g`'s: `concatenate_part: lengths [2, 3] add up to 5, g [2, 4] has 4 along Axis(1)`.
///
/// ```
/// use cadena::ops::tensor::concatenate_part;
/// use ndarray::{array, Axis};
///
/// let g = array![[1.0_f64, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// assert_eq!(concatenate_part(&g, Axis(1), 0, &[2, 1]), array![[1.0, 2.0], [4.0, 5.0]]);
/// assert_eq!(concatenate_part(&g, Axis(1), 1, &[2, 1]), array![[3.0], [6.0]]);
/// ```
#[track_caller]
pub fn concatenate_part<G>(g: G, axis: Axis, k: usize, lens: &[usize]) -> Array<G::Elem, G::Dim>
where
    G: Operand,
{
    let out = {
        let v = g.view();
        let len = axis_len("concatenate_part", "g", v.shape(), axis);
        let total: usize = lens.iter().sum();
        if total != len {
            panic!(
                "concatenate_part: lengths {lens:?} add up to {total}, g {:?} has {len} along {axis:?}",
                v.shape()
            );
        }
        if k >= lens.len() {
            panic!(
                "concatenate_part: part {k} out of range for {} parts (lengths {lens:?})",
                lens.len()
            );
        }
        let start: usize = lens[..k].iter().sum();
        pool::copy(&v.slice_axis(axis, Slice::from(start..start + lens[k])))
    };
    g.recycle();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tensor::index_axis;
    use crate::ops::tensor::testing::{
        assert_adjoint, assert_close, inner, numeric_vjp, random, random_shape, rng,
    };
    use ndarray::{Array1, Array2, ArrayD, array};
    use rand::RngExt;

    #[test]
    fn concatenate_and_stack_match_ndarray_on_random_shapes() {
        let mut rng = rng(4);
        for case in 0..100 {
            let shape = random_shape(&mut rng, 1, 4);
            let axis = Axis(rng.random_range(0..shape.len()));
            let parts: Vec<ArrayD<f64>> = (0..rng.random_range(1..=4))
                .map(|_| {
                    let mut s = shape.clone();
                    s[axis.index()] = rng.random_range(0..=3);
                    random(&mut rng, &s)
                })
                .collect();
            let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
            let expected = ndarray::concatenate(axis, &views).expect("ndarray joins them");
            assert_eq!(concatenate(axis, &parts), expected, "case {case}");
            assert_eq!(concatenate(axis, &views), expected, "case {case}");
            let same: Vec<ArrayD<f64>> = (0..rng.random_range(1..=4))
                .map(|_| random(&mut rng, &shape))
                .collect();
            let new_axis = Axis(rng.random_range(0..=shape.len()));
            let views: Vec<_> = same.iter().map(|p| p.view()).collect();
            let expected = ndarray::stack(new_axis, &views).expect("ndarray stacks them");
            assert_eq!(stack(new_axis, &same), expected, "case {case}");
        }
    }

    #[test]
    fn views_owned_arrays_references_and_floats_all_serve_as_parts() {
        let a = array![[1.0_f64, 2.0], [3.0, 4.0]];
        let b = array![[5.0_f64, 6.0]];
        let expected = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        // The form generated code emits.
        assert_eq!(concatenate(Axis(0), &[view(&a), view(&b)]), expected);
        assert_eq!(concatenate(Axis(0), &[&a, &b]), expected);
        // A `&Vec` of owned arrays, as a user's list of outputs.
        let rows: Vec<Array2<f64>> = [&a, &b].into_iter().cloned().collect();
        assert_eq!(concatenate(Axis(0), &rows), expected);
        let outs: Vec<Array1<f64>> = vec![array![1.0, 2.0], array![3.0, 4.0]];
        assert_eq!(stack(Axis(1), &outs), array![[1.0, 3.0], [2.0, 4.0]]);
        assert_eq!(
            stack(Axis(0), &[&outs[0], &outs[1]]),
            array![[1.0, 2.0], [3.0, 4.0]]
        );
        assert_eq!(stack(Axis(0), &[1.0_f32, 2.0, 3.0]), array![1.0, 2.0, 3.0]);
        // Transposed parts are read as they are, not as laid out.
        assert_eq!(
            concatenate(Axis(1), &[a.t(), a.t()]),
            array![[1.0, 3.0, 1.0, 3.0], [2.0, 4.0, 2.0, 4.0]]
        );
    }

    #[test]
    fn concatenate_parts_agree_with_finite_differences_and_the_adjoint_identity() {
        let mut rng = rng(5);
        for case in 0..100 {
            let shape = random_shape(&mut rng, 1, 3);
            let axis = Axis(rng.random_range(0..shape.len()));
            let parts: Vec<ArrayD<f64>> = (0..rng.random_range(1..=3))
                .map(|_| {
                    let mut s = shape.clone();
                    s[axis.index()] = rng.random_range(0..=3);
                    random(&mut rng, &s)
                })
                .collect();
            let lens: Vec<usize> = parts.iter().map(|p| len_of(p, axis)).collect();
            let y = concatenate(axis, &parts);
            let g = random(&mut rng, y.shape());
            let mut g_jv = 0.0;
            let mut jtg_v = 0.0;
            for k in 0..parts.len() {
                let dk = concatenate_part(&g, axis, k, &lens);
                // d<g, concatenate(parts)>/d part k, the others held.
                let numeric = numeric_vjp(
                    |p| {
                        let mut with = parts.clone();
                        with[k] = p.clone();
                        concatenate(axis, &with)
                    },
                    &parts[k],
                    &g,
                );
                assert_close(&dk, &numeric, 1e-8, &format!("case {case}, part {k}"));
                let v = random(&mut rng, parts[k].shape());
                jtg_v += inner(&dk, &v);
                // J v of this part alone: v in its slab, zeros elsewhere.
                let mut alone: Vec<ArrayD<f64>> =
                    parts.iter().map(|p| ArrayD::zeros(p.raw_dim())).collect();
                alone[k] = v;
                g_jv += inner(&g, &concatenate(axis, &alone));
            }
            assert_adjoint(g_jv, jtg_v, &format!("case {case}"));
        }
    }

    #[test]
    fn the_gradient_of_a_stacked_part_is_index_axis_of_the_joined_gradient() {
        let mut rng = rng(6);
        for case in 0..100 {
            let shape = random_shape(&mut rng, 0, 3);
            let axis = Axis(rng.random_range(0..=shape.len()));
            let parts: Vec<ArrayD<f64>> = (0..rng.random_range(1..=3))
                .map(|_| random(&mut rng, &shape))
                .collect();
            let y = stack(axis, &parts);
            let g = random(&mut rng, y.shape());
            let (mut g_jv, mut jtg_v) = (0.0, 0.0);
            for k in 0..parts.len() {
                let dk = index_axis(&g, axis, k);
                let numeric = numeric_vjp(
                    |p| {
                        let mut with = parts.clone();
                        with[k] = p.clone();
                        stack(axis, &with)
                    },
                    &parts[k],
                    &g,
                );
                assert_close(&dk, &numeric, 1e-8, &format!("case {case}, part {k}"));
                let v = random(&mut rng, &shape);
                jtg_v += inner(&dk, &v);
                let mut alone: Vec<ArrayD<f64>> =
                    parts.iter().map(|p| ArrayD::zeros(p.raw_dim())).collect();
                alone[k] = v;
                g_jv += inner(&g, &stack(axis, &alone));
            }
            assert_adjoint(g_jv, jtg_v, &format!("case {case}"));
        }
    }

    #[test]
    fn outputs_come_from_the_pool() {
        pool::clear();
        let a = Array2::<f64>::ones((2, 3));
        let first = concatenate(Axis(0), &[&a, &a]);
        let address = first.as_ptr();
        pool::recycle(first);
        let again = stack(Axis(0), &[&a, &a]);
        assert_eq!(again.as_ptr(), address);
        pool::recycle(again);
        let part = concatenate_part(Array2::<f64>::ones((4, 3)), Axis(0), 1, &[2, 2]);
        assert_eq!(part, Array2::<f64>::ones((2, 3)));
        pool::clear();
    }

    #[test]
    #[should_panic(
        expected = "concatenate: parts disagree off the axis ([2, 3] with [2, 4] along Axis(0))"
    )]
    fn concatenate_names_the_shapes_that_disagree() {
        let (a, b) = (Array2::<f64>::zeros((2, 3)), Array2::<f64>::zeros((2, 4)));
        concatenate(Axis(0), &[a.view(), b.view()]);
    }

    #[test]
    #[should_panic(expected = "concatenate: no parts to join along Axis(0)")]
    fn concatenate_of_nothing_panics() {
        concatenate::<f64, _, Array1<f64>>(Axis(0), &[]);
    }

    #[test]
    #[should_panic(expected = "concatenate: Axis(1) out of range for the first part [3]")]
    fn concatenate_names_an_axis_out_of_range() {
        concatenate(Axis(1), &[Array1::<f64>::zeros(3)]);
    }

    #[test]
    #[should_panic(expected = "stack: parts differ in shape ([3] with [4])")]
    fn stack_names_parts_of_different_shapes() {
        stack(Axis(0), &[Array1::<f64>::zeros(3), Array1::zeros(4)]);
    }

    #[test]
    #[should_panic(expected = "stack: Axis(2) out of range for parts of rank 1 ([3])")]
    fn stack_names_an_axis_past_the_rank() {
        stack(Axis(2), &[Array1::<f64>::zeros(3)]);
    }

    #[test]
    #[should_panic(
        expected = "concatenate_part: lengths [2, 3] add up to 5, g [2, 4] has 4 along Axis(1)"
    )]
    fn concatenate_part_names_lengths_that_do_not_add_up() {
        concatenate_part(&Array2::<f64>::zeros((2, 4)), Axis(1), 0, &[2, 3]);
    }

    #[test]
    #[should_panic(expected = "concatenate_part: part 2 out of range for 2 parts")]
    fn concatenate_part_names_a_part_out_of_range() {
        concatenate_part(&Array2::<f64>::zeros((2, 4)), Axis(1), 2, &[2, 2]);
    }
}
