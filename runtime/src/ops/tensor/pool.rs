//! A per-thread cache of float buffers, so that a training step allocates nothing after
//! the first.
//!
//! A generated gradient makes the same intermediates of the same shapes at every step.
//! The tensor helpers take their output buffers from this cache ([`take`]); an owned
//! operand a helper does not write its result into goes back to it ([`give`]), and so do
//! the gradients [`crate::train::fit`] has applied ([`crate::Parameters::recycle`]). After
//! one step the cache holds a buffer of every size the step needs, and the allocator is
//! no longer asked. It is what a caching allocator does (PyTorch's on the GPU), limited to
//! the float buffers cadena makes and explicit about where they come back.
//!
//! Small buffers (at most 512 bytes, 64 f64) are kept by exact length in a table, so
//! that taking one costs an index, not a search: a recurrent cell's rows are that small.
//!
//! Each thread has its own cache, so no locking; a thread's buffers are freed when it
//! ends, or at once with [`clear`]. A buffer given back is kept only if buffers of its
//! size have been asked for, no more of them than were ever in use at once, and at most
//! [`MAX_HELD_BYTES`] per element type; otherwise it is freed.
//!
//! Buffers come back with the values they held: [`take`] hands out initialised memory of
//! unspecified contents, for a helper that writes every element. [`zeros`] is the cleared
//! form.
//!
//! ```
//! use cadena::ndarray::Array2;
//! use cadena::ops::tensor::pool;
//!
//! pool::clear();
//! let a: Array2<f32> = pool::zeros((64, 32)); // the first time, newly allocated
//! let address = a.as_ptr();
//! pool::recycle(a);
//! assert_eq!(pool::held_bytes(), 64 * 32 * 4);
//! let b: Array2<f32> = pool::zeros((32, 64)); // the same buffer, cleared
//! assert_eq!(b.as_ptr(), address);
//! // A buffer of a size never asked for is not kept.
//! pool::recycle(Array2::<f32>::ones((3, 5)));
//! assert_eq!(pool::held_bytes(), 0);
//! ```

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::BTreeMap;

use ndarray::{Array, ArrayView, Dimension, IntoDimension};

use crate::Float;

/// The most a thread's cache holds per element type: 256 MiB.
pub const MAX_HELD_BYTES: usize = 256 << 20;

/// Buffers of at most this many bytes are found by their exact length in a table rather
/// than in the map by capacity: a recurrent cell's 14-wide rows spent 15 % of an LSTM's
/// gradient in the map's range search.
const SMALL_BYTES: usize = 512;

/// The buffers of one capacity: those free, and how many of this capacity the thread has
/// had out at once, which bounds how many are kept.
struct Stack<A> {
    free: Vec<Vec<A>>,
    out: usize,
    peak: usize,
}

impl<A> Default for Stack<A> {
    fn default() -> Self {
        Self {
            free: Vec::new(),
            out: 0,
            peak: 0,
        }
    }
}

impl<A> Stack<A> {
    fn lend(&mut self) {
        self.out += 1;
        self.peak = self.peak.max(self.out);
    }
}

/// Free buffers of one element type, by capacity.
///
/// A buffer given back is kept only while its capacity's stack holds fewer than the most
/// buffers of that capacity ever out at once: enough for a step to find every buffer it
/// needs, and nothing for buffers nobody asks for (a hand-written gradient that `fit`
/// recycles, made by ndarray rather than taken from here, is freed, not hoarded).
struct Shelf<A> {
    stacks: BTreeMap<usize, Stack<A>>,
    /// Small buffers, by capacity (index = capacity, at most `small_len::<A>()`).
    small: Vec<Stack<A>>,
    held: usize,
}

/// The largest length kept in the small table for `A`.
const fn small_len<A>() -> usize {
    SMALL_BYTES / size_of::<A>()
}

/// The small table's stack for capacity `len`, the table made on first use.
fn small_stack<A>(small: &mut Vec<Stack<A>>, len: usize) -> &mut Stack<A> {
    if small.is_empty() {
        small.resize_with(small_len::<A>() + 1, Stack::default);
    }
    &mut small[len]
}

impl<A: Float> Shelf<A> {
    const fn new() -> Self {
        Self {
            stacks: BTreeMap::new(),
            small: Vec::new(),
            held: 0,
        }
    }

    /// The smallest free buffer that holds `len` elements and is not more than twice as
    /// large (a much larger one is left for a request it fits better); `None`, counting
    /// the miss, when there is none, and the caller allocates `len` exactly. A small
    /// length takes a buffer of exactly its capacity.
    fn take(&mut self, len: usize) -> Option<Vec<A>> {
        if len <= small_len::<A>() {
            let stack = small_stack(&mut self.small, len);
            stack.lend();
            let buffer = stack.free.pop()?;
            self.held -= len * size_of::<A>();
            return Some(buffer);
        }
        let limit = len.saturating_mul(2).max(len + 64);
        // An emptied stack stays in the map: removing it would free its storage and the
        // map's node, and giving the buffer back would allocate them again, every step.
        if let Some((&capacity, stack)) = self
            .stacks
            .range_mut(len..=limit)
            .find(|(_, stack)| !stack.free.is_empty())
        {
            let buffer = stack.free.pop()?;
            stack.lend();
            self.held -= capacity * size_of::<A>();
            return Some(buffer);
        }
        self.stacks.entry(len).or_default().lend();
        None
    }

    fn give(&mut self, buffer: Vec<A>) {
        let bytes = buffer.capacity() * size_of::<A>();
        let stack = match buffer.capacity() {
            c if c <= small_len::<A>() => small_stack(&mut self.small, c),
            c => match self.stacks.get_mut(&c) {
                Some(stack) => stack,
                None => return,
            },
        };
        stack.out = stack.out.saturating_sub(1);
        if stack.free.len() >= stack.peak || self.held + bytes > MAX_HELD_BYTES {
            return;
        }
        self.held += bytes;
        stack.free.push(buffer);
    }
}

struct Shelves {
    single: Shelf<f32>,
    double: Shelf<f64>,
}

thread_local! {
    static SHELVES: RefCell<Shelves> = const {
        RefCell::new(Shelves { single: Shelf::new(), double: Shelf::new() })
    };
}

/// Runs `f` on this thread's shelves. `None` while the thread is ending, or when called
/// from inside `f` (which nothing does): the caller then allocates or frees as usual.
fn with_shelves<R>(f: impl FnOnce(&mut Shelves) -> R) -> Option<R> {
    SHELVES
        .try_with(|shelves| shelves.try_borrow_mut().ok().map(|mut s| f(&mut s)))
        .ok()
        .flatten()
}

// The cache's work, compiled once here for each element type: generic over `A`, the map
// and the table were compiled again in every crate that takes a buffer (a tenth of a
// small model's optimised code).
#[inline(never)]
fn take_single(len: usize) -> Option<Vec<f32>> {
    with_shelves(|s| s.single.take(len)).flatten()
}

#[inline(never)]
fn take_double(len: usize) -> Option<Vec<f64>> {
    with_shelves(|s| s.double.take(len)).flatten()
}

#[inline(never)]
fn give_single(buffer: Vec<f32>) {
    with_shelves(|s| s.single.give(buffer));
}

#[inline(never)]
fn give_double(buffer: Vec<f64>) {
    with_shelves(|s| s.double.give(buffer));
}

/// `value` as a `U`, when `T` is `U`.
fn same_type<T: 'static, U: 'static>(value: T) -> Result<U, T> {
    let mut slot = Some(value);
    match (&mut slot as &mut dyn Any).downcast_mut::<Option<U>>() {
        Some(u) => Ok(u.take().expect("just put")),
        None => Err(slot.expect("not taken")),
    }
}

/// A buffer of `len` initialised elements with unspecified values, from the cache when it
/// has one that fits.
pub fn take<A: Float>(len: usize) -> Vec<A> {
    let cached: Option<Vec<A>> = if TypeId::of::<A>() == TypeId::of::<f32>() {
        take_single(len).and_then(|b| same_type(b).ok())
    } else if TypeId::of::<A>() == TypeId::of::<f64>() {
        take_double(len).and_then(|b| same_type(b).ok())
    } else {
        None
    };
    match cached {
        Some(mut buffer) => {
            // A cached buffer holds the values of the array it came from: its whole
            // capacity is initialised, or the part `resize` fills.
            if buffer.len() >= len {
                buffer.truncate(len);
            } else {
                buffer.resize(len, A::zero());
            }
            buffer
        }
        None => vec![A::zero(); len],
    }
}

/// Puts a buffer back in this thread's cache (it is freed when the cache is full, or
/// the element type is not f32 or f64).
pub fn give<A: Float>(buffer: Vec<A>) {
    match same_type::<_, Vec<f32>>(buffer) {
        Ok(single) => give_single(single),
        Err(buffer) => {
            if let Ok(double) = same_type::<_, Vec<f64>>(buffer) {
                give_double(double);
            }
        }
    }
}

/// Puts an array's buffer back in this thread's cache (it is freed when the cache is
/// full, or the element type is not f32 or f64).
pub fn recycle<A: Float, D: Dimension>(array: Array<A, D>) {
    give(array.into_raw_vec_and_offset().0);
}

/// A row-major array of shape `shape` with unspecified (initialised) values, from the
/// cache: for a helper that writes every element.
pub fn array<A: Float, D: Dimension>(shape: impl IntoDimension<Dim = D>) -> Array<A, D> {
    let shape = shape.into_dimension();
    let buffer = take(shape.size());
    Array::from_shape_vec(shape, buffer).expect("a buffer of the shape's size")
}

/// A row-major array of zeros of shape `shape`, from the cache.
pub fn zeros<A: Float, D: Dimension>(shape: impl IntoDimension<Dim = D>) -> Array<A, D> {
    let mut out = array(shape);
    out.fill(A::zero());
    out
}

/// A row-major copy of `x` in a buffer from the cache.
pub(crate) fn copy<A: Float, D: Dimension>(x: &ArrayView<'_, A, D>) -> Array<A, D> {
    let mut out = array(x.raw_dim());
    out.assign(x);
    out
}

/// Frees this thread's cached buffers.
pub fn clear() {
    let _ = SHELVES.try_with(|shelves| {
        if let Ok(mut shelves) = shelves.try_borrow_mut() {
            *shelves = Shelves {
                single: Shelf::new(),
                double: Shelf::new(),
            };
        }
    });
}

/// Bytes this thread's cache holds, both element types together.
pub fn held_bytes() -> usize {
    SHELVES
        .try_with(|shelves| {
            shelves
                .try_borrow()
                .map_or(0, |s| s.single.held + s.double.held)
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn a_given_buffer_is_taken_again_for_its_size_and_not_for_a_much_smaller_one() {
        clear();
        let a: Array2<f64> = array((16, 16));
        let address = a.as_ptr();
        recycle(a);
        let tiny = take::<f64>(4);
        assert_eq!(tiny.len(), 4);
        assert_eq!(
            held_bytes(),
            256 * 8,
            "a 256-element buffer is not used for 4"
        );
        let again: Array2<f64> = array((8, 32));
        assert_eq!(again.as_ptr(), address);
        assert_eq!(again.shape(), &[8, 32]);
        assert_eq!(held_bytes(), 0);
        // Kinds do not mix: an f32 request does not take an f64 buffer.
        recycle(again);
        let single: Array2<f32> = zeros((8, 32));
        assert!(single.iter().all(|&v| v == 0.0));
        assert_eq!(held_bytes(), 256 * 8);
        clear();
    }

    #[test]
    fn no_more_buffers_are_kept_than_were_out_at_once() {
        clear();
        let (a, b) = (take::<f32>(1000), take::<f32>(1000));
        give(a);
        give(b);
        // Two were out at once: two are kept, a third of that size is freed.
        give(vec![0f32; 1000]);
        assert_eq!(held_bytes(), 2 * 1000 * 4);
        // Sizes nobody asked for are freed at once.
        give(vec![0f32; 3000]);
        assert_eq!(held_bytes(), 2 * 1000 * 4);
        // A buffer taken for fewer elements comes back with its values, cut to length.
        let v = take::<f32>(900);
        assert_eq!((v.len(), v.capacity()), (900, 1000));
        clear();
    }

    #[test]
    fn small_buffers_are_kept_by_exact_length() {
        clear();
        let a = take::<f64>(14);
        let address = a.as_ptr();
        give(a);
        assert_eq!(held_bytes(), 14 * 8);
        // Neither a smaller nor a larger small request takes it.
        let (b, c) = (take::<f64>(13), take::<f64>(15));
        assert_ne!(b.as_ptr(), address);
        assert_ne!(c.as_ptr(), address);
        let again = take::<f64>(14);
        assert_eq!(again.as_ptr(), address);
        assert_eq!(held_bytes(), 0);
        // Nobody asked for 20: not kept.
        give(vec![0.0; 20]);
        assert_eq!(held_bytes(), 0);
        clear();
    }

    #[test]
    fn the_cache_is_bounded() {
        clear();
        let big = MAX_HELD_BYTES / size_of::<f32>() / 2 + 1;
        let (a, b) = (take::<f32>(big), take::<f32>(big));
        give(a);
        give(b);
        assert_eq!(held_bytes(), big * 4, "the second would pass the bound");
        clear();
    }

    #[test]
    fn threads_have_their_own_caches() {
        clear();
        recycle(zeros::<f32, _>((30, 30)));
        let other = std::thread::spawn(held_bytes).join().expect("thread");
        assert_eq!(other, 0);
        assert_eq!(held_bytes(), 3600);
        clear();
    }
}
