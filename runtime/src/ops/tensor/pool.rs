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
//! Each thread has its own cache, so no locking; a thread's buffers are freed when it
//! ends, or at once with [`clear`]. A cache holds at most [`MAX_HELD_BYTES`] per element
//! type; a buffer given back beyond that is freed.
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
//! pool::recycle(Array2::<f32>::ones((64, 32)));
//! assert_eq!(pool::held_bytes(), 64 * 32 * 4);
//! pool::clear();
//! assert_eq!(pool::held_bytes(), 0);
//! ```

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::BTreeMap;

use ndarray::{Array, Dimension, IntoDimension};

use crate::Float;

/// The most a thread's cache holds per element type: 256 MiB.
pub const MAX_HELD_BYTES: usize = 256 << 20;

/// Free buffers of one element type, by capacity (a stack per capacity seen).
struct Shelf<A> {
    free: BTreeMap<usize, Vec<Vec<A>>>,
    held: usize,
}

impl<A: Float> Shelf<A> {
    const fn new() -> Self {
        Self {
            free: BTreeMap::new(),
            held: 0,
        }
    }

    /// The smallest free buffer that holds `len` elements and is not more than twice as
    /// large (a much larger one is left for a request it fits better).
    fn take(&mut self, len: usize) -> Option<Vec<A>> {
        let limit = len.saturating_mul(2).max(len + 64);
        // An emptied stack stays in the map: removing it would free the stack and the
        // map's node, and giving the buffer back would allocate them again, every step.
        let (&capacity, stack) = self
            .free
            .range_mut(len..=limit)
            .find(|(_, stack)| !stack.is_empty())?;
        let buffer = stack.pop()?;
        self.held -= capacity * size_of::<A>();
        Some(buffer)
    }

    fn give(&mut self, buffer: Vec<A>) {
        let bytes = buffer.capacity() * size_of::<A>();
        if bytes == 0 || self.held + bytes > MAX_HELD_BYTES {
            return;
        }
        self.held += bytes;
        self.free.entry(buffer.capacity()).or_default().push(buffer);
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

/// Runs `f` on this thread's shelf for `A`. `None` when `A` is neither f32 nor f64, while
/// the thread is ending, or when called from inside `f` (which nothing does): the caller
/// then allocates or frees as usual.
fn with_shelf<A: Float, R>(f: impl FnOnce(&mut Shelf<A>) -> R) -> Option<R> {
    SHELVES
        .try_with(|shelves| {
            let mut shelves = shelves.try_borrow_mut().ok()?;
            let shelf: &mut dyn Any = if TypeId::of::<A>() == TypeId::of::<f32>() {
                &mut shelves.single
            } else if TypeId::of::<A>() == TypeId::of::<f64>() {
                &mut shelves.double
            } else {
                return None;
            };
            shelf.downcast_mut::<Shelf<A>>().map(f)
        })
        .ok()
        .flatten()
}

/// A buffer of `len` initialised elements with unspecified values, from the cache when it
/// has one that fits.
pub fn take<A: Float>(len: usize) -> Vec<A> {
    match with_shelf::<A, _>(|shelf| shelf.take(len)).flatten() {
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

/// Puts a buffer back in this thread's cache.
pub fn give<A: Float>(buffer: Vec<A>) {
    with_shelf::<A, _>(|shelf| shelf.give(buffer));
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
        let a = Array2::<f64>::from_elem((16, 16), 3.0);
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
    fn a_shorter_buffer_is_extended_and_the_cache_is_bounded() {
        clear();
        give(Vec::<f32>::with_capacity(100));
        let v = take::<f32>(90);
        assert_eq!(v.len(), 90);
        assert!(v.capacity() >= 100);
        let big = MAX_HELD_BYTES / size_of::<f32>() / 2 + 1;
        give(vec![0f32; big]);
        give(vec![0f32; big]);
        assert_eq!(held_bytes(), big * 4, "the second would pass the bound");
        clear();
    }

    #[test]
    fn threads_have_their_own_caches() {
        clear();
        recycle(Array2::<f32>::ones((3, 3)));
        let other = std::thread::spawn(held_bytes).join().expect("thread");
        assert_eq!(other, 0);
        assert_eq!(held_bytes(), 36);
        clear();
    }
}
