//! A batch of 0 rows through every op of a classifier's or a regressor's forward and
//! backward pass: the last batch of a data set whose size the batch size divides, a
//! filter that kept nothing. Each op gives arrays with 0 rows (or the zeros of a sum over
//! none), and a mean over 0 rows gives NaN, as [`mean`](super::mean) does.

use ndarray::{Array1, Array2, Axis, array};

use super::*;

fn empty(columns: usize) -> Array2<f64> {
    Array2::zeros((0, columns))
}

fn none_or_zeros(len: usize) -> Array1<f64> {
    Array1::zeros(len)
}

#[test]
fn a_product_of_zero_rows_and_its_vjps_are_empty_or_zero() {
    let (x, w) = (empty(3), Array2::from_elem((3, 2), 0.5));
    assert_eq!(dot(&x, &w), empty(2));
    assert_eq!(dot(x.clone(), w.clone()), empty(2));
    assert_eq!(dot(&x, &array![1.0, 2.0, 3.0]), none_or_zeros(0));
    let g = empty(2);
    assert_eq!(dot_vjp_lhs(&g, &w), empty(3));
    assert_eq!(dot_vjp_rhs(&x, &g), Array2::<f64>::zeros((3, 2)));
    assert_eq!(dot_vjp_rhs(&x, &none_or_zeros(0)), none_or_zeros(3));
}

#[test]
fn a_bias_broadcast_over_zero_rows_and_its_adjoint_are_empty_or_zero() {
    let (x, b) = (empty(3), array![1.0, 2.0, 3.0]);
    assert_eq!(map2(&x, &b, |x, b| x + b), empty(3));
    assert_eq!(map2(x.clone(), &b, |x, b| x + b), empty(3));
    assert_eq!(map2(&b, &x, |b, x| x + b), empty(3));
    assert_eq!(map3(&x, &b, 2.0, |x, b, s| x * s + b), empty(3));
    assert_eq!(map1(&x, f64::tanh), empty(3));
    assert_eq!(sum_to(&x, &b), none_or_zeros(3));
    assert_eq!(sum_to(x.clone(), &b), none_or_zeros(3));
    assert_eq!(sum_to(&x, 1.0), 0.0);
    assert_eq!(broadcast_to(&b, &x), empty(3));
}

#[test]
fn reductions_over_zero_rows_give_zeros_or_nan() {
    let x = empty(3);
    assert_eq!(sum_axis(&x, Axis(0)), none_or_zeros(3));
    assert_eq!(sum_axis(&x, Axis(1)), none_or_zeros(0));
    assert!(mean_axis(&x, Axis(0)).iter().all(|v| v.is_nan()));
    assert_eq!(mean_axis(&x, Axis(1)), none_or_zeros(0));
    assert_eq!(sum(&x), 0.0);
    assert!(mean(&x).is_nan());
    assert_eq!(mean_vjp(1.0, &x), empty(3));
    assert_eq!(mean_axis_vjp(&none_or_zeros(3), Axis(0), &x), empty(3));
    assert_eq!(broadcast_axis_to(&none_or_zeros(0), Axis(1), &x), empty(3));
}

#[test]
fn softmax_of_zero_rows_and_its_vjps_are_empty() {
    let x = empty(3);
    assert_eq!(softmax(&x), empty(3));
    assert_eq!(softmax(x.clone()), empty(3));
    assert_eq!(log_softmax(&x), empty(3));
    assert_eq!(softmax_vjp(&x, &x), empty(3));
    assert_eq!(log_softmax_vjp(&x, x.clone()), empty(3));
    assert_eq!(logsumexp(&x, Axis(1)), none_or_zeros(0));
}

#[test]
fn losses_over_zero_rows_are_nan_and_their_gradients_empty() {
    let (z, y) = (empty(3), empty(3));
    let labels: &[usize] = &[];
    assert!(softmax_cross_entropy(&z, &y).is_nan());
    assert!(softmax_cross_entropy(&z, labels).is_nan());
    assert_eq!(softmax_cross_entropy_vjp(&z, &y, 1.0), empty(3));
    assert_eq!(softmax_cross_entropy_vjp(z.clone(), labels, 1.0), empty(3));
    assert!(cross_entropy(&z, &y).is_nan());
    assert_eq!(cross_entropy_vjp_p(&z, &y, 1.0), empty(3));
    for loss in [bce(&z, &y), bce_logits(&z, &y), mse(&z, &y)] {
        assert!(loss.is_nan());
    }
    assert_eq!(bce_logits_vjp(&z, &y, 1.0), empty(3));
    assert_eq!(bce_vjp_a(&z, &y, 1.0), empty(3));
    assert_eq!(mse_vjp(z.clone(), &y, 1.0), empty(3));
    // A target column broadcast over no rows.
    assert!(mse(&z, &array![1.0, 2.0, 3.0]).is_nan());
    assert_eq!(mse_vjp(&z, &array![1.0, 2.0, 3.0], 1.0), empty(3));
}
