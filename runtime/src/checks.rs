//! Checks the `#[differentiable]` macro emits beside a function, for what the macro reads
//! but does not itself type: each is a bound rustc proves at compile time, and its
//! message is the first error the user sees, on their own tokens. They are public so that
//! rustc's notes ("required by a bound in `cadena::checks::let_type`") name a documented
//! place; nothing here does work at run time (`ParametersIn::same` returns its argument).

use crate::Float;

/// Implemented when a model's element type `Self` is the function's float type `F`.
///
/// Each function `#[differentiable]` emits reads a model `p: &Lin` of an `f32` function
/// through it first: `let p = <<Lin as Parameters>::Elem as ParametersIn<f32>>::same(p);`.
/// Without it, a model of `f64` parameters fed `f32` data fails deep inside the generated
/// code ("type mismatch resolving `<Tensor as Kind>::Wrap<f32, ..>`"); with it, the one
/// error is on the argument's type and names both float types, and the model's type is
/// then one rustc cannot name, so nothing computed from it is reported again.
#[diagnostic::on_unimplemented(
    message = "this model's parameters are `{Self}`, but the #[differentiable] function computes in `{F}`",
    label = "a model of `{Self}` parameters",
    note = "a #[differentiable] function computes in one float type: give the struct's arrays the function's float type, or the function the struct's (its data and return type)"
)]
pub trait ParametersIn<F> {
    /// `T` itself when the float types agree.
    type Same<T>;

    /// The model (`&Lin`, or a float array by value), unchanged.
    fn same<T>(p: T) -> Self::Same<T>;
}

impl<F: Float> ParametersIn<F> for F {
    type Same<T> = T;

    #[inline(always)]
    fn same<T>(p: T) -> T {
        p
    }
}

/// Implemented when an array argument's element type `Self` (written as a name the macro
/// cannot see through: an alias, a struct) is the function's float type `F`.
///
/// Each function `#[differentiable]` emits reads such an argument `x: &Array2<Real>`
/// through it first (`let x = <Real as ElementsIn<f64>>::same(x);`): where `Real` is no
/// float of the function's type, that is the one error, on the element type, and the
/// argument's type is then one rustc cannot name, so nothing computed from it is reported
/// again (a fuzzer finding: `x: &Array2<P>` gave errors inside the generated code).
#[diagnostic::on_unimplemented(
    message = "this array holds `{Self}`, but the #[differentiable] function computes in `{F}`",
    label = "not `{F}`",
    note = "a #[differentiable] function computes in one float type: its arrays hold it (or integers, for indices)"
)]
pub trait ElementsIn<F> {
    /// `T` itself when the types agree.
    type Same<T>;

    /// The argument, unchanged.
    fn same<T>(x: T) -> Self::Same<T>;
}

impl<F: Float> ElementsIn<F> for F {
    type Same<T> = T;

    #[inline(always)]
    fn same<T>(x: T) -> T {
        x
    }
}

/// A loop's range in a `#[differentiable]` function: `a..b` or `a..=b` of `usize`.
#[diagnostic::on_unimplemented(
    message = "a #[differentiable] loop counts its steps in `usize`: `{Self}` is not a range of `usize`",
    label = "not `a..b` or `a..=b` of `usize`",
    note = "a loop's bounds are `usize` arguments, sizes (`x.nrows()`), `usize` constants or integer literals"
)]
pub trait LoopRange {
    /// The steps as a half-open range.
    fn steps(self) -> core::ops::Range<usize>;
}

impl LoopRange for core::ops::Range<usize> {
    fn steps(self) -> core::ops::Range<usize> {
        self
    }
}

impl LoopRange for core::ops::RangeInclusive<usize> {
    fn steps(self) -> core::ops::Range<usize> {
        let (start, end) = self.into_inner();
        start..end.saturating_add(1)
    }
}

/// Emitted around a loop's range, spanned at it: a range of floats (`K..3` with
/// `K: f64`) or of another integer type, which the macro cannot tell from one of `usize`
/// constants, is then one error on the user's range (the result is a `usize` range
/// either way, so nothing after it fails too) rather than errors inside the generated
/// loop.
#[inline(always)]
pub fn loop_range<R: LoopRange>(range: R) -> core::ops::Range<usize> {
    range.steps()
}

/// A type a `let` of a `#[differentiable]` function's body may be annotated with, in a
/// function computing in `F`: `F`, an ndarray array or view of `F`s, a reference to one,
/// or a tuple of them. (A `Vec` of per-step values, `let mut outs: Vec<Array1<f64>> =
/// Vec::new();`, is not checked.)
#[diagnostic::on_unimplemented(
    message = "a `let` in a #[differentiable] function computing in `{F}` holds an `{F}`, an array of them or a tuple of these: `{Self}` is none of these",
    label = "not `{F}` or an array of `{F}`",
    note = "remove the annotation, or write the value's type (`{F}`, `Array2<{F}>`, `ArrayView1<{F}>`)"
)]
pub trait LetType<F> {}

impl LetType<f32> for f32 {}
impl LetType<f64> for f64 {}
impl<F, S: ndarray::RawData<Elem = F>, D: ndarray::Dimension> LetType<F>
    for ndarray::ArrayBase<S, D>
{
}
#[diagnostic::do_not_recommend]
impl<F, T: LetType<F> + ?Sized> LetType<F> for &T {}

macro_rules! tuples {
    ($($t:ident)+) => {
        #[diagnostic::do_not_recommend]
        impl<F, $($t: LetType<F>),+> LetType<F> for ($($t,)+) {}
    };
}
tuples!(A);
tuples!(A B);
tuples!(A B C);
tuples!(A B C D);
tuples!(A B C D E);
tuples!(A B C D E F2);
tuples!(A B C D E F2 G);
tuples!(A B C D E F2 G H);

/// Emitted for each annotated `let` of a tensor body (the macro reads its value, not the
/// annotation, and rustc would otherwise never see it): compiles only for a
/// [`LetType`] of the function's float type `F`.
pub fn let_type<T: LetType<F> + ?Sized, F>() {}

/// What a value or an annotation is, to compare the two: a float, or an array of its
/// elements with its dimension, whether owned, a view or behind `&` (arrays are values
/// in a `#[differentiable]` body).
pub trait Value {
    /// `f32`, `f64`, `Array<F, D>`, or a tuple of these.
    type Is: ?Sized;
}

impl Value for f32 {
    type Is = f32;
}
impl Value for f64 {
    type Is = f64;
}
impl<S: ndarray::RawData, D: ndarray::Dimension> Value for ndarray::ArrayBase<S, D> {
    type Is = ndarray::Array<S::Elem, D>;
}
impl<T: Value + ?Sized> Value for &T {
    type Is = T::Is;
}
impl<T: Value + ?Sized> Value for &mut T {
    type Is = T::Is;
}

// A loop's per-step values (`let mut outs: Vec<Array1<f64>> = Vec::new()`).
impl<T: Value> Value for Vec<T>
where
    T::Is: Sized,
{
    type Is = Vec<T::Is>;
}

macro_rules! value_tuples {
    ($($t:ident)+) => {
        impl<$($t: Value),+> Value for ($($t,)+) where $($t::Is: Sized),+ {
            type Is = ($($t::Is,)+);
        }
    };
}
value_tuples!(A);
value_tuples!(A B);
value_tuples!(A B C);
value_tuples!(A B C D);

/// Implemented when a value that is `Self` may be bound by a `let` annotated as one that
/// is `A` (both [`Value::Is`]).
#[diagnostic::on_unimplemented(
    message = "this `let` is annotated as `{A}`, but its value is `{Self}`",
    label = "`{Self}`, not `{A}`",
    note = "annotate the `let` with the value's type (or leave the annotation out)"
)]
pub trait Holds<A: ?Sized> {}

impl<T: ?Sized> Holds<T> for T {}

/// Emitted, in a copy of the function never called, for each annotated `let` whose value
/// the macro cannot tell a float or an array from (it is made from a struct's fields,
/// whose types the macro does not see): compiles only when the value is what the
/// annotation says, a float or an array of as many axes.
#[inline(always)]
pub fn let_value<A: Value + ?Sized, V: Value + ?Sized>(_value: &V)
where
    V::Is: Holds<A::Is>,
{
}

/// Implemented when a loop's carried value, `A` before the loop (a [`Value::Is`]), may
/// take a step's value that is `Self`: the same float, or an array of the same element
/// and number of axes.
#[diagnostic::on_unimplemented(
    message = "a loop's carried value keeps its type: it is `{A}` before the loop, and this step makes it `{Self}`",
    label = "`{Self}`, not `{A}`",
    note = "reduce what the step adds (`sum_axis`, `mean_axis`, `sum`), or start the value with the shape the loop gives it"
)]
pub trait Carries<A: ?Sized> {
    /// `V` itself when the types agree.
    type Same<V>;

    /// The step's value, unchanged.
    fn same<V>(value: V) -> Self::Same<V>;
}

impl<T: ?Sized> Carries<T> for T {
    type Same<V> = V;

    #[inline(always)]
    fn same<V>(value: V) -> V {
        value
    }
}

/// The type of a loop's carried value, taken from its start before the loop (nothing at
/// run time): what [`carried`] holds each step's value against.
pub struct CarriedType<T: ?Sized>(core::marker::PhantomData<fn(&T)>);

impl<T: ?Sized> Clone for CarriedType<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for CarriedType<T> {}

/// The carried value's type, from its start.
#[inline(always)]
pub fn carried_type<T: ?Sized>(_start: &T) -> CarriedType<T> {
    CarriedType(core::marker::PhantomData)
}

/// What a loop's carried value is, owned as a generated loop keeps it: a float of any
/// float type (a generic function's `T` too), or an array of its elements and dimension.
pub trait Carried {
    /// `F`, or `Array<F, D>`.
    type Is;
}

impl<F: Float> Carried for F {
    type Is = F;
}
impl<S: ndarray::RawData, D: ndarray::Dimension> Carried for ndarray::ArrayBase<S, D> {
    type Is = ndarray::Array<S::Elem, D>;
}

/// Emitted around each step's new value of a loop's carried value (owned, as the loop
/// keeps it), spanned at the user's assignment (`h = tanh(..)`): where the step gives the
/// value another number of axes than its start has (which the macro cannot know when the
/// start is a struct's field), that is the one error, on the user's tokens; the value is
/// then of a type rustc cannot name, so the generated loop reports nothing more.
#[inline(always)]
pub fn carried<S: Carried, V: Carried>(
    _start: CarriedType<S>,
    value: V,
) -> <V::Is as Carries<S::Is>>::Same<V>
where
    V::Is: Carries<S::Is>,
{
    <V::Is as Carries<S::Is>>::same(value)
}

/// [`carried_type`] of a carried array kept in an `Option` (`None` before the first
/// step).
#[inline(always)]
pub fn carried_type_in<T>(_state: &Option<T>) -> CarriedType<T> {
    CarriedType(core::marker::PhantomData)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ArrayView1};

    #[test]
    fn floats_arrays_views_and_their_tuples_are_let_types() {
        let_type::<f64, f64>();
        let_type::<(Array2<f32>, f32), f32>();
        let_type::<&ArrayView1<f64>, f64>();
    }

    #[test]
    fn a_view_or_a_reference_holds_what_its_array_does() {
        let x = ndarray::Array2::<f64>::zeros((2, 3));
        let_value::<Array2<f64>, _>(&x.view());
        let_value::<&Array2<f64>, _>(&&x);
        let_value::<f32, _>(&1.5f32);
        let_value::<(f64, Array2<f64>), _>(&(1.0, x));
    }
}
