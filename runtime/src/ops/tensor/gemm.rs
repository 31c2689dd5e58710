//! Matrix·matrix products, on two kernels chosen at run time.
//!
//! - **x86-64 with AVX-512 or AVX2+FMA, one thread:** `private-gemm-x86`, the kernels faer
//!   uses. They dispatch to AVX-512 on stable Rust (the `gemm` crate's AVX-512 kernels need
//!   a nightly compiler) and pack into a per-thread buffer, so a product allocates nothing
//!   after the first. At the MLP's shapes on an AVX-512 Xeon (f32, one thread, best of 7
//!   runs of 2,000) each product took 0.46–0.93× the time of `gemm`'s AVX2 kernels
//!   (256×128·128×64: 28.8 against 57.5 µs), with the same bits.
//! - **Otherwise, and for products split across threads:** the `gemm` crate. At the course's
//!   shapes its blocking made each product 13–31 % faster than ndarray's matrixmultiply
//!   (medians of 15 runs of 200, AVX2+FMA).
//!
//! Both read strided operands in place, so a transpose is never copied.
//!
//! The crate's `unsafe` calls are here: both kernels take raw pointers and strides.

// The workspace denies unsafe code; this module is the reviewed exception.
#![allow(unsafe_code)]

use std::any::TypeId;

use ndarray::{Array2, ArrayView2};

use super::pool;
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

/// Which kernel runs a product.
#[derive(Debug, Clone, Copy)]
enum Kernel {
    /// faer's x86-64 kernels at this instruction set, one thread.
    #[cfg(target_arch = "x86_64")]
    X86(private_gemm_x86::InstrSet),
    /// The `gemm` crate, with this parallelism.
    Gemm(gemm::Parallelism),
}

/// The kernel for a product of `macs` multiply-adds on this CPU and rayon pool.
fn kernel(macs: usize) -> Kernel {
    if macs >= PARALLEL_MACS && rayon::current_num_threads() > 2 {
        return Kernel::Gemm(gemm::Parallelism::Rayon(0));
    }
    #[cfg(target_arch = "x86_64")]
    if let Some(set) = x86_instruction_set() {
        return Kernel::X86(set);
    }
    Kernel::Gemm(gemm::Parallelism::None)
}

/// The widest instruction set of faer's kernels this CPU runs: AVX-512 where it has the
/// whole x86-64-v4 level (F, BW, CD, DQ, VL), AVX2 where it has x86-64-v3 (AVX2, FMA, …).
/// Stricter than the kernels' own minimum, on purpose: a CPU with AVX-512F alone (Xeon
/// Phi) takes the AVX2 path rather than risk an instruction it lacks.
#[cfg(target_arch = "x86_64")]
fn x86_instruction_set() -> Option<private_gemm_x86::InstrSet> {
    use private_gemm_x86::InstrSet;
    if pulp::x86::V4::is_available() {
        Some(InstrSet::Avx512)
    } else if pulp::x86::V3::is_available() {
        Some(InstrSet::Avx256)
    } else {
        None
    }
}

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
    product(kernel(m * n * k), a, b)
}

/// `a · b` on `kernel`, for matrices whose inner dimensions agree.
fn product<A: Float>(kernel: Kernel, a: ArrayView2<'_, A>, b: ArrayView2<'_, A>) -> Array2<A> {
    let ((m, k), n) = (a.dim(), b.ncols());
    let single = TypeId::of::<A>() == TypeId::of::<f32>();
    if m == 0 || n == 0 || k == 0 || !(single || TypeId::of::<A>() == TypeId::of::<f64>()) {
        return a.dot(&b);
    }
    let mut c = pool::array::<A, _>((m, n));
    let (a_rs, a_cs) = (a.strides()[0], a.strides()[1]);
    let (b_rs, b_cs) = (b.strides()[0], b.strides()[1]);
    let dst = c.as_mut_ptr();
    // SAFETY (both arms): `a` and `b` are valid for reads at every (row, column) reached
    // from their first elements by their own strides, for m×k and k×n elements; `dst` is
    // an owned, initialised, contiguous, row-major m×n array (row stride n, column stride
    // 1) that aliases neither, and nothing else refers to it during the call. `A` is f32 or
    // f64 (checked above), and the dtype or type parameter passed says which. m, n and k
    // are nonzero, and both kernels overwrite every element of `dst` without reading it
    // (`Accum::Replace`; `read_dst = false`).
    unsafe {
        match kernel {
            #[cfg(target_arch = "x86_64")]
            Kernel::X86(set) => {
                use private_gemm_x86::{Accum, DType, DstKind, IType};
                let one = A::one();
                // The instruction set was detected on this CPU (`x86_instruction_set`).
                private_gemm_x86::gemm(
                    if single { DType::F32 } else { DType::F64 },
                    IType::U64,
                    set,
                    m,
                    n,
                    k,
                    dst.cast(),
                    n as isize,
                    1,
                    std::ptr::null(),
                    std::ptr::null(),
                    DstKind::Full,
                    Accum::Replace,
                    a.as_ptr().cast(),
                    a_rs,
                    a_cs,
                    false,
                    std::ptr::null(),
                    0,
                    b.as_ptr().cast(),
                    b_rs,
                    b_cs,
                    false,
                    std::ptr::from_ref(&one).cast(),
                    1,
                );
            }
            Kernel::Gemm(parallelism) => gemm::gemm(
                m,
                n,
                k,
                dst,
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
                parallelism,
            ),
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ShapeBuilder, s};

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
            let mut cases = vec![
                matmul(a.view(), b.view()),
                matmul(a_f.view(), b.view()),
                matmul(a.view(), bt.t()),
            ];
            // Every kernel this CPU runs, whichever `matmul` picked; and views walked
            // backwards (negative strides), of the reversed operands, whose product is
            // the same matrix reversed in both axes.
            let (a_rev, b_rev) = (a.slice(s![..;-1, ..;-1]), b.slice(s![..;-1, ..;-1]));
            // Every other row and column of matrices twice the size.
            let (a2, b2) = (spread(&a), spread(&b));
            for kernel in kernels() {
                cases.push(product(kernel, a.view(), b.view()));
                cases.push(product(kernel, a_f.view(), bt.t()));
                let reversed = product(kernel, a_rev.view(), b_rev.view());
                cases.push(reversed.slice(s![..;-1, ..;-1]).to_owned());
                cases.push(product(
                    kernel,
                    a2.slice(s![..;2, ..;2]),
                    b2.slice(s![..;2, ..;2]),
                ));
            }
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

    /// `x` at the even rows and columns of a matrix twice its size (the rest is junk).
    fn spread(x: &Array2<f64>) -> Array2<f64> {
        let (r, c) = x.dim();
        let mut big = filled(2 * r, 2 * c, 9.0);
        big.slice_mut(s![..;2, ..;2]).assign(x);
        big
    }

    fn kernels() -> Vec<Kernel> {
        let mut all = vec![Kernel::Gemm(gemm::Parallelism::None)];
        #[cfg(target_arch = "x86_64")]
        {
            use private_gemm_x86::InstrSet;
            if pulp::x86::V3::is_available() {
                all.push(Kernel::X86(InstrSet::Avx256));
            }
            if pulp::x86::V4::is_available() {
                all.push(Kernel::X86(InstrSet::Avx512));
            }
        }
        all
    }

    #[test]
    fn a_large_product_on_a_larger_pool_splits_and_agrees() {
        let (a, b) = (filled(256, 256, 0.3), filled(256, 160, 0.9));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("a pool");
        assert!(matches!(
            pool.install(|| kernel(256 * 256 * 160)),
            Kernel::Gemm(gemm::Parallelism::Rayon(_))
        ));
        let got = pool.install(|| matmul(a.view(), b.view()));
        for (x, y) in got.iter().zip(&a.dot(&b)) {
            assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0));
        }
        assert!(!matches!(
            kernel(PARALLEL_MACS - 1),
            Kernel::Gemm(gemm::Parallelism::Rayon(_))
        ));
    }

    #[test]
    fn single_precision_matches_and_empty_shapes_work() {
        let a = filled(20, 30, 0.2).mapv(|v| v as f32);
        let b = filled(30, 7, 0.4).mapv(|v| v as f32);
        let expected = a.dot(&b);
        for kernel in kernels() {
            let got = product(kernel, a.view(), b.view());
            for (x, y) in got.iter().zip(&expected) {
                assert!((x - y).abs() <= 1e-5 * y.abs().max(1.0), "{kernel:?}");
            }
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
