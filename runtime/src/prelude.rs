//! `use cadena::prelude::*;` brings the macros, the `Parameters` trait and the functions
//! a forward body calls, and the `Optimizer` trait whose `step` updates a model.

pub use crate::ops::{bce, exp, ln, mse, relu, sigmoid, softplus, tanh};
pub use crate::optim::Optimizer;
pub use crate::{Float, Parameters, differentiable};
