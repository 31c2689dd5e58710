//! What a tensor helper accepts as an operand (a float, an array, a view, a reference to
//! either) and the type-level rule that picks its result type: a float when every
//! operand is a float, an owned array of the broadcast rank otherwise.

use ndarray::{Array, ArrayBase, ArrayRef, ArrayView, Data, DimMax, Dimension, Ix0};

use crate::Float;

/// Whether an operand is a plain float ([`Scalar`]) or an array ([`Tensor`]).
///
/// Combining kinds with [`Kind::Or`] gives the kind of a result: `Scalar` only when every
/// operand is a `Scalar`. [`Kind::Wrap`] turns a kind into the concrete result type.
pub trait Kind {
    /// The kind of a result computed from an operand of this kind and one of kind `K`.
    type Or<K: Kind>: Kind;
    /// The result type for element `A` and rank `D`: `A` for `Scalar`, `Array<A, D>` for
    /// `Tensor`.
    type Wrap<A: Float, D: Dimension>;
    /// Builds a result from `input`, running only the closure that matches this kind.
    fn wrap<A: Float, D: Dimension, T>(
        input: T,
        scalar: impl FnOnce(T) -> A,
        array: impl FnOnce(T) -> Array<A, D>,
    ) -> Self::Wrap<A, D>;
    /// [`Kind::wrap`] for a fallible array computation.
    fn try_wrap<A: Float, D: Dimension, T, E>(
        input: T,
        scalar: impl FnOnce(T) -> A,
        array: impl FnOnce(T) -> Result<Array<A, D>, E>,
    ) -> Result<Self::Wrap<A, D>, E>;
    /// A read-only look at an operand of this kind: the float itself for `Scalar`, a view
    /// for `Tensor` (how a generated loop reads a carried value whose kind only rustc
    /// knows, such as one started from a struct's field, keeping a float a float).
    type Look<'a, A: Float + 'a, D: Dimension + 'a>;
    /// [`Kind::Look`] of `x`.
    fn look<X: Operand<Kind = Self>>(x: &X) -> Self::Look<'_, X::Elem, X::Dim>;
}

/// The kind of a plain float operand (`f32`, `f64`, or a reference to one).
#[derive(Debug, Clone, Copy)]
pub enum Scalar {}

/// The kind of an array operand (owned, view, or reference).
#[derive(Debug, Clone, Copy)]
pub enum Tensor {}

impl Kind for Scalar {
    type Or<K: Kind> = K;
    type Wrap<A: Float, D: Dimension> = A;
    type Look<'a, A: Float + 'a, D: Dimension + 'a> = A;
    #[inline(always)]
    fn look<X: Operand<Kind = Self>>(x: &X) -> X::Elem {
        x.scalar()
    }
    #[inline(always)]
    fn wrap<A: Float, D: Dimension, T>(
        input: T,
        scalar: impl FnOnce(T) -> A,
        _array: impl FnOnce(T) -> Array<A, D>,
    ) -> A {
        scalar(input)
    }
    #[inline(always)]
    fn try_wrap<A: Float, D: Dimension, T, E>(
        input: T,
        scalar: impl FnOnce(T) -> A,
        _array: impl FnOnce(T) -> Result<Array<A, D>, E>,
    ) -> Result<A, E> {
        Ok(scalar(input))
    }
}

impl Kind for Tensor {
    type Or<K: Kind> = Tensor;
    type Wrap<A: Float, D: Dimension> = Array<A, D>;
    type Look<'a, A: Float + 'a, D: Dimension + 'a> = ArrayView<'a, A, D>;
    #[inline(always)]
    fn look<X: Operand<Kind = Self>>(x: &X) -> ArrayView<'_, X::Elem, X::Dim> {
        x.view()
    }
    #[inline(always)]
    fn wrap<A: Float, D: Dimension, T>(
        input: T,
        _scalar: impl FnOnce(T) -> A,
        array: impl FnOnce(T) -> Array<A, D>,
    ) -> Array<A, D> {
        array(input)
    }
    #[inline(always)]
    fn try_wrap<A: Float, D: Dimension, T, E>(
        input: T,
        _scalar: impl FnOnce(T) -> A,
        array: impl FnOnce(T) -> Result<Array<A, D>, E>,
    ) -> Result<Array<A, D>, E> {
        array(input)
    }
}

/// A value the tensor helpers accept: `f32`/`f64` (or a reference to one), an owned
/// `Array`, an `ArrayView`, or a reference to an array or view.
///
/// Passing an owned `Array` lets a helper reuse its buffer for the result.
///
/// A float literal passed as an operand needs its suffix (`2.0_f32`): both `f32` and
/// `f64` are operands, so an unsuffixed literal falls back to `f64`. Constants inside a
/// map's closure take their type from the closure's arguments and need none.
///
/// ```
/// use cadena::ops::tensor::Operand;
/// use ndarray::array;
///
/// let a = array![[1.0_f32, 2.0], [3.0, 4.0]];
/// assert_eq!((&a).view().shape(), &[2, 2]);
/// assert_eq!(2.5_f64.view().shape(), &[] as &[usize]);
/// ```
pub trait Operand: Sized {
    /// The element type.
    type Elem: Float;
    /// The rank (`Ix0` for a float).
    type Dim: Dimension;
    /// [`Scalar`] for a float, [`Tensor`] for anything array-like.
    type Kind: Kind;
    /// A read-only view of the operand (0-dimensional for a float).
    fn view(&self) -> ArrayView<'_, Self::Elem, Self::Dim>;
    /// The operand's own buffer if it owns one, so a result can be written into it;
    /// otherwise the operand back unchanged.
    fn into_buffer(self) -> Result<Array<Self::Elem, Self::Dim>, Self>;
    /// The value of a float operand. Only meaningful when `Kind = Scalar`; arrays return
    /// their first element (or zero if empty).
    fn scalar(&self) -> Self::Elem;
    /// Done with the operand: an owned array's buffer goes back to this thread's
    /// [`pool`](super::pool) for a later result; anything else is just dropped.
    #[inline(always)]
    fn recycle(self) {}
}

// A float. `Float` requires this impl (a supertrait), so a generic function's `T: Float`
// is an operand too (a loop of such a function carries it through `owned`/`put`); a
// blanket `impl<F: Float>` instead made rustc read any type it could not place as a float,
// so `max_axis(&x, ..)` of `x: &Array3` reported `Ix0: RemoveAxis` instead of naming the
// `&&ArrayBase` it was given.
macro_rules! float_operand {
    ($($t:ty),*) => {$(
        impl Operand for $t {
            type Elem = $t;
            type Dim = Ix0;
            type Kind = Scalar;
            #[inline(always)]
            fn view(&self) -> ArrayView<'_, $t, Ix0> {
                ndarray::aview0(self)
            }
            #[inline(always)]
            fn into_buffer(self) -> Result<Array<$t, Ix0>, Self> {
                Err(self)
            }
            #[inline(always)]
            fn scalar(&self) -> $t {
                *self
            }
        }
    )*};
}
float_operand!(f32, f64);

// A reference to a float (`&f64`, which the dialect reads as the float), generic so that a
// function generic over its float may borrow a `T` (a struct's float field, a loop's float
// whose kind only rustc knows) as it borrows an `f64`. Its types are the float's, not
// `Ix0` written out: for a reference to a reference to an array, rustc then names what it
// was given (`&ArrayBase: Float` is not satisfied, for `&&ArrayBase`) rather than the
// first bound of the helper that `Ix0` breaks.
impl<F: Float> Operand for &F {
    type Elem = <F as Operand>::Elem;
    type Dim = <F as Operand>::Dim;
    type Kind = <F as Operand>::Kind;
    #[inline(always)]
    fn view(&self) -> ArrayView<'_, Self::Elem, Self::Dim> {
        (**self).view()
    }
    #[inline(always)]
    fn into_buffer(self) -> Result<Array<Self::Elem, Self::Dim>, Self> {
        Err(self)
    }
    #[inline(always)]
    fn scalar(&self) -> Self::Elem {
        (**self).scalar()
    }
}

#[inline(always)]
fn first<A: Float, D: Dimension>(a: &ArrayRef<A, D>) -> A {
    a.iter().next().copied().unwrap_or_else(A::zero)
}

impl<A: Float, D: Dimension> Operand for Array<A, D> {
    type Elem = A;
    type Dim = D;
    type Kind = Tensor;
    #[inline(always)]
    fn view(&self) -> ArrayView<'_, A, D> {
        ArrayRef::view(self)
    }
    #[inline(always)]
    fn into_buffer(self) -> Result<Array<A, D>, Self> {
        Ok(self)
    }
    fn scalar(&self) -> A {
        first(self)
    }
    fn recycle(self) {
        super::pool::recycle(self);
    }
}

impl<'a, A: Float, D: Dimension> Operand for ArrayView<'a, A, D> {
    type Elem = A;
    type Dim = D;
    type Kind = Tensor;
    #[inline(always)]
    fn view(&self) -> ArrayView<'_, A, D> {
        ArrayRef::view(self)
    }
    #[inline(always)]
    fn into_buffer(self) -> Result<Array<A, D>, Self> {
        Err(self)
    }
    fn scalar(&self) -> A {
        first(self)
    }
}

impl<A: Float, S: Data<Elem = A>, D: Dimension> Operand for &ArrayBase<S, D> {
    type Elem = A;
    type Dim = D;
    type Kind = Tensor;
    #[inline(always)]
    fn view(&self) -> ArrayView<'_, A, D> {
        ArrayRef::view(*self)
    }
    #[inline(always)]
    fn into_buffer(self) -> Result<Array<A, D>, Self> {
        Err(self)
    }
    fn scalar(&self) -> A {
        first(self)
    }
}

impl<A: Float, D: Dimension> Operand for &ArrayRef<A, D> {
    type Elem = A;
    type Dim = D;
    type Kind = Tensor;
    #[inline(always)]
    fn view(&self) -> ArrayView<'_, A, D> {
        ArrayRef::view(self)
    }
    #[inline(always)]
    fn into_buffer(self) -> Result<Array<A, D>, Self> {
        Err(self)
    }
    fn scalar(&self) -> A {
        first(self)
    }
}

/// The kind of the result of combining operands `X` and `Y`.
pub type KindOf2<X, Y> = <<X as Operand>::Kind as Kind>::Or<<Y as Operand>::Kind>;

/// The broadcast rank of operands `X` and `Y`.
pub type DimOf2<X, Y> = <<X as Operand>::Dim as DimMax<<Y as Operand>::Dim>>::Output;

/// The broadcast rank of operands `X`, `Y` and `Z`.
pub type DimOf3<X, Y, Z> = <DimOf2<X, Y> as DimMax<<Z as Operand>::Dim>>::Output;

/// The broadcast rank of operands `X`, `Y`, `Z` and `W`.
pub type DimOf4<X, Y, Z, W> = <DimOf3<X, Y, Z> as DimMax<<W as Operand>::Dim>>::Output;

/// The result type of an elementwise function of one operand: `A` for a float, an owned
/// array of the same rank otherwise.
pub type Out1<X> = <<X as Operand>::Kind as Kind>::Wrap<<X as Operand>::Elem, <X as Operand>::Dim>;

/// The result type of an elementwise function of two broadcast operands.
pub type Out2<X, Y> = <KindOf2<X, Y> as Kind>::Wrap<<X as Operand>::Elem, DimOf2<X, Y>>;

/// The result type of an elementwise function of three broadcast operands.
pub type Out3<X, Y, Z> = <<KindOf2<X, Y> as Kind>::Or<<Z as Operand>::Kind> as Kind>::Wrap<
    <X as Operand>::Elem,
    DimOf3<X, Y, Z>,
>;

/// The result type of an elementwise function of four broadcast operands.
pub type Out4<X, Y, Z, W> = <<<KindOf2<X, Y> as Kind>::Or<<Z as Operand>::Kind> as Kind>::Or<
    <W as Operand>::Kind,
> as Kind>::Wrap<<X as Operand>::Elem, DimOf4<X, Y, Z, W>>;

/// The result type of a function that returns something shaped like operand `X`: `A` for
/// a float, an owned array of `X`'s rank otherwise.
pub type Like<X> = Out1<X>;

/// `[2, 3] with [4]`-style text naming incompatible shapes, for panic messages.
pub(crate) fn shapes_text(shapes: &[&[usize]]) -> String {
    shapes
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(" with ")
}
