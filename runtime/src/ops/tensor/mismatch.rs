//! Operands whose shapes do not fit: each op panics with a message naming itself and
//! both shapes. (The ops track their caller, so the panic hook prints the line of the
//! call, in generated code the user's line, not a line of this crate.)

use ndarray::{Array1, Array2};

use super::*;

fn matrix(rows: usize, columns: usize) -> Array2<f64> {
    Array2::zeros((rows, columns))
}

fn vector(len: usize) -> Array1<f64> {
    Array1::zeros(len)
}

#[test]
#[should_panic(
    expected = "dot: shapes [4, 3] and [5, 2] do not chain (a · b: inner lengths 3 and 5)"
)]
fn a_product_of_matrices_that_do_not_chain_names_both_shapes() {
    dot(&matrix(4, 3), &matrix(5, 2));
}

#[test]
#[should_panic(expected = "dot: shapes [4, 3] and [5] do not chain")]
fn a_matrix_times_a_vector_of_another_length_names_both_shapes() {
    dot(&matrix(4, 3), &vector(5));
}

#[test]
#[should_panic(
    expected = "dot_vjp_lhs: shapes [4, 2] and [3, 5] do not chain (g · bᵀ: inner lengths 2 and 5)"
)]
fn the_left_vjp_of_a_product_that_does_not_chain_names_both_shapes() {
    dot_vjp_lhs(&matrix(4, 2), &matrix(3, 5));
}

#[test]
#[should_panic(
    expected = "dot_vjp_rhs: shapes [4, 3] and [5, 2] do not chain (aᵀ · g: inner lengths 4 and 5)"
)]
fn the_right_vjp_of_a_product_that_does_not_chain_names_both_shapes() {
    dot_vjp_rhs(&matrix(4, 3), &matrix(5, 2));
}

#[test]
#[should_panic(expected = "map2: cannot broadcast [4, 3] with [2]")]
fn a_bias_of_the_wrong_length_names_both_shapes() {
    map2(matrix(4, 3), &vector(2), |a, b| a + b);
}

#[test]
#[should_panic(expected = "sum_to: cannot reduce [4, 3] to [2]")]
fn a_gradient_that_does_not_sum_to_its_operand_names_both_shapes() {
    sum_to(&matrix(4, 3), &vector(2));
}

#[test]
#[should_panic(expected = "broadcast_to: cannot broadcast [2] to [4, 3]")]
fn a_gradient_that_does_not_spread_over_its_operand_names_both_shapes() {
    broadcast_to(&vector(2), &matrix(4, 3));
}

#[test]
#[should_panic(expected = "bce_logits_vjp: cannot broadcast [4, 3] with [4, 2]")]
fn a_loss_gradient_against_targets_of_another_shape_names_both_shapes() {
    bce_logits_vjp(&matrix(4, 3), &matrix(4, 2), 1.0);
}

#[test]
#[should_panic(expected = "mse: cannot broadcast [4, 3] with [4, 2]")]
fn a_loss_against_targets_of_another_shape_names_both_shapes() {
    mse(&matrix(4, 3), &matrix(4, 2));
}

#[test]
#[should_panic(expected = "softmax_cross_entropy_vjp: shapes differ: [4, 3] vs [4, 2]")]
fn a_softmax_cross_entropy_against_one_hot_rows_of_another_width_names_both_shapes() {
    softmax_cross_entropy_vjp(&matrix(4, 3), matrix(4, 2), 1.0);
}

#[test]
#[should_panic(expected = "softmax_cross_entropy_indices: 3 labels for 4 rows")]
fn a_softmax_cross_entropy_with_a_label_short_names_both_counts() {
    softmax_cross_entropy(&matrix(4, 3), &[0, 1, 2]);
}

#[test]
#[should_panic(expected = "softmax_vjp: shapes differ: [4, 3] vs [4, 2]")]
fn a_softmax_gradient_of_another_shape_names_both_shapes() {
    softmax_vjp(&matrix(4, 3), &matrix(4, 2));
}
