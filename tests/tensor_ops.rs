//! The tensor runtime (`cadena::ops::tensor`): every op and VJP against central finite
//! differences in f64, `dot` against a naive triple loop, broadcasting against naive
//! index loops, f32 against f64, and losses at extreme logits.

use cadena::ndarray::{Array, Array1, Array2, ArrayD, Axis, IxDyn, array, s};
use cadena::ops::tensor::{self as t, Operand};
use cadena::prelude::*;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-300), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    fn array<Sh: cadena::ndarray::ShapeBuilder>(&mut self, shape: Sh) -> Array<f64, Sh::Dim> {
        Array::from_shape_simple_fn(shape, || self.normal())
    }
}

/// Central finite-difference gradient of `f` at `x`.
fn fd<D: cadena::ndarray::Dimension>(
    x: &Array<f64, D>,
    f: impl Fn(&Array<f64, D>) -> f64,
) -> Array<f64, D> {
    let h = 1e-6;
    let mut g = x.clone();
    let mut xp = x.clone();
    for i in 0..x.len() {
        let orig = xp.as_slice_memory_order().unwrap()[i];
        xp.as_slice_memory_order_mut().unwrap()[i] = orig + h;
        let up = f(&xp);
        xp.as_slice_memory_order_mut().unwrap()[i] = orig - h;
        let down = f(&xp);
        xp.as_slice_memory_order_mut().unwrap()[i] = orig;
        g.as_slice_memory_order_mut().unwrap()[i] = (up - down) / (2.0 * h);
    }
    g
}

fn assert_close<D: cadena::ndarray::Dimension>(
    what: &str,
    got: &Array<f64, D>,
    want: &Array<f64, D>,
    tol: f64,
) {
    assert_eq!(got.shape(), want.shape(), "{what}: shapes");
    for (i, (&a, &b)) in got.iter().zip(want.iter()).enumerate() {
        assert!(
            (a - b).abs() <= tol * (1.0 + b.abs()),
            "{what}: element {i}: {a} vs {b}"
        );
    }
}

fn naive_matmul(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    let (m, k) = a.dim();
    let n = b.ncols();
    let mut c = Array2::zeros((m, n));
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                c[[i, j]] += a[[i, p]] * b[[p, j]];
            }
        }
    }
    c
}

/// `Σ w ⊙ y`: turns a tensor-valued function into a scalar one whose gradient is the VJP
/// with `g = w`.
fn dotw<D: cadena::ndarray::Dimension>(w: &Array<f64, D>, y: &Array<f64, D>) -> f64 {
    (w * y).sum()
}

#[test]
fn map2_broadcasts_a_bias_row_a_column_and_a_float_like_numpy() {
    let mut r = Rng(1);
    let z = r.array((5, 3));
    let b = r.array(3);
    let c = r.array((5, 1));
    let got = t::map3(&z, &b, &c, |z, b, c| z * b - c);
    let want = Array2::from_shape_fn((5, 3), |(i, j)| z[[i, j]] * b[j] - c[[i, 0]]);
    assert_eq!(got, want);
    assert_eq!(t::map2(&z, 2.0, |a, s| a * s), &z * 2.0);
    assert_eq!(t::map2(3.0, &b, |s, a| s - a), 3.0 - &b);
}

#[test]
fn maps_of_floats_are_floats() {
    let x: f64 = t::map1(2.0, |a| a + 1.0);
    let y: f32 = t::map4(1.0_f32, 2.0_f32, 3.0_f32, 4.0_f32, |a, b, c, d| {
        a + b * c - d
    });
    assert_eq!((x, y), (3.0, 3.0));
}

#[test]
fn an_owned_first_operand_of_the_result_shape_is_updated_in_place() {
    let z = Array2::<f32>::ones((4, 3));
    let ptr = z.as_ptr();
    let out = t::map2(z, &array![1.0_f32, 2.0, 3.0], |a, b| a + b);
    assert_eq!(out.as_ptr(), ptr);
    assert_eq!(out.row(3), array![2.0, 3.0, 4.0]);
    let v = Array1::<f64>::zeros(8);
    let ptr = v.as_ptr();
    assert_eq!(t::map1(v, |a| a + 1.0).as_ptr(), ptr);
}

#[test]
fn an_owned_operand_smaller_than_the_result_still_works() {
    let b = array![1.0_f64, 2.0];
    let out = t::map2(b, &Array2::<f64>::ones((3, 2)), |b, o| b + o);
    assert_eq!(out, array![[2.0, 3.0], [2.0, 3.0], [2.0, 3.0]]);
}

#[test]
#[should_panic(expected = "map2: cannot broadcast [256, 10] with [3]")]
fn a_shape_mismatch_panics_naming_the_operation_and_both_shapes() {
    let _ = t::map2(
        &Array2::<f32>::zeros((256, 10)),
        &Array1::<f32>::zeros(3),
        |a, b| a + b,
    );
}

#[test]
fn try_map2_reports_a_shape_error() {
    let e = t::try_map2(
        &Array2::<f32>::zeros((256, 10)),
        &Array1::<f32>::zeros(3),
        |a, b| a + b,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "shape mismatch in map2: [256, 10] vs [3]");
}

#[test]
fn maps_over_transposed_and_sliced_views_match_index_loops() {
    let mut r = Rng(2);
    let a = r.array((4, 6));
    let b = r.array((6, 4));
    let bt = b.t();
    let sl = a.slice(s![.., ..;2]);
    let got = t::map3(&a, bt, 1.5, |a, b, s| a * s + b);
    let want = Array2::from_shape_fn((4, 6), |(i, j)| a[[i, j]] * 1.5 + b[[j, i]]);
    assert_eq!(got, want);
    let got = t::map2(sl, &a.slice(s![.., 0..3]), |a, b| a - b);
    let want = Array2::from_shape_fn((4, 3), |(i, j)| a[[i, 2 * j]] - a[[i, j]]);
    assert_eq!(got, want);
    // A transposed owned buffer is updated in place through the strided path.
    let owned_t = a.clone().reversed_axes();
    let got = t::map2(owned_t, &array![1.0, 2.0, 3.0, 4.0], |x, y| x * y);
    let want = Array2::from_shape_fn((6, 4), |(i, j)| a[[j, i]] * (j + 1) as f64);
    assert_eq!(got, want);
}

#[test]
fn three_dimensional_broadcasts_with_several_tile_lengths_match_index_loops() {
    let mut r = Rng(3);
    let x = r.array((3, 4, 5));
    let y = r.array((4, 5));
    let z = r.array(5);
    let w = r.array((3, 1, 1));
    let got = t::map4(&x, &y, &z, &w, |x, y, z, w| x * y + z - w);
    let want = Array::from_shape_fn((3, 4, 5), |(i, j, k)| {
        x[[i, j, k]] * y[[j, k]] + z[k] - w[[i, 0, 0]]
    });
    assert_eq!(got, want);
}

#[test]
fn empty_arrays_map_to_empty_arrays() {
    let e = Array2::<f64>::zeros((0, 3));
    assert_eq!(
        t::map2(&e, &array![1.0, 2.0, 3.0], |a, b| a + b).shape(),
        &[0, 3]
    );
}

#[test]
fn sum_to_is_the_adjoint_of_broadcasting() {
    let mut r = Rng(4);
    let cases: Vec<(Vec<usize>, Vec<usize>)> = vec![
        (vec![5, 3], vec![3]),
        (vec![5, 3], vec![5, 1]),
        (vec![5, 3], vec![1, 3]),
        (vec![1, 3], vec![3]),
        (vec![2, 4, 3], vec![4, 1]),
        (vec![2, 4, 3], vec![]),
        (vec![4], vec![4]),
    ];
    for (big, small) in cases {
        let g = r.array(IxDyn(&big));
        let b = r.array(IxDyn(&small));
        let lhs = (&g * &b.broadcast(IxDyn(&big)).unwrap()).sum();
        let reduced: ArrayD<f64> = t::sum_to(&g, &b);
        assert_eq!(reduced.shape(), &small[..]);
        let rhs = (&reduced * &b).sum();
        assert!(
            (lhs - rhs).abs() < 1e-12 * (1.0 + lhs.abs()),
            "{big:?} -> {small:?}"
        );
    }
    let g = r.array((3, 2));
    let total: f64 = t::sum_to(&g, 1.0);
    assert!((total - g.sum()).abs() < 1e-12);
}

#[test]
fn sum_to_moves_a_gradient_that_already_has_the_shape() {
    let g = Array2::<f32>::ones((3, 2));
    let ptr = g.as_ptr();
    let out = t::sum_to(g, &Array2::<f32>::zeros((3, 2)));
    assert_eq!(out.as_ptr(), ptr);
}

#[test]
#[should_panic(expected = "sum_to: cannot reduce [2, 3] to [4]")]
fn sum_to_panics_when_the_operand_could_not_have_been_broadcast() {
    let _ = t::sum_to(&Array2::<f64>::zeros((2, 3)), &Array1::<f64>::zeros(4));
}

#[test]
fn dot_matches_a_naive_triple_loop_for_every_rank_pair() {
    let mut r = Rng(5);
    for (m, k, n) in [(1, 1, 1), (1, 7, 3), (4, 5, 6), (33, 17, 9), (64, 64, 64)] {
        let a = r.array((m, k));
        let b = r.array((k, n));
        assert_close("mat·mat", &t::dot(&a, &b), &naive_matmul(&a, &b), 1e-12);
        let v = r.array(k);
        let want = naive_matmul(&a, &v.clone().insert_axis(Axis(1))).remove_axis(Axis(1));
        assert_close("mat·vec", &t::dot(&a, &v), &want, 1e-12);
        let u = r.array(m);
        let want = naive_matmul(&u.clone().insert_axis(Axis(0)), &a).remove_axis(Axis(0));
        assert_close("vec·mat", &t::dot(&u, &a), &want, 1e-12);
        let vv: f64 = t::dot(&v, &v);
        assert!((vv - v.iter().map(|x| x * x).sum::<f64>()).abs() < 1e-12);
        // Transposed views are read through strides.
        assert_close(
            "aᵀ·a",
            &t::dot(t::t(&a), &a),
            &naive_matmul(&a.t().to_owned(), &a),
            1e-12,
        );
    }
}

#[test]
fn dot_vjps_match_finite_differences_for_every_rank_pair() {
    let mut r = Rng(6);
    for (m, k, n) in [(1, 3, 2), (4, 5, 3)] {
        let a = r.array((m, k));
        let b = r.array((k, n));
        let w = r.array((m, n));
        assert_close(
            "mm lhs",
            &t::dot_vjp_lhs(&w, &b),
            &fd(&a, |a| dotw(&w, &a.dot(&b))),
            1e-6,
        );
        assert_close(
            "mm rhs",
            &t::dot_vjp_rhs(&a, &w),
            &fd(&b, |b| dotw(&w, &a.dot(b))),
            1e-6,
        );

        let v = r.array(k);
        let wm = r.array(m);
        assert_close(
            "mv lhs",
            &t::dot_vjp_lhs(&wm, &v),
            &fd(&a, |a| dotw(&wm, &a.dot(&v))),
            1e-6,
        );
        assert_close(
            "mv rhs",
            &t::dot_vjp_rhs(&a, &wm),
            &fd(&v, |v| dotw(&wm, &a.dot(v))),
            1e-6,
        );

        let u = r.array(m);
        let wk = r.array(k);
        assert_close(
            "vm lhs",
            &t::dot_vjp_lhs(&wk, &a),
            &fd(&u, |u| dotw(&wk, &u.dot(&a))),
            1e-6,
        );
        assert_close(
            "vm rhs",
            &t::dot_vjp_rhs(&u, &wk),
            &fd(&a, |a| dotw(&wk, &u.dot(a))),
            1e-6,
        );

        let x = r.array(k);
        assert_close(
            "vv lhs",
            &t::dot_vjp_lhs(2.5, &v),
            &fd(&x, |x| 2.5 * x.dot(&v)),
            1e-6,
        );
        assert_close(
            "vv rhs",
            &t::dot_vjp_rhs(&x, 2.5),
            &fd(&v, |v| 2.5 * x.dot(v)),
            1e-6,
        );
    }
}

#[test]
fn transposing_an_owned_matrix_keeps_its_buffer() {
    let a = Array2::<f64>::zeros((2, 3));
    let ptr = a.as_ptr();
    let at = t::t(a);
    assert_eq!((at.shape(), at.as_ptr()), (&[3, 2][..], ptr));
}

#[test]
fn reduction_vjps_match_finite_differences() {
    let mut r = Rng(7);
    for shape in [(1, 4), (3, 5)] {
        let x = r.array(shape);
        assert_close(
            "sum",
            &t::broadcast_to(1.5, &x),
            &fd(&x, |x| 1.5 * t::sum(x)),
            1e-6,
        );
        assert_close(
            "mean",
            &t::mean_vjp(1.5, &x),
            &fd(&x, |x| 1.5 * t::mean(x)),
            1e-6,
        );
        for ax in [Axis(0), Axis(1)] {
            let w = r.array(x.len_of(Axis(1 - ax.index())));
            let got = t::broadcast_axis_to(&w, ax, &x);
            assert_close(
                "sum_axis",
                &got,
                &fd(&x, |x| dotw(&w, &t::sum_axis(x, ax))),
                1e-6,
            );
            let got = t::mean_axis_vjp(&w, ax, &x);
            assert_close(
                "mean_axis",
                &got,
                &fd(&x, |x| dotw(&w, &t::mean_axis(x, ax))),
                1e-6,
            );
        }
    }
}

#[test]
fn means_of_empty_arrays_are_nan() {
    assert!(t::mean(&Array1::<f64>::zeros(0)).is_nan());
    assert!(
        t::mean_axis(&Array2::<f64>::zeros((0, 2)), Axis(0))
            .iter()
            .all(|v| v.is_nan())
    );
    assert_eq!(t::sum(&Array1::<f32>::zeros(0)), 0.0);
}

#[test]
fn softmax_rows_sum_to_one_and_log_softmax_is_their_log() {
    let mut r = Rng(8);
    let z = r.array((6, 4)) * 30.0;
    let p = softmax(&z);
    for row in p.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-15);
    }
    assert_close("log_softmax", &log_softmax(&z).mapv(f64::exp), &p, 1e-14);
    let v = softmax(&array![1.0_f64, 2.0, 3.0]);
    assert!((v.sum() - 1.0).abs() < 1e-15 && v[2] > v[1]);
}

/// Transposed (column-major) views are brought to row-major once before the row kernels
/// run; they must give the same numbers as the contiguous input.
#[test]
fn softmax_and_its_loss_agree_on_contiguous_and_strided_layouts() {
    let mut r = Rng(12);
    let zt = r.array((5, 7)) * 10.0;
    let yt = r.array((5, 7)).mapv(f64::abs);
    let (z, y) = (zt.t(), yt.t());
    let (zc, yc) = (
        z.as_standard_layout().into_owned(),
        y.as_standard_layout().into_owned(),
    );
    assert!(!z.is_standard_layout() && zc.is_standard_layout());
    assert_close("softmax", &softmax(z), &softmax(&zc), 1e-15);
    let (strided, contiguous) = (softmax_cross_entropy(z, y), softmax_cross_entropy(&zc, &yc));
    assert!(
        (strided - contiguous).abs() < 1e-13,
        "{strided} vs {contiguous}"
    );
    assert_close(
        "softmax_cross_entropy_vjp",
        &t::softmax_cross_entropy_vjp(z, y, 0.7),
        &t::softmax_cross_entropy_vjp(&zc, &yc, 0.7),
        1e-15,
    );
}

#[test]
fn softmax_vjps_match_finite_differences() {
    let mut r = Rng(9);
    for shape in [(1, 3), (4, 5)] {
        let z = r.array(shape);
        let w = r.array(shape);
        let p = softmax(&z);
        assert_close(
            "softmax",
            &t::softmax_vjp(&p, &w),
            &fd(&z, |z| dotw(&w, &softmax(z))),
            1e-6,
        );
        let lp = log_softmax(&z);
        let want = fd(&z, |z| dotw(&w, &log_softmax(z)));
        assert_close(
            "log_softmax",
            &t::log_softmax_vjp(&lp, w.clone()),
            &want,
            1e-6,
        );
    }
}

#[test]
fn loss_vjps_match_finite_differences() {
    let mut r = Rng(10);
    for shape in [(1, 3), (5, 4)] {
        let z = r.array(shape);
        let onehot =
            Array2::from_shape_fn(shape, |(i, j)| if j == i % shape.1 { 1.0 } else { 0.0 });
        let g = 0.7;
        let want = fd(&z, |z| g * softmax_cross_entropy(z, &onehot));
        assert_close(
            "sce",
            &t::softmax_cross_entropy_vjp(&z, &onehot, g),
            &want,
            1e-6,
        );
        let labels: Vec<usize> = (0..shape.0).map(|i| i % shape.1).collect();
        let l = t::softmax_cross_entropy_indices(&z, &labels);
        assert!((l - softmax_cross_entropy(&z, &onehot)).abs() < 1e-14);
        let got = t::softmax_cross_entropy_indices_vjp(&z, &labels, g);
        assert_close("sce indices", &got, &want, 1e-6);

        let y = r.array(shape).mapv(|v| (v > 0.0) as u8 as f64);
        let want = fd(&z, |z| g * t::bce_logits(z, &y));
        assert_close("bce_logits", &t::bce_logits_vjp(&z, &y, g), &want, 1e-6);
        let want = fd(&z, |z| g * mse(z, &y));
        assert_close("mse", &t::mse_vjp(&z, &y, g), &want, 1e-6);

        let a = z.mapv(|v| 0.1 + 0.8 * (v.tanh() + 1.0) / 2.0);
        let want = fd(&a, |a| g * bce(a, &y));
        assert_close("bce", &t::bce_vjp_a(&a, &y, g), &want, 1e-6);
        let p = softmax(&z);
        let want = fd(&p, |p| g * cross_entropy(p, &onehot));
        assert_close(
            "cross_entropy",
            &t::cross_entropy_vjp_p(&p, &onehot, g),
            &want,
            1e-6,
        );
    }
}

#[test]
fn losses_broadcast_a_scalar_target_and_average_over_elements() {
    let a = array![[0.2_f64, 0.4], [0.6, 0.8]];
    let want = a
        .iter()
        .map(|&a| cadena::ops::scalar::bce(a, 1.0))
        .sum::<f64>()
        / 4.0;
    assert!((bce(&a, 1.0) - want).abs() < 1e-15);
    let g: Array2<f64> = t::mse_vjp(&a, 1.0, 1.0);
    assert_eq!(g, a.mapv(|a| 2.0 * (a - 1.0) / 4.0));
    let s: f64 = t::bce_logits_vjp(0.0, 1.0, 2.0);
    assert_eq!(s, -1.0);
}

#[test]
fn losses_and_gradients_at_logits_of_plus_minus_1e4_are_finite_and_exact() {
    let z = array![[1e4_f64, -1e4, 0.0], [-1e4, 1e4, 1e4]];
    let y = array![[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]];
    // Row 0: lse = 1e4, loss = 1e4 - (-1e4) = 2e4. Row 1: lse = 1e4 + ln 2, loss = 2e4 + ln 2.
    assert_eq!(softmax_cross_entropy(&z, &y), (2e4 + 2e4 + 2f64.ln()) / 2.0);
    assert_eq!(
        t::softmax_cross_entropy_indices(&z, &[1, 0]),
        (2e4 + 2e4 + 2f64.ln()) / 2.0
    );
    let gz = t::softmax_cross_entropy_vjp(&z, &y, 1.0);
    assert_eq!(gz, array![[0.5, -0.5, 0.0], [-0.5, 0.25, 0.25]]);
    assert_eq!(log_softmax(&z).row(0), array![0.0, -2e4, -1e4]);
    let zf = z.mapv(|v| v as f32);
    let yf = y.mapv(|v| v as f32);
    // Exact to f32 rounding of the intermediate sums (one ulp at 2e4 is 0.002).
    let lf = softmax_cross_entropy(&zf, &yf) as f64;
    assert!(
        (lf - (4e4 + 2f64.ln()) / 2.0).abs() <= 2.0 * 0.00195,
        "{lf}"
    );
    assert!(
        t::softmax_cross_entropy_vjp(&zf, &yf, 1.0)
            .iter()
            .all(|v| v.is_finite())
    );

    let zb = array![1e4_f64, -1e4, 1e4, -1e4];
    let yb = array![1.0, 0.0, 0.0, 1.0];
    assert_eq!(t::bce_logits(&zb, &yb), (0.0 + 0.0 + 1e4 + 1e4) / 4.0);
    assert_eq!(
        t::bce_logits_vjp(&zb, &yb, 1.0),
        array![0.0, 0.0, 0.25, -0.25]
    );
    let zb32 = zb.mapv(|v| v as f32);
    let yb32 = yb.mapv(|v| v as f32);
    assert_eq!(t::bce_logits(&zb32, &yb32), 5e3);
    assert_eq!(
        t::bce_logits_vjp(&zb32, &yb32, 1.0),
        array![0.0_f32, 0.0, 0.25, -0.25]
    );
}

#[test]
fn f32_results_agree_with_f64_results() {
    let mut r = Rng(11);
    let z = r.array((8, 5));
    let y = softmax(&r.array((8, 5)));
    let b = r.array(5);
    let z32 = z.mapv(|v| v as f32);
    let y32 = y.mapv(|v| v as f32);
    let b32 = b.mapv(|v| v as f32);
    let close = |a: f32, b: f64| (a as f64 - b).abs() <= 1e-5 * (1.0 + b.abs());
    assert!(close(
        softmax_cross_entropy(&z32, &y32),
        softmax_cross_entropy(&z, &y)
    ));
    let g32 = t::softmax_cross_entropy_vjp(&z32, &y32, 1.0);
    let g64 = t::softmax_cross_entropy_vjp(&z, &y, 1.0);
    assert!(g32.iter().zip(&g64).all(|(&a, &b)| close(a, b)));
    let h32 = t::map2(&z32, &b32, |z, b| (z + b).tanh());
    let h64 = t::map2(&z, &b, |z, b| (z + b).tanh());
    assert!(h32.iter().zip(&h64).all(|(&a, &b)| close(a, b)));
    let s32 = t::sum_to(&h32, &b32);
    let s64 = t::sum_to(&h64, &b);
    assert!(s32.iter().zip(&s64).all(|(&a, &b)| close(a, b)));
}

#[test]
fn prelude_functions_compile_on_arrays_as_a_forward_body_would_write_them() {
    let x: &Array2<f32> = &Array2::ones((2, 3));
    let w = Array2::<f32>::ones((3, 4)) * 0.1;
    let b = Array1::<f32>::zeros(4);
    let a1 = tanh(x.dot(&w) + &b);
    let p = softmax(&a1);
    let y = Array2::from_elem((2, 4), 0.25_f32);
    let l = softmax_cross_entropy(a1.clone(), &y);
    assert!((l - 4f32.ln()).abs() < 1e-6);
    assert!((sum(&p) - 2.0).abs() < 1e-6 && (mean(&p) - 0.25).abs() < 1e-6);
    assert!(mse(a1.clone(), &a1) == 0.0 && bce(sigmoid(&a1), &y).is_finite());
    assert!(cross_entropy(&p, &y).is_finite() && log_softmax(&a1).iter().all(|v| *v < 0.0));
}

/// What the macro would emit for `loss` in DESIGN.md (a tanh layer, a linear layer,
/// softmax cross-entropy), written by hand with the helpers.
fn mlp_loss_and_grad(
    w1: &Array2<f64>,
    b1: &Array1<f64>,
    w2: &Array2<f64>,
    b2: &Array1<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
) -> (f64, [ArrayD<f64>; 4]) {
    let a1 = t::map2(t::dot(x, w1), b1, |z, b| (z + b).tanh());
    let z2 = t::map2(t::dot(&a1, w2), b2, |z, b| z + b);
    let loss = t::softmax_cross_entropy(&z2, y);
    let dz2 = t::softmax_cross_entropy_vjp(z2, y, 1.0);
    let db2 = t::sum_to(&dz2, b2);
    let dw2 = t::dot_vjp_rhs(&a1, &dz2);
    let da1 = t::dot_vjp_lhs(&dz2, w2);
    let dz1 = t::map2(da1, &a1, |g, a| g * (1.0 - a * a));
    let db1 = t::sum_to(&dz1, b1);
    let dw1 = t::dot_vjp_rhs(x, &dz1);
    (
        loss,
        [
            dw1.into_dyn(),
            db1.into_dyn(),
            dw2.into_dyn(),
            db2.into_dyn(),
        ],
    )
}

#[test]
fn a_hand_assembled_mlp_gradient_matches_finite_differences() {
    let mut r = Rng(12);
    for batch in [1, 7] {
        let (w1, b1, w2, b2) = (r.array((4, 6)), r.array(6), r.array((6, 3)), r.array(3));
        let x = r.array((batch, 4));
        let y = Array2::from_shape_fn((batch, 3), |(i, j)| if j == i % 3 { 1.0 } else { 0.0 });
        let (_, [dw1, db1, dw2, db2]) = mlp_loss_and_grad(&w1, &b1, &w2, &b2, &x, &y);
        let l = |w1: &Array2<f64>, b1: &Array1<f64>, w2: &Array2<f64>, b2: &Array1<f64>| {
            mlp_loss_and_grad(w1, b1, w2, b2, &x, &y).0
        };
        assert_close(
            "w1",
            &dw1,
            &fd(&w1, |v| l(v, &b1, &w2, &b2)).into_dyn(),
            1e-6,
        );
        assert_close(
            "b1",
            &db1,
            &fd(&b1, |v| l(&w1, v, &w2, &b2)).into_dyn(),
            1e-6,
        );
        assert_close(
            "w2",
            &dw2,
            &fd(&w2, |v| l(&w1, &b1, v, &b2)).into_dyn(),
            1e-6,
        );
        assert_close(
            "b2",
            &db2,
            &fd(&b2, |v| l(&w1, &b1, &w2, v)).into_dyn(),
            1e-6,
        );
    }
}

#[test]
fn operands_can_be_floats_references_views_or_owned_arrays() {
    let a = array![1.0_f64, 2.0];
    let r = 3.0_f64;
    assert_eq!(t::map2(&a, &r, |a, b| a * b), array![3.0, 6.0]);
    assert_eq!(t::map2(a.view(), &a.view(), |a, b| a + b), array![2.0, 4.0]);
    assert_eq!(t::map2(a.clone(), a.view(), |a, b| a - b), array![0.0, 0.0]);
    assert_eq!(Operand::view(&&r).len(), 1);
}
