//! `use cadena::prelude::*;` brings the macros, the `Parameters` trait and the functions
//! a forward body calls, and the `Optimizer` trait whose `step` updates a model.

pub use crate::ops::elementwise::*;
pub use crate::ops::{
    avg_pool1d, avg_pool2d, bce, conv1d, conv2d, cross_entropy, dot, log_softmax, max_pool1d,
    max_pool2d, mean, mse, softmax, softmax_cross_entropy, sum,
};
pub use crate::optim::Optimizer;
pub use crate::{Float, Parameters, differentiable};
