//! `#[differentiable]` on ndarray code: gradients shaped like the parameters, checked
//! element by element against central finite differences in f64; fused losses at extreme
//! logits; f32 against f64.

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::{Array1, Array2, Axis, array};
use cadena::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Mlp {
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
}

#[differentiable(wrt(p))]
pub fn two_layer(p: &Mlp, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    let z2 = a1.dot(&p.w2) + &p.b2;
    softmax_cross_entropy(z2, y)
}

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Deep {
    pub l1: Layer,
    pub l2: Layer,
    pub l3: Layer,
}

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Layer {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
pub fn three_layer(p: &Deep, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h1 = relu(x.dot(&p.l1.w) + &p.l1.b);
    let h2 = sigmoid(h1.dot(&p.l2.w) + &p.l2.b);
    let z = h2.dot(&p.l3.w) + &p.l3.b;
    softmax_cross_entropy(z, y)
}

#[differentiable(wrt(w, b))]
pub fn logistic(w: &Array1<f64>, b: f64, x: &Array2<f64>, y: &Array1<f64>) -> f64 {
    let z = x.dot(w) + b;
    bce(sigmoid(z), y)
}

/// `logistic` written with the copies and views ndarray code often carries.
#[differentiable(wrt(w, b))]
pub fn logistic_with_copies(w: &Array1<f64>, b: f64, x: &Array2<f64>, y: &Array1<f64>) -> f64 {
    let z = x.view().dot(&w.to_owned()) + b;
    bce(sigmoid(z.clone()), y.view().into_owned())
}

/// Backward passes whose elementwise chains reach more arrays than one fused map takes
/// (four), so the emitter splits them: once `sin' = cos` and `cos' = -sin` are shared
/// with the forward values, the tanh' map would read five arrays.
#[differentiable(wrt(w))]
pub fn wide_chain(w: &Array2<f64>, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let z = x.dot(w).tanh();
    let e = z.sin() + z.cos();
    mse(e, y)
}

#[differentiable(wrt(w))]
pub fn wider_chain(w: &Array2<f64>, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let z = x.dot(w).tanh();
    let e = z.sin() + z.cos() + z.exp() * sigmoid(z) - z.abs().sqrt() * 0.1;
    mse(e, y) + mean(e * z)
}

/// softsign as an elementwise activation inside a fused chain.
#[differentiable(wrt(w))]
pub fn softsign_layer(w: &Array2<f64>, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h = softsign(x.dot(w) * 3.0);
    mse(h, y)
}

/// Layer norm: per-row statistics keep their axis (`insert_axis`) and broadcast back.
#[differentiable(wrt(x, gamma))]
pub fn layer_norm(x: &Array2<f64>, gamma: &Array1<f64>, y: &Array2<f64>) -> f64 {
    let mu = x.mean_axis(Axis(1)).insert_axis(Axis(1));
    let d = x - &mu;
    let var = (&d * &d).mean_axis(Axis(1)).insert_axis(Axis(1));
    let xhat = &d / sqrt(var + 1e-5);
    mse(xhat * gamma, y)
}

/// The same layer norm as ndarray code writes it, `mean_axis` giving an `Option`: its
/// `.unwrap()` and `.expect(..)` are the array (the body is plain Rust as written).
#[differentiable(wrt(x, gamma))]
pub fn layer_norm_unwrapped(x: &Array2<f64>, gamma: &Array1<f64>, y: &Array2<f64>) -> f64 {
    let mu = x.mean_axis(Axis(1)).unwrap().insert_axis(Axis(1));
    let d = x - &mu;
    let var = (&d * &d)
        .mean_axis(Axis(1))
        .expect("rows")
        .insert_axis(Axis(1));
    let xhat = &d / sqrt(var + 1e-5);
    mse(xhat * gamma, y)
}

/// Weights used transposed: their gradients come out of the backward pass as transposes.
#[differentiable(wrt(w, p))]
pub fn transposed_weights(w: &Array2<f64>, p: &Mlp, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h = tanh(w.t().dot(&x.t()).t().to_owned() + &p.b1);
    let z = h.dot(&p.w2.t().t()) + &p.b2;
    softmax_cross_entropy(z, y) + sum(p.w1.t()) * 0.01
}

/// `p.v` is first read after rewrites have removed nodes (`(h + h) * 0.5`, `g - h`), so
/// the simplified graph numbers it differently from the graph as written; and `p.c` is
/// read by a dead `let`, so its adjoint is the float 0.
#[differentiable(wrt(p))]
pub fn late_field(p: &Mlp, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h = x.dot(&p.w1) + &p.b1;
    let g = (h + h) * 0.5;
    let e = exp(g * 0.3);
    let d = g - h;
    let _unused = d.dot(&p.w2) + &p.b2;
    softmax_cross_entropy(e.dot(&p.w2), y)
}

/// A gradient that is an input passed through (dL/dw = y).
#[differentiable(wrt(w))]
pub fn pass_through(w: &Array2<f64>, y: &Array2<f64>) -> f64 {
    sum(w * y)
}

#[differentiable(wrt(w, s))]
pub fn regression(w: &Array2<f64>, s: f64, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h = x.dot(w) * s - 0.5;
    let e = exp(h) / (h * h + 1.0);
    mse(e, y) + mean(w * w) * 0.01
}

fn random(rng: &mut StdRng, shape: (usize, usize), scale: f64) -> Array2<f64> {
    Array2::from_shape_fn(shape, |_| rng.random_range(-scale..scale))
}

fn one_hot(rng: &mut StdRng, n: usize, k: usize) -> Array2<f64> {
    let mut y = Array2::zeros((n, k));
    for i in 0..n {
        y[[i, rng.random_range(0..k)]] = 1.0;
    }
    y
}

fn mlp(rng: &mut StdRng, d: usize, h: usize, k: usize) -> Mlp {
    Mlp {
        w1: random(rng, (d, h), 0.8),
        b1: random(rng, (1, h), 0.3).remove_axis(cadena::ndarray::Axis(0)),
        w2: random(rng, (h, k), 0.8),
        b2: random(rng, (1, k), 0.3).remove_axis(cadena::ndarray::Axis(0)),
    }
}

#[test]
fn two_layer_mlp_gradient_matches_finite_differences_on_random_shapes() {
    let mut rng = StdRng::seed_from_u64(1);
    for (n, d, h, k) in [(1, 3, 4, 2), (5, 2, 3, 4), (16, 6, 5, 3)] {
        let p = mlp(&mut rng, d, h, k);
        let x = random(&mut rng, (n, d), 1.5);
        let y = one_hot(&mut rng, n, k);
        let (loss, g) = two_layer::grad(&p, &x, &y);
        assert!((loss - two_layer(&p, &x, &y)).abs() < 1e-12);
        assert_eq!(g.p.w1.dim(), (d, h));
        assert_eq!(g.p.b2.len(), k);
        check_params(|q| two_layer(q, &x, &y), &p, &g.p, &Tolerance::default())
            .unwrap_or_else(|e| panic!("batch {n}: {e}"));
    }
}

#[test]
fn three_layer_mlp_with_nested_parameters_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(2);
    let layer = |rng: &mut StdRng, i: usize, o: usize| Layer {
        w: random(rng, (i, o), 0.9),
        b: random(rng, (1, o), 0.4).remove_axis(cadena::ndarray::Axis(0)),
    };
    let p = Deep {
        l1: layer(&mut rng, 4, 6),
        l2: layer(&mut rng, 6, 5),
        l3: layer(&mut rng, 5, 3),
    };
    let x = random(&mut rng, (7, 4), 1.0);
    let y = one_hot(&mut rng, 7, 3);
    let (_, g) = three_layer::grad(&p, &x, &y);
    check_params(|q| three_layer(q, &x, &y), &p, &g.p, &Tolerance::default()).unwrap();
}

#[test]
fn separate_array_and_scalar_arguments_get_their_own_gradients() {
    let mut rng = StdRng::seed_from_u64(3);
    let x = random(&mut rng, (9, 3), 1.0);
    let y = Array1::from_shape_fn(9, |i| (i % 2) as f64);
    let w = array![0.3, -0.7, 0.2];
    let b = 0.1;
    let (_, g) = logistic::grad(&w, b, &x, &y);
    check_params(|w| logistic(w, b, &x, &y), &w, &g.w, &Tolerance::default()).unwrap();
    check_params(
        |b| logistic(&w, *b, &x, &y),
        &b,
        &g.b,
        &Tolerance::default(),
    )
    .unwrap();
}

#[test]
fn copies_and_views_change_nothing_in_the_gradient() {
    let mut rng = StdRng::seed_from_u64(5);
    let x = random(&mut rng, (7, 3), 1.0);
    let y = Array1::from_shape_fn(7, |i| (i % 2) as f64);
    let w = Array1::from_shape_fn(3, |i| 0.3 - 0.2 * i as f64);
    let (plain, with_copies) = (
        logistic::grad(&w, 0.1, &x, &y),
        logistic_with_copies::grad(&w, 0.1, &x, &y),
    );
    assert_eq!(plain.0, with_copies.0);
    assert_eq!((&plain.1.w, plain.1.b), (&with_copies.1.w, with_copies.1.b));
    assert_eq!(logistic_with_copies::DERIVATION, logistic::DERIVATION);
}

#[test]
fn chains_split_across_several_maps_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(6);
    let x = random(&mut rng, (5, 3), 1.0);
    let y = random(&mut rng, (5, 2), 1.0);
    let w = random(&mut rng, (3, 2), 0.5);
    let tol = Tolerance::default();
    check_params(
        |w| wide_chain(w, &x, &y),
        &w,
        &wide_chain::grad(&w, &x, &y).1.w,
        &tol,
    )
    .unwrap();
    check_params(
        |w| wider_chain(w, &x, &y),
        &w,
        &wider_chain::grad(&w, &x, &y).1.w,
        &tol,
    )
    .unwrap();
}

#[test]
fn softsign_on_arrays_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(11);
    let x = random(&mut rng, (6, 3), 1.0);
    let y = random(&mut rng, (6, 2), 0.5);
    let w = random(&mut rng, (3, 2), 1.0);
    let (loss, g) = softsign_layer::grad(&w, &x, &y);
    assert_eq!(loss, softsign_layer(&w, &x, &y));
    check_params(
        |w| softsign_layer(w, &x, &y),
        &w,
        &g.w,
        &Tolerance::default(),
    )
    .unwrap();
}

#[test]
fn layer_norm_with_keep_dims_statistics_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(12);
    let x = random(&mut rng, (4, 5), 1.0);
    let y = random(&mut rng, (4, 5), 1.0);
    let gamma = random(&mut rng, (1, 5), 1.0).row(0).to_owned();
    let (loss, g) = layer_norm::grad(&x, &gamma, &y);
    assert!((loss - layer_norm(&x, &gamma, &y)).abs() < 1e-12);
    let tol = Tolerance::default();
    check_params(|x| layer_norm(x, &gamma, &y), &x, &g.x, &tol).unwrap();
    check_params(|gm| layer_norm(&x, gm, &y), &gamma, &g.gamma, &tol).unwrap();
    let (unwrapped, g2) = layer_norm_unwrapped::grad(&x, &gamma, &y);
    assert_eq!(unwrapped, loss);
    assert_eq!(g2.x, g.x);
    assert_eq!(g2.gamma, g.gamma);
    // Each normalised row has mean 0, so the loss is unchanged by shifting a row of x:
    // the gradient of each row sums to 0.
    for row in g.x.rows() {
        assert!(row.sum().abs() < 1e-10, "{row}");
    }
}

#[test]
fn gradients_of_transposed_or_passed_through_arrays_are_owned_row_major_arrays() {
    let mut rng = StdRng::seed_from_u64(7);
    let (d, h, k) = (3, 4, 2);
    let x = random(&mut rng, (5, d), 1.0);
    let y = one_hot(&mut rng, 5, k);
    let w = random(&mut rng, (d, h), 0.5);
    let p = mlp(&mut rng, d, h, k);
    let (_, g) = transposed_weights::grad(&w, &p, &x, &y);
    let tol = Tolerance::default();
    check_params(|w| transposed_weights(w, &p, &x, &y), &w, &g.w, &tol).unwrap();
    check_params(|p| transposed_weights(&w, p, &x, &y), &p, &g.p, &tol).unwrap();
    assert!(g.w.is_standard_layout() && g.p.w1.is_standard_layout() && g.p.w2.is_standard_layout());

    let y = random(&mut rng, (d, h), 1.0);
    let (_, g) = pass_through::grad(&w, &y);
    assert_eq!(g.w, y);
}

#[test]
fn fields_read_late_or_only_by_dead_code_get_their_own_gradients() {
    let mut rng = StdRng::seed_from_u64(8);
    let x = random(&mut rng, (5, 3), 1.0);
    let y = one_hot(&mut rng, 5, 2);
    let p = mlp(&mut rng, 3, 4, 2);
    let (_, g) = late_field::grad(&p, &x, &y);
    check_params(|p| late_field(p, &x, &y), &p, &g.p, &Tolerance::default()).unwrap();
    assert!(g.p.b2.iter().all(|&v| v == 0.0));
    assert!(g.p.w2.iter().any(|&v| v != 0.0));
}

#[test]
fn elementwise_chains_with_broadcast_scalars_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(4);
    let x = random(&mut rng, (6, 3), 1.0);
    let y = random(&mut rng, (6, 2), 1.0);
    let w = random(&mut rng, (3, 2), 0.5);
    let s = 0.8;
    let (_, g) = regression::grad(&w, s, &x, &y);
    check_params(
        |w| regression(w, s, &x, &y),
        &w,
        &g.w,
        &Tolerance::default(),
    )
    .unwrap();
    check_params(
        |s| regression(&w, *s, &x, &y),
        &s,
        &g.s,
        &Tolerance::default(),
    )
    .unwrap();
}

#[test]
fn extreme_logits_give_finite_exact_losses_and_gradients() {
    // Logistic: z = ±1e4 on two samples with wrong labels: loss (1e4 + 1e4) / 2, dL/db = 0.
    let x = array![[1.0], [1.0]];
    let w = array![0.0];
    let y = array![0.0, 1.0];
    let (loss, g) = logistic::grad(&w, 1e4, &x, &y);
    assert_eq!(loss, 0.5 * 1e4);
    assert_eq!(g.b, 0.5);
    // Softmax cross-entropy at ±1e4 logits: the wrong class by 2e4.
    let p = Mlp {
        w1: Array2::zeros((1, 1)),
        b1: array![0.0],
        w2: Array2::zeros((1, 2)),
        b2: array![1e4, -1e4],
    };
    let (loss, g) = two_layer::grad(&p, &array![[0.0]], &array![[0.0, 1.0]]);
    assert_eq!(loss, 2e4);
    assert_eq!(g.p.b2, array![1.0, -1.0]);
}

#[derive(Parameters, Clone)]
pub struct Mlp32 {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array2<f32>,
    pub b2: Array1<f32>,
}

#[differentiable(wrt(p))]
pub fn two_layer32(p: &Mlp32, x: &Array2<f32>, y: &Array2<f32>) -> f32 {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    let z2 = a1.dot(&p.w2) + &p.b2;
    softmax_cross_entropy(z2, y)
}

#[test]
fn f32_and_f64_paths_agree() {
    let mut rng = StdRng::seed_from_u64(5);
    let p = mlp(&mut rng, 5, 8, 3);
    let x = random(&mut rng, (12, 5), 1.0);
    let y = one_hot(&mut rng, 12, 3);
    let f = |a: &Array2<f64>| a.mapv(|v| v as f32);
    let p32 = Mlp32 {
        w1: f(&p.w1),
        b1: p.b1.mapv(|v| v as f32),
        w2: f(&p.w2),
        b2: p.b2.mapv(|v| v as f32),
    };
    let (l64, g64) = two_layer::grad(&p, &x, &y);
    let (l32, g32) = two_layer32::grad(&p32, &f(&x), &f(&y));
    assert!((f64::from(l32) - l64).abs() < 1e-5, "{l32} vs {l64}");
    for (a, b) in g32.p.w1.iter().zip(g64.p.w1.iter()) {
        assert!((f64::from(*a) - b).abs() < 1e-5, "{a} vs {b}");
    }
}

#[test]
fn tensor_derivations_read_as_matrix_formulas() {
    let d = two_layer::DERIVATION;
    assert!(d.contains("dL/dp.w2 = a1^T · (softmax(z2) - y) / n"), "{d}");
    assert!(d.contains("dL/dp.b2 = (softmax(z2) - y) / n"), "{d}");
    assert!(d.contains("(1 - a1^2)"), "{d}");
}

#[differentiable(wrt(p))]
pub fn two_layer_indices(p: &Mlp, x: &Array2<f64>, labels: &[usize]) -> f64 {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    let z2 = a1.dot(&p.w2) + &p.b2;
    softmax_cross_entropy(z2, labels)
}

#[test]
fn class_index_labels_give_the_same_loss_and_gradient_as_one_hot_rows() {
    let mut rng = StdRng::seed_from_u64(6);
    let p = mlp(&mut rng, 3, 4, 3);
    let x = random(&mut rng, (5, 3), 1.0);
    let labels = [2, 0, 1, 1, 2];
    let mut y = Array2::zeros((5, 3));
    for (i, &c) in labels.iter().enumerate() {
        y[[i, c]] = 1.0;
    }
    let (l_idx, g_idx) = two_layer_indices::grad(&p, &x, &labels);
    let (l_hot, g_hot) = two_layer::grad(&p, &x, &y);
    assert!((l_idx - l_hot).abs() < 1e-12);
    for (a, b) in g_idx.p.w1.iter().zip(g_hot.p.w1.iter()) {
        assert!((a - b).abs() < 1e-12);
    }
}

#[differentiable(wrt(w))]
fn labels_in_a_slice(w: &Array2<f64>, x: &Array2<f64>, y: &[usize]) -> f64 {
    softmax_cross_entropy(x.dot(w), y)
}

#[differentiable(wrt(w))]
fn labels_in_a_vec(w: &Array2<f64>, x: &Array2<f64>, y: &Vec<usize>) -> f64 {
    softmax_cross_entropy(x.dot(w), y)
}

/// Labels may come in a `Vec` by reference, as they do from a dataset; a `Vec` of floats
/// is refused (tests/ui/borrowed-argument-of-no-number.rs).
#[test]
fn labels_in_a_vec_are_labels() {
    let w = array![[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]];
    let x = array![[1.0, 2.0], [-0.5, 0.25], [0.0, 1.5]];
    let y = vec![2, 0, 1];
    let (v_slice, g_slice) = labels_in_a_slice::grad(&w, &x, &y);
    let (v_vec, g_vec) = labels_in_a_vec::grad(&w, &x, &y);
    assert_eq!(v_slice, v_vec);
    assert_eq!(g_slice.w, g_vec.w);
}
