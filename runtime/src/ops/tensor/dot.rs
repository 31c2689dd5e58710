//! Matrix products (`dot` for matrix·matrix, matrix·vector, vector·matrix,
//! vector·vector), their vector-Jacobian products, and transposition. Matrix·matrix
//! products run on the kernels `gemm.rs` picks, the others on ndarray's `dot`; both read
//! transposes as strided views rather than copies.

use ndarray::{
    Array, Array1, Array2, ArrayBase, ArrayRef, ArrayView, Axis, Data, Dimension, Ix0, Ix1, Ix2,
};

use super::gemm::matmul;
use super::operand::Operand;
use crate::Float;

/// The ranks `dot` accepts, as `Lhs: DotDims<Rhs>`, and what each pair gives.
///
/// | lhs | rhs | result | `Product<A>` |
/// |---|---|---|---|
/// | `Ix2` `[m, k]` | `Ix2` `[k, n]` | `[m, n]` | `Array2<A>` |
/// | `Ix2` `[m, k]` | `Ix1` `[k]` | `[m]` | `Array1<A>` |
/// | `Ix1` `[k]` | `Ix2` `[k, n]` | `[n]` | `Array1<A>` |
/// | `Ix1` `[k]` | `Ix1` `[k]` | scalar | `A` |
pub trait DotDims<Rhs: Dimension>: Dimension {
    /// The product's type.
    type Product<A: Float>;
    /// The product `a · b`.
    fn dot<A: Float>(a: ArrayView<'_, A, Self>, b: ArrayView<'_, A, Rhs>) -> Self::Product<A>;
}

/// The rank of `g = dL/d(a · b)` (`Self`) and of `b` determine the rank of `a`, so the
/// left VJP needs no shape hint: `GDim: LhsGrad<BDim>`.
///
/// | `g` | `b` | `a` | `dL/da` |
/// |---|---|---|---|
/// | `Ix2` | `Ix2` | `Ix2` | `g · bᵀ` |
/// | `Ix1` | `Ix1` | `Ix2` | outer(`g`, `b`) |
/// | `Ix1` | `Ix2` | `Ix1` | `b · g` |
/// | `Ix0` | `Ix1` | `Ix1` | `g b` |
pub trait LhsGrad<BDim: Dimension>: Dimension {
    /// The rank of `a`.
    type ADim: Dimension;
    /// `dL/da`.
    fn vjp_lhs<A: Float>(
        g: ArrayView<'_, A, Self>,
        b: ArrayView<'_, A, BDim>,
    ) -> Array<A, Self::ADim>;
}

/// The rank of `a` (`Self`) and of `g = dL/d(a · b)` determine the rank of `b`:
/// `ADim: RhsGrad<GDim>`.
///
/// | `a` | `g` | `b` | `dL/db` |
/// |---|---|---|---|
/// | `Ix2` | `Ix2` | `Ix2` | `aᵀ · g` |
/// | `Ix2` | `Ix1` | `Ix1` | `aᵀ · g` |
/// | `Ix1` | `Ix1` | `Ix2` | outer(`a`, `g`) |
/// | `Ix1` | `Ix0` | `Ix1` | `g a` |
pub trait RhsGrad<GDim: Dimension>: Dimension {
    /// The rank of `b`.
    type BDim: Dimension;
    /// `dL/db`.
    fn vjp_rhs<A: Float>(
        a: ArrayView<'_, A, Self>,
        g: ArrayView<'_, A, GDim>,
    ) -> Array<A, Self::BDim>;
}

fn outer<A: Float>(u: ArrayView<'_, A, Ix1>, v: ArrayView<'_, A, Ix1>) -> Array2<A> {
    u.insert_axis(Axis(1)).dot(&v.insert_axis(Axis(0)))
}

impl DotDims<Ix2> for Ix2 {
    type Product<A: Float> = Array2<A>;
    fn dot<A: Float>(a: ArrayView<'_, A, Ix2>, b: ArrayView<'_, A, Ix2>) -> Array2<A> {
        matmul(a, b)
    }
}

impl DotDims<Ix1> for Ix2 {
    type Product<A: Float> = Array1<A>;
    fn dot<A: Float>(a: ArrayView<'_, A, Ix2>, b: ArrayView<'_, A, Ix1>) -> Array1<A> {
        a.dot(&b)
    }
}

impl DotDims<Ix2> for Ix1 {
    type Product<A: Float> = Array1<A>;
    fn dot<A: Float>(a: ArrayView<'_, A, Ix1>, b: ArrayView<'_, A, Ix2>) -> Array1<A> {
        a.dot(&b)
    }
}

impl DotDims<Ix1> for Ix1 {
    type Product<A: Float> = A;
    fn dot<A: Float>(a: ArrayView<'_, A, Ix1>, b: ArrayView<'_, A, Ix1>) -> A {
        a.dot(&b)
    }
}

impl LhsGrad<Ix2> for Ix2 {
    type ADim = Ix2;
    fn vjp_lhs<A: Float>(g: ArrayView<'_, A, Ix2>, b: ArrayView<'_, A, Ix2>) -> Array2<A> {
        matmul(g, b.t())
    }
}

impl LhsGrad<Ix1> for Ix1 {
    type ADim = Ix2;
    fn vjp_lhs<A: Float>(g: ArrayView<'_, A, Ix1>, b: ArrayView<'_, A, Ix1>) -> Array2<A> {
        outer(g, b)
    }
}

impl LhsGrad<Ix2> for Ix1 {
    type ADim = Ix1;
    fn vjp_lhs<A: Float>(g: ArrayView<'_, A, Ix1>, b: ArrayView<'_, A, Ix2>) -> Array1<A> {
        b.dot(&g)
    }
}

impl LhsGrad<Ix1> for Ix0 {
    type ADim = Ix1;
    fn vjp_lhs<A: Float>(g: ArrayView<'_, A, Ix0>, b: ArrayView<'_, A, Ix1>) -> Array1<A> {
        let g = g[()];
        b.mapv(|v| g * v)
    }
}

impl RhsGrad<Ix2> for Ix2 {
    type BDim = Ix2;
    fn vjp_rhs<A: Float>(a: ArrayView<'_, A, Ix2>, g: ArrayView<'_, A, Ix2>) -> Array2<A> {
        matmul(a.t(), g)
    }
}

impl RhsGrad<Ix1> for Ix2 {
    type BDim = Ix1;
    fn vjp_rhs<A: Float>(a: ArrayView<'_, A, Ix2>, g: ArrayView<'_, A, Ix1>) -> Array1<A> {
        a.t().dot(&g)
    }
}

impl RhsGrad<Ix1> for Ix1 {
    type BDim = Ix2;
    fn vjp_rhs<A: Float>(a: ArrayView<'_, A, Ix1>, g: ArrayView<'_, A, Ix1>) -> Array2<A> {
        outer(a, g)
    }
}

impl RhsGrad<Ix0> for Ix1 {
    type BDim = Ix1;
    fn vjp_rhs<A: Float>(a: ArrayView<'_, A, Ix1>, g: ArrayView<'_, A, Ix0>) -> Array1<A> {
        let g = g[()];
        a.mapv(|v| g * v)
    }
}

/// Panics, at the caller's line, unless the `left` shape's `left_axis` and the `right`
/// shape's `right_axis` have one length: the lengths a product sums over.
#[track_caller]
fn check_chain(
    op: &str,
    product: &str,
    (left, left_axis): (&[usize], usize),
    (right, right_axis): (&[usize], usize),
) {
    let (l, r) = (left[left_axis], right[right_axis]);
    assert!(
        l == r,
        "{op}: shapes {left:?} and {right:?} do not chain ({product}: inner lengths {l} and {r})"
    );
}

/// The matrix product of `a` and `b` for any pair of ranks in [`DotDims`]: matrix·matrix
/// and matrix·vector give arrays, vector·vector a float.
///
/// # Panics
///
/// If the inner dimensions differ, naming both shapes and, through `#[track_caller]`, the
/// caller's line: `dot: shapes [4, 3] and [5, 2] do not chain (a · b: inner lengths 3 and
/// 5)`.
///
/// ```
/// use cadena::ops::tensor::dot;
/// use ndarray::array;
///
/// let a = array![[1.0_f64, 2.0], [3.0, 4.0]];
/// let v = array![1.0, 1.0];
/// assert_eq!(dot(&a, &a), array![[7.0, 10.0], [15.0, 22.0]]);
/// assert_eq!(dot(&a, &v), array![3.0, 7.0]);
/// assert_eq!(dot(&v, &a), array![4.0, 6.0]);
/// assert_eq!(dot(&v, &v), 2.0);
/// ```
#[track_caller]
pub fn dot<X, Y>(a: X, b: Y) -> <X::Dim as DotDims<Y::Dim>>::Product<X::Elem>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DotDims<Y::Dim>,
{
    let (av, bv) = (a.view(), b.view());
    // Every rank `DotDims` admits sums over a's last axis and b's first.
    check_chain("dot", "a · b", (av.shape(), av.ndim() - 1), (bv.shape(), 0));
    let product = <X::Dim as DotDims<Y::Dim>>::dot(av, bv);
    a.recycle();
    b.recycle();
    product
}

/// `dL/da` for `c = dot(a, b)` given `g = dL/dc`: `g · bᵀ` (an outer product when `a` is
/// a matrix and `b` a vector, `g · b` when both are vectors). Has `a`'s type.
///
/// # Panics
///
/// If the shapes do not chain (`b` a matrix whose rows are not as long as `g`'s), naming
/// both shapes and the caller's line.
///
/// ```
/// use cadena::ops::tensor::dot_vjp_lhs;
/// use ndarray::array;
///
/// let b = array![[1.0_f64, 2.0], [3.0, 4.0]];
/// let g = array![[1.0, 0.0]];
/// assert_eq!(dot_vjp_lhs(&g, &b), array![[1.0, 3.0]]);
/// assert_eq!(dot_vjp_lhs(2.0, &array![1.0, 3.0]), array![2.0, 6.0]);
/// ```
#[track_caller]
pub fn dot_vjp_lhs<G, Y>(g: G, b: Y) -> Array<G::Elem, <G::Dim as LhsGrad<Y::Dim>>::ADim>
where
    G: Operand,
    Y: Operand<Elem = G::Elem>,
    G::Dim: LhsGrad<Y::Dim>,
{
    let (gv, bv) = (g.view(), b.view());
    // Against a matrix `b` the product is `g · bᵀ`; against a vector, an outer product or
    // a scaling, which chain whatever the lengths.
    if bv.ndim() == 2 {
        check_chain(
            "dot_vjp_lhs",
            "g · bᵀ",
            (gv.shape(), gv.ndim() - 1),
            (bv.shape(), 1),
        );
    }
    let product = <G::Dim as LhsGrad<Y::Dim>>::vjp_lhs(gv, bv);
    g.recycle();
    b.recycle();
    product
}

/// `dL/db` for `c = dot(a, b)` given `g = dL/dc`: `aᵀ · g` (an outer product when `a` is
/// a vector and `b` a matrix, `g · a` when both are vectors). Has `b`'s type.
///
/// # Panics
///
/// If the shapes do not chain (`a` a matrix with another number of rows than `g`),
/// naming both shapes and the caller's line.
///
/// ```
/// use cadena::ops::tensor::dot_vjp_rhs;
/// use ndarray::array;
///
/// let a = array![[1.0_f64, 2.0], [3.0, 4.0]];
/// assert_eq!(dot_vjp_rhs(&a, &array![1.0, 0.0]), array![1.0, 2.0]);
/// assert_eq!(dot_vjp_rhs(&array![1.0, 2.0], &array![1.0, 1.0]), array![[1.0, 1.0], [2.0, 2.0]]);
/// ```
#[track_caller]
pub fn dot_vjp_rhs<X, G>(a: X, g: G) -> Array<X::Elem, <X::Dim as RhsGrad<G::Dim>>::BDim>
where
    X: Operand,
    G: Operand<Elem = X::Elem>,
    X::Dim: RhsGrad<G::Dim>,
{
    let (av, gv) = (a.view(), g.view());
    // A matrix `a` makes the product `aᵀ · g`; a vector, an outer product or a scaling.
    if av.ndim() == 2 {
        check_chain("dot_vjp_rhs", "aᵀ · g", (av.shape(), 0), (gv.shape(), 0));
    }
    let product = <X::Dim as RhsGrad<G::Dim>>::vjp_rhs(av, gv);
    a.recycle();
    g.recycle();
    product
}

/// What [`t`] accepts and gives: an owned array transposes in place (its axes reversed,
/// no copy), a reference or view transposes to a view, a float is itself.
pub trait Transpose {
    /// The transposed value's type.
    type Output;
    /// Reverses the axes.
    fn transpose(self) -> Self::Output;
}

impl<A: Float, D: Dimension> Transpose for Array<A, D> {
    type Output = Array<A, D>;
    fn transpose(self) -> Array<A, D> {
        self.reversed_axes()
    }
}

impl<'a, A: Float, D: Dimension> Transpose for ArrayView<'a, A, D> {
    type Output = ArrayView<'a, A, D>;
    fn transpose(self) -> ArrayView<'a, A, D> {
        self.reversed_axes()
    }
}

impl<'a, A: Float, S: Data<Elem = A>, D: Dimension> Transpose for &'a ArrayBase<S, D> {
    type Output = ArrayView<'a, A, D>;
    fn transpose(self) -> ArrayView<'a, A, D> {
        ArrayRef::view(self).reversed_axes()
    }
}

impl<'a, A: Float, D: Dimension> Transpose for &'a ArrayRef<A, D> {
    type Output = ArrayView<'a, A, D>;
    fn transpose(self) -> ArrayView<'a, A, D> {
        ArrayRef::view(self).reversed_axes()
    }
}

macro_rules! transpose_float {
    ($($t:ty),*) => {$(
        impl Transpose for $t {
            type Output = $t;
            fn transpose(self) -> $t {
                self
            }
        }
    )*};
}
transpose_float!(f32, f64);

/// The transpose (axes reversed; for a matrix, rows become columns). Free for every
/// input: owned arrays keep their buffer, references give views. Its own VJP.
///
/// ```
/// use cadena::ops::tensor::t;
/// use ndarray::array;
///
/// let a = array![[1.0_f32, 2.0, 3.0]];
/// assert_eq!(t(&a), array![[1.0], [2.0], [3.0]]);
/// assert_eq!(t(a.clone()).shape(), &[3, 1]);
/// ```
pub fn t<X: Transpose>(x: X) -> X::Output {
    x.transpose()
}
