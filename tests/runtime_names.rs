//! Generated from the op table (macros/src/ir/ops/table.rs) by the test
//! `ir::ops::catalogue::tests::the_runtime_names_file_is_the_op_table`; do not edit by hand.
//! Every runtime function generated code calls by a name from the table exists: this
//! file compiles only if each of these 112 paths resolves.
#![allow(unused_imports)]

use cadena::__private::lanes::above as _;
use cadena::__private::lanes::bce as _;
use cadena::__private::lanes::bce_logits as _;
use cadena::__private::lanes::bce_logits_grad as _;
use cadena::__private::lanes::compare as _;
use cadena::__private::lanes::exp as _;
use cadena::__private::lanes::exp_m1 as _;
use cadena::__private::lanes::ge as _;
use cadena::__private::lanes::guard as _;
use cadena::__private::lanes::if_else as _;
use cadena::__private::lanes::le as _;
use cadena::__private::lanes::ln as _;
use cadena::__private::lanes::ln_1p as _;
use cadena::__private::lanes::maximum as _;
use cadena::__private::lanes::minimum as _;
use cadena::__private::lanes::mse as _;
use cadena::__private::lanes::relu as _;
use cadena::__private::lanes::sigmoid as _;
use cadena::__private::lanes::sign as _;
use cadena::__private::lanes::softplus as _;
use cadena::__private::lanes::softsign as _;
use cadena::__private::lanes::step as _;
use cadena::__private::lanes::tanh as _;
use cadena::__private::scalar::above as _;
use cadena::__private::scalar::bce as _;
use cadena::__private::scalar::bce_logits as _;
use cadena::__private::scalar::bce_logits_grad as _;
use cadena::__private::scalar::compare as _;
use cadena::__private::scalar::ge as _;
use cadena::__private::scalar::guard as _;
use cadena::__private::scalar::if_else as _;
use cadena::__private::scalar::le as _;
use cadena::__private::scalar::maximum as _;
use cadena::__private::scalar::minimum as _;
use cadena::__private::scalar::mse as _;
use cadena::__private::scalar::relu as _;
use cadena::__private::scalar::sigmoid as _;
use cadena::__private::scalar::sign as _;
use cadena::__private::scalar::softplus as _;
use cadena::__private::scalar::softsign as _;
use cadena::__private::scalar::step as _;
use cadena::__private::t::avg_pool1d as _;
use cadena::__private::t::avg_pool1d_vjp as _;
use cadena::__private::t::avg_pool2d as _;
use cadena::__private::t::avg_pool2d_vjp as _;
use cadena::__private::t::bce as _;
use cadena::__private::t::bce_logits as _;
use cadena::__private::t::bce_logits_vjp as _;
use cadena::__private::t::bce_vjp_a as _;
use cadena::__private::t::broadcast_axis_to as _;
use cadena::__private::t::broadcast_to as _;
use cadena::__private::t::concatenate as _;
use cadena::__private::t::concatenate_part as _;
use cadena::__private::t::concatenate_seq as _;
use cadena::__private::t::conv1d as _;
use cadena::__private::t::conv1d_vjp_b as _;
use cadena::__private::t::conv1d_vjp_w as _;
use cadena::__private::t::conv1d_vjp_x as _;
use cadena::__private::t::conv2d as _;
use cadena::__private::t::conv2d_vjp_b as _;
use cadena::__private::t::conv2d_vjp_w as _;
use cadena::__private::t::conv2d_vjp_x as _;
use cadena::__private::t::cross_entropy as _;
use cadena::__private::t::cross_entropy_vjp_p as _;
use cadena::__private::t::dot as _;
use cadena::__private::t::dot_vjp_lhs as _;
use cadena::__private::t::dot_vjp_rhs as _;
use cadena::__private::t::extremum_axis_vjp as _;
use cadena::__private::t::fast::exp as _;
use cadena::__private::t::fast::sigmoid as _;
use cadena::__private::t::fast::tanh as _;
use cadena::__private::t::index_axis as _;
use cadena::__private::t::index_axis_vjp as _;
use cadena::__private::t::insert_axis as _;
use cadena::__private::t::lane_sums as _;
use cadena::__private::t::log_softmax as _;
use cadena::__private::t::log_softmax_vjp as _;
use cadena::__private::t::logsumexp as _;
use cadena::__private::t::logsumexp_vjp as _;
use cadena::__private::t::max_axis as _;
use cadena::__private::t::max_pool1d as _;
use cadena::__private::t::max_pool1d_gather as _;
use cadena::__private::t::max_pool1d_vjp as _;
use cadena::__private::t::max_pool2d as _;
use cadena::__private::t::max_pool2d_gather as _;
use cadena::__private::t::max_pool2d_vjp as _;
use cadena::__private::t::mean as _;
use cadena::__private::t::mean_axis as _;
use cadena::__private::t::mean_axis_vjp as _;
use cadena::__private::t::mean_vjp as _;
use cadena::__private::t::min_axis as _;
use cadena::__private::t::mse as _;
use cadena::__private::t::mse_vjp as _;
use cadena::__private::t::remove_axis as _;
use cadena::__private::t::select as _;
use cadena::__private::t::select_vjp as _;
use cadena::__private::t::shape_of as _;
use cadena::__private::t::slice as _;
use cadena::__private::t::slice_add as _;
use cadena::__private::t::slice_vjp as _;
use cadena::__private::t::softmax as _;
use cadena::__private::t::softmax_cross_entropy as _;
use cadena::__private::t::softmax_cross_entropy_vjp as _;
use cadena::__private::t::softmax_vjp as _;
use cadena::__private::t::stack as _;
use cadena::__private::t::stack_seq as _;
use cadena::__private::t::sum as _;
use cadena::__private::t::sum_axis as _;
use cadena::__private::t::sum_to as _;
use cadena::__private::t::t as _;
use cadena::__private::t::unconcatenate_seq as _;
use cadena::__private::t::unstack_seq as _;

#[test]
fn every_runtime_name_the_op_table_emits_is_listed() {
    let uses = include_str!("runtime_names.rs")
        .lines()
        .filter(|l| l.starts_with("use "));
    assert_eq!(uses.count(), 112);
}
