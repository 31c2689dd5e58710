//! Tensor helpers: the generic runtime functions `#[differentiable]` code calls for
//! ndarray forward and backward passes. Every helper accepts floats as well as arrays
//! (see [`Operand`]), so one emitted call serves scalar and tensor code, and ranks come
//! from the type checker.
//!
//! | concern | items |
//! |---|---|
//! | operands and result types | [`Operand`], [`Kind`] |
//! | fused elementwise maps | [`map1`] .. [`map4`], `try_` variants |
//! | unbroadcasting | [`sum_to`], [`shape_of`] |
//! | gradients returned to the user | [`owned`] (owned, row-major), [`put`] |
//! | buffers reused from step to step | [`pool`] |
//! | matrix products | [`dot`], [`dot_vjp_lhs`], [`dot_vjp_rhs`], [`t`] |
//! | convolutions (PyTorch layouts) | [`conv1d`], [`conv2d`] and their VJPs: [`conv1d_vjp_x`], [`conv1d_vjp_w`], [`conv1d_vjp_b`], [`conv2d_vjp_x`], [`conv2d_vjp_w`], [`conv2d_vjp_b`] |
//! | pooling (no padding, floor) | [`max_pool1d`], [`avg_pool1d`], [`max_pool2d`], [`avg_pool2d`] and their `_vjp`s |
//! | reductions | [`sum`], [`mean`], [`sum_axis`], [`mean_axis`], [`broadcast_to`], [`broadcast_axis_to`], [`mean_vjp`], [`mean_axis_vjp`] |
//! | keep-dims | [`insert_axis`], [`remove_axis`] |
//! | softmax | [`softmax`], [`log_softmax`], [`softmax_vjp`], [`log_softmax_vjp`], [`lane_sums`] |
//! | slices and gathers | [`slice()`], [`index_axis`], [`select`] ([`Indices`]) and their VJPs [`slice_vjp`], [`index_axis_vjp`], [`select_vjp`] |
//! | joins | [`concatenate`], [`stack`]; for their gradients [`concatenate_part`], [`len_of`] (stack's: [`index_axis`]); [`view`] |
//! | extrema | [`max_axis`], [`min_axis`], [`extremum_axis_vjp`], [`logsumexp`], [`logsumexp_vjp`], [`maximum`], [`minimum`] |
//! | fast vectorisable activations | [`fast::exp`], [`fast::tanh`], [`fast::sigmoid`] and `_inplace` slice kernels |
//! | losses | [`softmax_cross_entropy`] (+ `_indices`), [`cross_entropy`], [`bce`], [`bce_logits`], [`mse`] and their VJPs |
//!
//! Operands whose shapes do not fit panic with a message naming the op and both shapes
//! (`dot: shapes [4, 3] and [5, 2] do not chain ...`); the products, maps, reductions'
//! adjoints, losses and softmaxes track their caller (`#[track_caller]`), so the panic
//! names the line that called them, in `#[differentiable]` code the user's line. Inside
//! [`fit`](crate::train::fit) the panic comes back as [`Error::Step`](crate::Error::Step).
//! A batch of 0 rows goes through every op: arrays with 0 rows out, zeros from sums over
//! none, NaN from means over none.

mod axes;
mod conv;
mod dot;
mod extrema;
pub mod fast;
mod gemm;
mod iteration;
mod join;
mod loss;
mod map;
#[cfg(test)]
mod mismatch;
mod operand;
mod owned;
pub mod pool;
mod pooling;
mod reduce;
mod shape;
mod slicing;
mod softmax;
mod steps;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod zero_rows;

pub use axes::{insert_axis, remove_axis};
pub use conv::{
    conv1d, conv1d_vjp_b, conv1d_vjp_w, conv1d_vjp_x, conv2d, conv2d_vjp_b, conv2d_vjp_w,
    conv2d_vjp_x,
};
pub use dot::{DotDims, LhsGrad, RhsGrad, Transpose, dot, dot_vjp_lhs, dot_vjp_rhs, t};
pub use extrema::{
    extremum_axis_vjp, logsumexp, logsumexp_vjp, max_axis, maximum, min_axis, minimum,
};
pub use iteration::{
    accumulate, accumulate_parameters, add_parameters, assign_index_axis, zeros_as,
};
pub use join::{concatenate, concatenate_part, len_of, stack, view};
pub use loss::{
    ClassIndices, Targets, bce, bce_logits, bce_logits_vjp, bce_vjp_a, cross_entropy,
    cross_entropy_vjp_p, mse, mse_vjp, softmax_cross_entropy, softmax_cross_entropy_indices,
    softmax_cross_entropy_indices_vjp, softmax_cross_entropy_vjp,
};
pub use map::{map1, map2, map3, map4, try_map2, try_map3, try_map4};
pub use operand::{
    DimOf2, DimOf3, DimOf4, Kind, KindOf2, Like, Operand, Out1, Out2, Out3, Out4, Scalar, Tensor,
};
pub use owned::{look, none_like, owned, put, replace};
pub use pooling::{
    avg_pool1d, avg_pool1d_vjp, avg_pool2d, avg_pool2d_vjp, max_pool1d, max_pool1d_gather,
    max_pool1d_vjp, max_pool2d, max_pool2d_gather, max_pool2d_vjp,
};
pub(crate) use reduce::reduce_view;
pub use reduce::{
    broadcast_axis_to, broadcast_to, mean, mean_axis, mean_axis_vjp, mean_vjp, sum, sum_axis,
    sum_to,
};
pub use shape::{Shape, shape_of};
pub use slicing::{
    Indices, index_axis, index_axis_vjp, select, select_vjp, slice, slice_add, slice_vjp,
};
pub use softmax::{lane_sums, log_softmax, log_softmax_vjp, softmax, softmax_vjp};
pub use steps::{Steps, concatenate_seq, stack_seq, unconcatenate_seq, unstack_seq};
