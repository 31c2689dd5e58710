//! `use cadena::prelude::*;` brings the macros, the `Parameters` trait and the functions
//! a forward body calls.

pub use crate::ops::{
    bce, cross_entropy, exp, ln, log_softmax, mean, mse, relu, sigmoid, softmax,
    softmax_cross_entropy, softplus, sum, tanh,
};
pub use crate::{Float, Parameters, differentiable};
