//! Matrix·matrix products on the `gemm` crate. Why not ndarray's `dot`: at the course's
//! shapes (256×40·40×128 to 128×256·256×64, f32) `gemm`'s blocking and packing made each
//! product 13–31 % faster than matrixmultiply's on an AVX-512 Xeon (one thread, medians of
//! 15 runs of 200; both on AVX2+FMA kernels chosen at run time, since gemm's AVX-512 ones
//! need a nightly compiler), and the MLP's gradient (W3) 9 % faster. Both read strided
//! operands in place, so a transpose is never copied.
//!
//! The one `unsafe` call of the crate is here: `gemm` takes raw pointers and strides.

// The workspace denies unsafe code; this module is the reviewed exception.
#![allow(unsafe_code)]

use std::any::TypeId;

use ndarray::{Array2, ArrayView2};

use crate::Float;

/// Products of at least this many multiply-adds split across rayon's threads, when the
/// pool has more than two. Measured on 2 vCPUs (f32, medians): one product alone ran
/// 1.6–3.6× slower on two threads than on one up to 2 M multiply-adds (the course's
/// batch-256 sizes), 1.1–1.2× at 4–5 M and 0.57–0.81× from 8 M up; but in the MLP's whole
/// gradient, where products alternate with single-threaded elementwise work, two threads
/// were slower at every batch tried (1.37× at 1024, 1.07× at 4096, 1.04× at 16384): the
/// pool's threads compete with the calling thread for the two CPUs. So a pool of two
/// never splits; above that, from this size (not measured here: this machine has two).
const PARALLEL_MACS: usize = 8 << 20;

/// `a · b` for an `m × k` and a `k × n` matrix, any strides; on rayon's threads when the
/// product is large and the pool larger than two threads (see [`PARALLEL_MACS`]).
///
/// # Panics
///
/// If the inner dimensions differ.
pub fn matmul<A: Float>(a: ArrayView2<'_, A>, b: ArrayView2<'_, A>) -> Array2<A> {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    assert!(
        k == k2,
        "matrix product of a {m}×{k} and a {k2}×{n} matrix: the inner dimensions differ"
    );
    let supported =
        TypeId::of::<A>() == TypeId::of::<f32>() || TypeId::of::<A>() == TypeId::of::<f64>();
    if m == 0 || n == 0 || k == 0 || !supported {
        return a.dot(&b);
    }
    let mut c = Array2::<A>::uninit((m, n));
    let (a_rs, a_cs) = (a.strides()[0], a.strides()[1]);
    let (b_rs, b_cs) = (b.strides()[0], b.strides()[1]);
    // SAFETY: `a` and `b` are valid for reads at every (row, column) reached from their
    // first elements by their own strides, for m×k and k×n elements; `c` is a fresh,
    // contiguous, row-major m×n allocation (row stride n, column stride 1) that aliases
    // neither. With `read_dst = false`, gemm writes every element of `c` without reading
    // it, which is what makes `assume_init` below sound. `A` is f32 or f64 (checked
    // above), types gemm supports.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr().cast::<A>(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            A::zero(),
            A::one(),
            false,
            false,
            false,
            parallelism(m * n * k),
        );
        c.assume_init()
    }
}

fn parallelism(macs: usize) -> gemm::Parallelism {
    if macs >= PARALLEL_MACS && rayon::current_num_threads() > 2 {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ShapeBuilder};

    fn filled(r: usize, c: usize, phase: f64) -> Array2<f64> {
        Array2::from_shape_fn((r, c), |(i, j)| ((i * c + j) as f64 * 0.37 + phase).sin())
    }

    #[test]
    fn products_equal_ndarray_for_every_layout() {
        // The last is above PARALLEL_MACS: split across threads where the pool is larger.
        for (m, k, n) in [
            (1, 1, 1),
            (3, 5, 2),
            (17, 33, 9),
            (64, 40, 128),
            (2, 0, 3),
            (256, 256, 160),
        ] {
            let a = filled(m, k, 0.1);
            let b = filled(k, n, 0.7);
            let expected = a.dot(&b);
            // Row-major, column-major (Fortran order) and transposed views.
            let a_f = {
                let mut x = Array2::zeros((m, k).f());
                x.assign(&a);
                x
            };
            let bt = b.t().to_owned();
            let cases = [
                matmul(a.view(), b.view()),
                matmul(a_f.view(), b.view()),
                matmul(a.view(), bt.t()),
            ];
            for got in cases {
                assert_eq!(got.dim(), (m, n));
                for (x, y) in got.iter().zip(&expected) {
                    assert!(
                        (x - y).abs() <= 1e-12 * y.abs().max(1.0),
                        "{m}×{k}×{n}: {x} vs {y}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_large_product_on_a_larger_pool_splits_and_agrees() {
        let (a, b) = (filled(256, 256, 0.3), filled(256, 160, 0.9));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("a pool");
        assert!(matches!(
            pool.install(|| parallelism(256 * 256 * 160)),
            gemm::Parallelism::Rayon(_)
        ));
        let got = pool.install(|| matmul(a.view(), b.view()));
        for (x, y) in got.iter().zip(&a.dot(&b)) {
            assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0));
        }
        assert!(matches!(
            parallelism(PARALLEL_MACS - 1),
            gemm::Parallelism::None
        ));
    }

    #[test]
    fn single_precision_matches_and_empty_shapes_work() {
        let a = filled(20, 30, 0.2).mapv(|v| v as f32);
        let b = filled(30, 7, 0.4).mapv(|v| v as f32);
        let expected = a.dot(&b);
        let got = matmul(a.view(), b.view());
        for (x, y) in got.iter().zip(&expected) {
            assert!((x - y).abs() <= 1e-5 * y.abs().max(1.0));
        }
        let (z03, z34) = (Array2::<f32>::zeros((0, 3)), Array2::<f32>::zeros((3, 4)));
        assert_eq!(matmul(z03.view(), z34.view()).dim(), (0, 4));
        let (z20, z04) = (Array2::<f32>::zeros((2, 0)), Array2::<f32>::zeros((0, 4)));
        assert_eq!(matmul(z20.view(), z04.view()), Array2::<f32>::zeros((2, 4)));
    }

    #[test]
    #[should_panic(expected = "inner dimensions differ")]
    fn mismatched_shapes_panic_with_both_shapes() {
        let (a, b) = (Array2::<f64>::zeros((2, 3)), Array2::<f64>::zeros((4, 2)));
        matmul(a.view(), b.view());
    }
}
