//! Elementwise maps over broadcast operands: the primitive a fused elementwise chain
//! compiles to. One closure, one pass over memory, a float result for float operands and
//! an owned array of the broadcast shape otherwise.
//!
//! Speed comes from reducing every operand to a *tile*: a contiguous slice repeated along
//! the leading axes (a same-shape C-order array is one tile covering everything; a bias
//! row is a tile of one row; a float or a one-element array is a tile of length 1, read
//! as a constant). The output is then filled chunk by chunk with a plain indexed loop over
//! slices that LLVM vectorises. Anything else (transposed or column-broadcast operands)
//! goes through `ndarray::Zip`.

use ndarray::{Array, ArrayView, DimMax, Dimension, Slice, Zip};

use super::fast::vectorised;
use super::operand::{
    DimOf2, DimOf3, DimOf4, Kind, KindOf2, Operand, Out1, Out2, Out3, Out4, shapes_text,
};
use super::pool;
use super::shape::same_shape;
use crate::Float;

/// Operands whose shapes do not broadcast together.
#[derive(Debug)]
pub(crate) struct Mismatch {
    shapes: Vec<Vec<usize>>,
    running: Vec<usize>,
    offending: Vec<usize>,
}

impl Mismatch {
    /// Panics naming `op` and the shapes, at the line that called the public op (every
    /// function between it and here tracks its caller).
    #[track_caller]
    pub(crate) fn panic(self, op: &'static str) -> ! {
        let shapes: Vec<&[usize]> = self.shapes.iter().map(Vec::as_slice).collect();
        panic!("{op}: cannot broadcast {}", shapes_text(&shapes))
    }

    fn into_error(self, op: &'static str) -> crate::Error {
        crate::Error::Shape {
            op,
            left: self.running,
            right: self.offending,
        }
    }
}

/// The broadcast shape of `shapes` as rank `D`.
pub(crate) fn broadcast<D: Dimension>(shapes: &[&[usize]]) -> Result<D, Mismatch> {
    if let Some((first, rest)) = shapes.split_first()
        && rest.iter().all(|s| same_shape(s, first))
    {
        // Operands of one shape (most maps): nothing to broadcast.
        let mut out = D::zeros(first.len());
        out.slice_mut().copy_from_slice(first);
        return Ok(out);
    }
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = D::zeros(ndim);
    out.slice_mut().fill(1);
    for shape in shapes {
        let k = ndim - shape.len();
        let fits = out.slice()[k..]
            .iter()
            .zip(shape.iter())
            .all(|(&o, &s)| o == s || o == 1 || s == 1);
        if !fits {
            return Err(Mismatch {
                shapes: shapes.iter().map(|s| s.to_vec()).collect(),
                running: out.slice().to_vec(),
                offending: shape.to_vec(),
            });
        }
        for (o, &s) in out.slice_mut()[k..].iter_mut().zip(shape.iter()) {
            if *o == 1 {
                *o = s;
            }
        }
    }
    Ok(out)
}

/// A constant standing for every element of a lane.
#[derive(Clone, Copy)]
struct Splat<A>(A);

/// One operand's values over one chunk of the output: a slice or a constant.
#[derive(Clone, Copy)]
enum Lane<'a, A> {
    Slice(&'a [A]),
    Splat(Splat<A>),
}

/// Indexed access that compiles to a load (slice) or a register (constant).
trait At<A>: Copy {
    /// Restricts to the first `n` values, so the loop over `0..n` needs no bounds checks.
    fn fit(self, n: usize) -> Self;
    fn at(self, i: usize) -> A;
}

impl<A: Copy> At<A> for &[A] {
    #[inline(always)]
    fn fit(self, n: usize) -> Self {
        &self[..n]
    }
    #[inline(always)]
    fn at(self, i: usize) -> A {
        self[i]
    }
}

impl<A: Copy> At<A> for Splat<A> {
    #[inline(always)]
    fn fit(self, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn at(self, _: usize) -> A {
        self.0
    }
}

/// The contiguous slice that `v` (already broadcast to the output shape) repeats along
/// its leading axes, or `None` if it is not laid out that way.
fn tile<'a, A, D: Dimension>(v: &ArrayView<'a, A, D>) -> Option<&'a [A]> {
    // An empty array (a batch of 0 rows) is any tile repeated no times; below, slicing
    // an axis of length 0 to its first index would panic.
    if v.is_empty() {
        return Some(&[]);
    }
    let shape = v.shape();
    let strides = v.strides();
    let mut j = shape.len();
    let mut expected = 1_usize;
    while j > 0 {
        let i = j - 1;
        if shape[i] == 1 || strides[i] == expected as isize {
            expected *= shape[i];
            j -= 1;
        } else {
            break;
        }
    }
    if j == 0 {
        // Contiguous as a whole (the common case): no axis to cut to its first index.
        return v.to_slice();
    }
    if !(0..j).all(|i| shape[i] == 1 || strides[i] == 0) {
        return None;
    }
    let mut t = v.clone();
    t.slice_each_axis_inplace(|ax| {
        if ax.axis.index() < j {
            Slice::from(0..1)
        } else {
            Slice::from(..)
        }
    });
    t.to_slice()
}

/// How an operand broadcast to the output is read chunk by chunk.
#[derive(Clone, Copy)]
enum Tile<'a, A> {
    /// A contiguous slice repeated along the leading axes ([`tile`]).
    Repeat(&'a [A]),
    /// One value per row: an array broadcast along the last axis
    /// (`x - mean.insert_axis(Axis(1))`), read with chunks of one row, each a constant.
    Column(&'a [A]),
}

/// How `v` (already broadcast to the output shape) is read by chunks, or `None` if it is
/// laid out neither way (transposed): then the map goes through `Zip`.
fn tiling<'a, A, D: Dimension>(v: &ArrayView<'a, A, D>) -> Option<Tile<'a, A>> {
    if let Some(t) = tile(v) {
        return Some(Tile::Repeat(t));
    }
    let last = v.ndim().checked_sub(1)?;
    if v.strides()[last] != 0 {
        return None;
    }
    let mut col = v.clone();
    col.slice_each_axis_inplace(|ax| match ax.axis.index() == last {
        true => Slice::from(0..1),
        false => Slice::from(..),
    });
    col.to_slice().map(Tile::Column)
}

/// The chunk length: a row when an operand is a column, else the shortest repeated tile
/// (tiles are suffix products of one shape, so each divides the longer ones, the whole
/// size `n`, and is a multiple of the row length `cols`).
fn chunk_len<A>(n: usize, cols: usize, tiles: &[Tile<'_, A>]) -> usize {
    if tiles.iter().any(|t| matches!(t, Tile::Column(_))) {
        return cols;
    }
    tiles
        .iter()
        .filter_map(|t| match t {
            Tile::Repeat(t) if t.len() > 1 => Some(t.len()),
            _ => None,
        })
        .min()
        .unwrap_or(n)
}

/// The lane of `tile` for chunk `c` of length `m`.
#[inline(always)]
fn lane<A: Copy>(tile: Tile<'_, A>, c: usize, m: usize) -> Lane<'_, A> {
    match tile {
        Tile::Repeat(t) if t.len() == 1 => Lane::Splat(Splat(t[0])),
        Tile::Repeat(t) => {
            let off = (c * m) % t.len();
            Lane::Slice(&t[off..off + m])
        }
        Tile::Column(col) => Lane::Splat(Splat(col[c])),
    }
}

/// Expands `$body` once per combination of lane kinds, rebinding each named lane to a
/// slice or a constant, so every combination gets its own straight-line loop.
macro_rules! with_lanes {
    ($body:expr; ) => { $body };
    ($body:expr; $head:ident $(, $rest:ident)*) => {
        match $head {
            Lane::Slice($head) => with_lanes!($body; $($rest),*),
            Lane::Splat($head) => with_lanes!($body; $($rest),*),
        }
    };
}

/// Stands for the element type once per listed operand.
macro_rules! elem {
    ($_x:ident) => {
        A
    };
}

/// Generates, for one arity, the fresh-output loop, the in-place loop and the driver
/// that picks between tiles and `Zip`.
macro_rules! engine {
    ($engine:ident, $extend:ident, $update:ident; $x0:ident: $X0:ident $(, $x:ident: $X:ident)*) => {
        #[inline(always)]
        fn $extend<A: Copy, $X0: At<A>, $($X: At<A>,)* F: Fn(A, $(elem!($x)),*) -> A>(
            out: &mut [A], $x0: $X0, $($x: $X,)* f: &F,
        ) {
            let n = out.len();
            let ($x0, $($x,)*) = ($x0.fit(n), $($x.fit(n),)*);
            // Indexing every slice with one `i < n` lets LLVM drop the bounds checks and
            // vectorise; an `enumerate` over `out` left them in (a scalar loop).
            let out = &mut out[..n];
            for i in 0..n {
                out[i] = f($x0.at(i), $($x.at(i)),*);
            }
        }

        // With one operand the index and chunk number go unused.
        #[allow(unused_variables)]
        #[inline(always)]
        fn $update<A: Copy, $($X: At<A>,)* F: Fn(A, $(elem!($x)),*) -> A>(
            out: &mut [A], $($x: $X,)* f: &F,
        ) {
            let n = out.len();
            let ($($x,)*) = ($($x.fit(n),)*);
            let out = &mut out[..n];
            for i in 0..n {
                out[i] = f(out[i], $($x.at(i)),*);
            }
        }

        /// The in-place loop over chunks of `m` (inlined into the `vectorised` entry).
        #[allow(unused_variables)]
        #[inline(always)]
        fn update_chunks<A: Copy, F: Fn(A, $(elem!($x)),*) -> A>(
            s: &mut [A], m: usize, $($x: Tile<'_, A>,)* f: &F,
        ) {
            for (c, chunk) in s.chunks_exact_mut(m).enumerate() {
                $(let $x = lane($x, c, m);)*
                with_lanes!($update(chunk, $($x,)* f); $($x),*);
            }
        }

        /// The map over operands that broadcast together; the first operand's buffer
        /// holds the result when it owns one of the result's shape. The others, once read,
        /// go back to the buffer pool ([`Operand::recycle`]).
        #[allow(unused_variables)]
        pub(super) fn $engine<A, D, $X0, $($X,)* F>($x0: $X0, $($x: $X,)* f: F) -> Result<Array<A, D>, Mismatch>
        where
            A: Float,
            D: Dimension,
            $X0: Operand<Elem = A>,
            $($X: Operand<Elem = A>,)*
            F: Fn(A, $(elem!($x)),*) -> A,
        {
            let shape: D = broadcast(&[$x0.view().shape(), $($x.view().shape()),*])?;
            let n = shape.size();
            // Inside the block each operand's name is its broadcast view; after it, the
            // operand itself again, to recycle.
            let out = {
                $(
                    let $x = $x.view();
                    let $x = $x.broadcast(shape.clone()).expect("shape checked above");
                )*
                match $x0.into_buffer() {
                    Ok(buf) if same_shape(buf.shape(), shape.slice()) => {
                        let mut out = buf.into_dimensionality::<D>().expect("same rank");
                        if let (true, $(Some($x),)*) = (out.is_standard_layout(), $(tiling(&$x),)*) {
                            let s = out.as_slice_mut().expect("standard layout");
                            let cols = shape.slice().last().copied().unwrap_or(1);
                            let m = chunk_len::<A>(n, cols, &[$($x),*]);
                            vectorised(#[inline(always)] || update_chunks(s, m.max(1), $($x,)* &f));
                        } else {
                            zip_update(&mut out, $(&$x,)* &f);
                        }
                        out
                    }
                    Ok(buf) => {
                        let v = buf.view();
                        let out = fresh(&shape, v.broadcast(shape.clone()).expect("shape checked"), $(&$x,)* f);
                        pool::recycle(buf);
                        out
                    }
                    Err(op) => {
                        let v = op.view();
                        fresh(&shape, v.broadcast(shape.clone()).expect("shape checked"), $(&$x,)* f)
                    }
                }
            };
            $($x.recycle();)*
            Ok(out)
        }
    };
}

macro_rules! fresh_fn {
    ($fresh:ident, $extend:ident; $x0:ident $(, $x:ident)*) => {
        /// The fresh-output loop over chunks of `m` (inlined into the `vectorised` entry).
        #[inline(always)]
        fn extend_chunks<A: Copy, F: Fn(A, $(elem!($x)),*) -> A>(
            out: &mut [A], m: usize, $x0: Tile<'_, A>, $($x: Tile<'_, A>,)* f: &F,
        ) {
            for (c, chunk) in out.chunks_exact_mut(m).enumerate() {
                let $x0 = lane($x0, c, m);
                $(let $x = lane($x, c, m);)*
                with_lanes!($extend(chunk, $x0, $($x,)* f); $x0 $(, $x)*);
            }
        }

        /// Computes into a new buffer, by tiles when every operand has one.
        fn $fresh<A: Float, D: Dimension, F: Fn(A, $(elem!($x)),*) -> A>(
            shape: &D,
            $x0: ArrayView<'_, A, D>,
            $($x: &ArrayView<'_, A, D>,)*
            f: F,
        ) -> Array<A, D> {
            let n = shape.size();
            if n > 0 {
                if let (Some($x0), $(Some($x),)*) = (tiling(&$x0), $(tiling($x),)*) {
                    let cols = shape.slice().last().copied().unwrap_or(1);
                    let m = chunk_len(n, cols, &[$x0, $($x),*]);
                    // An initialised buffer (from the pool, or zeroed) keeps the write
                    // loop a plain indexed store that vectorises (an `extend` does not).
                    let mut out = pool::take::<A>(n);
                    vectorised(#[inline(always)] || extend_chunks(&mut out, m, $x0, $($x,)* &f));
                    return Array::from_shape_vec(shape.clone(), out).expect("n elements");
                }
            }
            zip_fresh(&$x0, $($x,)* &f)
        }

        /// The `Zip` over operands that have no tiles (transposed, or broadcast along a
        /// trailing axis), for every closure: its loops are compiled once per element
        /// type and rank instead of once per fused map, which in an optimised build was
        /// 40 % of a gradient's code for a path rarely taken. The price is a call per
        /// element on that path.
        #[inline(never)]
        fn zip_fresh<A: Float, D: Dimension>(
            $x0: &ArrayView<'_, A, D>,
            $($x: &ArrayView<'_, A, D>,)*
            f: &dyn Fn(A, $(elem!($x)),*) -> A,
        ) -> Array<A, D> {
            Zip::from($x0)$(.and($x))*.map_collect(|&$x0, $(&$x),*| f($x0, $($x),*))
        }
    };
}

macro_rules! zip_update_fn {
    ($($x:ident),*) => {
        /// The in-place `Zip`, once per element type and rank (see `zip_fresh`).
        #[allow(unused_variables)]
        #[inline(never)]
        fn zip_update<A: Float, D: Dimension>(
            out: &mut Array<A, D>,
            $($x: &ArrayView<'_, A, D>,)*
            f: &dyn Fn(A, $(elem!($x)),*) -> A,
        ) {
            Zip::from(out)$(.and($x))*.for_each(|o, $(&$x),*| *o = f(*o, $($x),*));
        }
    };
}

/// How a map's closure reaches its engine. With debug assertions (a debug build, or
/// dependencies optimised under a dev profile) as a trait object, so that each engine is
/// compiled once per operand types instead of once per closure: in a debug build of
/// tensor code the engines were most of the generated code (`cargo llvm-lines`: 759
/// copies of the two-operand engine and 2,708 of ndarray's `Zip` loops for 50 tensor
/// functions), and unoptimised code calls the closure, not inlines it, either way.
/// Optimised builds pass the closure itself, to be inlined and vectorised.
mod erase {
    macro_rules! erase {
        ($name:ident: $($a:ident),+) => {
            #[cfg(debug_assertions)]
            #[inline(always)]
            pub(super) fn $name<A, F: Fn($($a),+) -> A>(f: &F) -> &dyn Fn($($a),+) -> A {
                f
            }

            #[cfg(not(debug_assertions))]
            #[inline(always)]
            pub(super) fn $name<A, F: Fn($($a),+) -> A>(f: &F) -> &F {
                f
            }
        };
    }
    erase!(one: A);
    erase!(two: A, A);
    erase!(three: A, A, A);
    erase!(four: A, A, A, A);
}

mod arity1 {
    use super::*;
    engine!(engine, write, update; x0: X0);
    fresh_fn!(fresh, write; x0);
    zip_update_fn!();
}
mod arity2 {
    use super::*;
    engine!(engine, write, update; x0: X0, x1: X1);
    fresh_fn!(fresh, write; x0, x1);
    zip_update_fn!(x1);
}
mod arity3 {
    use super::*;
    engine!(engine, write, update; x0: X0, x1: X1, x2: X2);
    fresh_fn!(fresh, write; x0, x1, x2);
    zip_update_fn!(x1, x2);
}
mod arity4 {
    use super::*;
    engine!(engine, write, update; x0: X0, x1: X1, x2: X2, x3: X3);
    fresh_fn!(fresh, write; x0, x1, x2, x3);
    zip_update_fn!(x1, x2, x3);
}

/// Applies `f` to every element of `x`: a float for a float, an owned array of the same
/// shape for an array. An owned array is updated in place (no allocation).
///
/// ```
/// use cadena::ops::tensor::map1;
/// use ndarray::array;
///
/// assert_eq!(map1(2.0_f64, |a| a * a), 4.0);
/// let x = array![[1.0_f32, -2.0], [3.0, -4.0]];
/// assert_eq!(map1(&x, f32::abs), array![[1.0, 2.0], [3.0, 4.0]]);
/// ```
#[inline]
pub fn map1<X, F>(x: X, f: F) -> Out1<X>
where
    X: Operand,
    F: Fn(X::Elem) -> X::Elem,
{
    <X::Kind as Kind>::wrap(
        (x, f),
        |(x, f)| f(x.scalar()),
        |(x, f)| {
            arity1::engine::<_, X::Dim, _, _>(x, erase::one(&f)).unwrap_or_else(|m| m.panic("map1"))
        },
    )
}

/// Applies `f` elementwise to `x` and `y` broadcast together (NumPy rules): a float when
/// both are floats, else an owned array of the broadcast shape. When `x` is an owned array
/// that already has the broadcast shape, the result is written into it.
///
/// # Panics
///
/// If the shapes do not broadcast, with a message naming them and, through
/// `#[track_caller]`, the caller's line: `map2: cannot broadcast [256, 10] with [3]`.
/// [`try_map2`] returns the error instead.
///
/// ```
/// use cadena::ops::tensor::map2;
/// use ndarray::array;
///
/// assert_eq!(map2(3.0_f32, 4.0_f32, |a, b| a * b), 12.0);
/// let z = array![[1.0_f64, 2.0], [3.0, 4.0]];
/// let b = array![10.0, 20.0];
/// assert_eq!(map2(&z, &b, |z, b| z + b), array![[11.0, 22.0], [13.0, 24.0]]);
/// assert_eq!(map2(2.0, &b, |s, b| s * b), array![20.0, 40.0]);
/// ```
#[inline]
#[track_caller]
pub fn map2<X, Y, F>(x: X, y: Y, f: F) -> Out2<X, Y>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
    F: Fn(X::Elem, X::Elem) -> X::Elem,
{
    // The mismatch comes out of the closure to panic here: a closure cannot track its
    // caller, so a panic inside one would name this file instead of the caller's line.
    let out = <KindOf2<X, Y> as Kind>::try_wrap(
        (x, y, f),
        |(x, y, f)| f(x.scalar(), y.scalar()),
        |(x, y, f)| arity2::engine::<_, DimOf2<X, Y>, _, _, _>(x, y, erase::two(&f)),
    );
    match out {
        Ok(out) => out,
        Err(m) => m.panic("map2"),
    }
}

/// [`map2`] returning [`Error::Shape`](crate::Error::Shape) instead of panicking when the
/// shapes do not broadcast.
///
/// ```
/// use cadena::ops::tensor::try_map2;
/// use ndarray::{Array1, Array2};
///
/// let z = Array2::<f32>::zeros((256, 10));
/// assert!(try_map2(&z, &Array1::zeros(3), |a, b| a + b).is_err());
/// assert!(try_map2(&z, &Array1::zeros(10), |a, b| a + b).is_ok());
/// ```
pub fn try_map2<X, Y, F>(x: X, y: Y, f: F) -> crate::Result<Out2<X, Y>>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
    F: Fn(X::Elem, X::Elem) -> X::Elem,
{
    <KindOf2<X, Y> as Kind>::try_wrap(
        (x, y, f),
        |(x, y, f)| f(x.scalar(), y.scalar()),
        |(x, y, f)| {
            arity2::engine::<_, DimOf2<X, Y>, _, _, _>(x, y, erase::two(&f))
                .map_err(|m| m.into_error("map2"))
        },
    )
}

/// Applies `f` elementwise to three broadcast operands. See [`map2`] for result types,
/// in-place reuse of an owned `x`, and panics (`map3: cannot broadcast ...`).
///
/// ```
/// use cadena::ops::tensor::map3;
/// use ndarray::array;
///
/// let a = array![1.0_f64, 2.0];
/// assert_eq!(map3(&a, 2.0, &a, |a, s, b| a * s + b), array![3.0, 6.0]);
/// ```
#[inline]
#[track_caller]
pub fn map3<X, Y, Z, F>(x: X, y: Y, z: Z, f: F) -> Out3<X, Y, Z>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    Z: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
    DimOf2<X, Y>: DimMax<Z::Dim>,
    F: Fn(X::Elem, X::Elem, X::Elem) -> X::Elem,
{
    // Panics here, not in the closure, for the caller's line (see `map2`).
    let out = <<KindOf2<X, Y> as Kind>::Or<Z::Kind> as Kind>::try_wrap(
        (x, y, z, f),
        |(x, y, z, f)| f(x.scalar(), y.scalar(), z.scalar()),
        |(x, y, z, f)| arity3::engine::<_, DimOf3<X, Y, Z>, _, _, _, _>(x, y, z, erase::three(&f)),
    );
    match out {
        Ok(out) => out,
        Err(m) => m.panic("map3"),
    }
}

/// [`map3`] returning [`Error::Shape`](crate::Error::Shape) instead of panicking.
///
/// ```
/// use cadena::ops::tensor::try_map3;
/// use ndarray::array;
///
/// let r = try_map3(&array![1.0_f64, 2.0], &array![1.0, 2.0, 3.0], 1.0, |a, b, c| a + b + c);
/// assert!(r.is_err());
/// ```
pub fn try_map3<X, Y, Z, F>(x: X, y: Y, z: Z, f: F) -> crate::Result<Out3<X, Y, Z>>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    Z: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
    DimOf2<X, Y>: DimMax<Z::Dim>,
    F: Fn(X::Elem, X::Elem, X::Elem) -> X::Elem,
{
    <<KindOf2<X, Y> as Kind>::Or<Z::Kind> as Kind>::try_wrap(
        (x, y, z, f),
        |(x, y, z, f)| f(x.scalar(), y.scalar(), z.scalar()),
        |(x, y, z, f)| {
            arity3::engine::<_, DimOf3<X, Y, Z>, _, _, _, _>(x, y, z, erase::three(&f))
                .map_err(|m| m.into_error("map3"))
        },
    )
}

/// Applies `f` elementwise to four broadcast operands. See [`map2`] for result types,
/// in-place reuse of an owned `x`, and panics (`map4: cannot broadcast ...`).
///
/// ```
/// use cadena::ops::tensor::map4;
/// use ndarray::array;
///
/// let a = array![[1.0_f32, 2.0]];
/// let r = map4(a, 1.0_f32, &array![1.0, 1.0], 2.0_f32, |a, b, c, d| (a + b) * c * d);
/// assert_eq!(r, array![[4.0, 6.0]]);
/// ```
#[inline]
#[track_caller]
pub fn map4<X, Y, Z, W, F>(x: X, y: Y, z: Z, w: W, f: F) -> Out4<X, Y, Z, W>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    Z: Operand<Elem = X::Elem>,
    W: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
    DimOf2<X, Y>: DimMax<Z::Dim>,
    <DimOf2<X, Y> as DimMax<Z::Dim>>::Output: DimMax<W::Dim>,
    F: Fn(X::Elem, X::Elem, X::Elem, X::Elem) -> X::Elem,
{
    // Panics here, not in the closure, for the caller's line (see `map2`).
    let out = <<<KindOf2<X, Y> as Kind>::Or<Z::Kind> as Kind>::Or<W::Kind> as Kind>::try_wrap(
        (x, y, z, w, f),
        |(x, y, z, w, f)| f(x.scalar(), y.scalar(), z.scalar(), w.scalar()),
        |(x, y, z, w, f)| {
            arity4::engine::<_, DimOf4<X, Y, Z, W>, _, _, _, _, _>(x, y, z, w, erase::four(&f))
        },
    );
    match out {
        Ok(out) => out,
        Err(m) => m.panic("map4"),
    }
}

/// [`map4`] returning [`Error::Shape`](crate::Error::Shape) instead of panicking.
///
/// ```
/// use cadena::ops::tensor::try_map4;
/// use ndarray::array;
///
/// let a = array![1.0_f64, 2.0];
/// assert_eq!(try_map4(&a, &a, &a, &a, |a, b, c, d| a + b + c + d).unwrap(), array![4.0, 8.0]);
/// ```
pub fn try_map4<X, Y, Z, W, F>(x: X, y: Y, z: Z, w: W, f: F) -> crate::Result<Out4<X, Y, Z, W>>
where
    X: Operand,
    Y: Operand<Elem = X::Elem>,
    Z: Operand<Elem = X::Elem>,
    W: Operand<Elem = X::Elem>,
    X::Dim: DimMax<Y::Dim>,
    DimOf2<X, Y>: DimMax<Z::Dim>,
    <DimOf2<X, Y> as DimMax<Z::Dim>>::Output: DimMax<W::Dim>,
    F: Fn(X::Elem, X::Elem, X::Elem, X::Elem) -> X::Elem,
{
    <<<KindOf2<X, Y> as Kind>::Or<Z::Kind> as Kind>::Or<W::Kind> as Kind>::try_wrap(
        (x, y, z, w, f),
        |(x, y, z, w, f)| f(x.scalar(), y.scalar(), z.scalar(), w.scalar()),
        |(x, y, z, w, f)| {
            arity4::engine::<_, DimOf4<X, Y, Z, W>, _, _, _, _, _>(x, y, z, w, erase::four(&f))
                .map_err(|m| m.into_error("map4"))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array3, Axis, array};

    #[test]
    fn an_operand_broadcast_along_the_last_axis_is_read_a_row_at_a_time() {
        let x = array![[1.0_f64, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let m = x.mean_axis(Axis(1)).unwrap().insert_axis(Axis(1));
        let want = &x - &m;
        let column = m.broadcast((2, 3)).unwrap();
        assert!(matches!(tiling(&column), Some(Tile::Column(c)) if c == [2.0, 5.0]));
        assert_eq!(map2(&x, &m, |a, b| a - b), want);
        assert_eq!(map2(x.clone(), &m, |a, b| a - b), want);
        assert_eq!(map2(&m, &x, |b, a| a - b), want);
        assert_eq!(map3(&m, &x, 1.0, |b, a, c| a - b + c), &want + 1.0);
        // Three axes, the statistic of each row of each batch.
        let z = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f64);
        let s = z.sum_axis(Axis(2)).insert_axis(Axis(2));
        assert_eq!(map2(&z, &s, |a, b| a / b), &z / &s);
        // A transposed operand is neither a tile nor a column.
        assert!(tiling(&x.t()).is_none());
        assert_eq!(map2(&x.t(), &x.t(), |a, b| a * b), (&x * &x).t());
    }
}
