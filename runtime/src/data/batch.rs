//! Mini-batches: rows gathered, in a (shuffled) order, into buffers that are reused.

use ndarray::{Array2, ArrayView2, Axis, Slice};
use rand::Rng;
use rand::seq::SliceRandom;

use super::Dataset;
use crate::Float;

/// One mini-batch, borrowed from a [`Batches`] buffer.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a, A> {
    /// Features of the batch's rows.
    pub x: ArrayView2<'a, A>,
    /// Targets of the batch's rows.
    pub y: ArrayView2<'a, A>,
    /// 0-based position of the batch within the epoch.
    pub index: usize,
}

/// Walks a [`Dataset`] in mini-batches of `batch_size` rows (the last one may be
/// smaller), copying rows into two buffers allocated once, so an epoch allocates nothing.
///
/// ```
/// use cadena::data::{Batches, Dataset};
/// use cadena::ndarray::Array2;
///
/// let d = Dataset::regression(Array2::<f64>::zeros((10, 2)), Array2::zeros((10, 1)))?;
/// let mut batches = Batches::new(&d, 4);
/// let mut sizes = Vec::new();
/// while let Some(b) = batches.next_batch() {
///     sizes.push(b.x.nrows());
/// }
/// assert_eq!(sizes, [4, 4, 2]);
/// # Ok::<(), cadena::Error>(())
/// ```
#[derive(Debug)]
pub struct Batches<'d, A> {
    data: &'d Dataset<A>,
    order: Vec<usize>,
    x: Array2<A>,
    y: Array2<A>,
    next: usize,
    batch_size: usize,
}

impl<'d, A: Float> Batches<'d, A> {
    /// Batches in row order. A `batch_size` of 0 is treated as 1.
    pub fn new(data: &'d Dataset<A>, batch_size: usize) -> Self {
        let batch_size = batch_size.clamp(1, data.len().max(1));
        Self {
            data,
            order: (0..data.len()).collect(),
            x: Array2::zeros((batch_size, data.x.ncols())),
            y: Array2::zeros((batch_size, data.y.ncols())),
            next: 0,
            batch_size,
        }
    }

    /// Starts a new epoch over a fresh permutation of the rows drawn from `rng`.
    pub fn shuffle<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.order.shuffle(rng);
        self.next = 0;
    }

    /// Starts a new epoch in the current order.
    pub fn rewind(&mut self) {
        self.next = 0;
    }

    /// Number of batches per epoch.
    pub fn len(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    /// Whether an epoch has no batches (the data set is empty).
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The next batch of this epoch, or `None` when the epoch is over.
    pub fn next_batch(&mut self) -> Option<Batch<'_, A>> {
        let start = self.next * self.batch_size;
        if start >= self.order.len() {
            return None;
        }
        let rows = &self.order[start..(start + self.batch_size).min(self.order.len())];
        gather_rows(&self.data.x.view(), rows, &mut self.x);
        gather_rows(&self.data.y.view(), rows, &mut self.y);
        let n = rows.len();
        let index = self.next;
        self.next += 1;
        let rows = Slice::from(..n);
        Some(Batch {
            x: self.x.slice_axis(Axis(0), rows),
            y: self.y.slice_axis(Axis(0), rows),
            index,
        })
    }
}

/// Copies rows `rows` of `src` into the first rows of `dst`. Row-major data (the usual
/// case) is copied slice by slice: a per-row `assign` costs more in bookkeeping than the
/// copy itself for rows of a few dozen values, and this runs once per batch.
fn gather_rows<A: Float>(src: &ArrayView2<'_, A>, rows: &[usize], dst: &mut Array2<A>) {
    let width = src.ncols();
    if let (Some(from), Some(to)) = (src.as_slice(), dst.as_slice_mut()) {
        for (chunk, &i) in to.chunks_exact_mut(width.max(1)).zip(rows) {
            chunk.copy_from_slice(&from[i * width..(i + 1) * width]);
        }
    } else {
        for (k, &i) in rows.iter().enumerate() {
            dst.row_mut(k).assign(&src.row(i));
        }
    }
}
