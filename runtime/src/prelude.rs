//! `use cadena::prelude::*;` brings the macros, the `Parameters` trait and the functions
//! a forward body calls, and the `Optimizer` trait whose `step` updates a model. With
//! them come what slicing and joining arrays needs: ndarray's `s!`, `Axis`, and its
//! `concatenate!` and `stack!` macros beside cadena's [`concatenate()`] and [`stack()`]
//! functions (which return the array and accept owned parts as well as views).
//!
//! ```
//! use cadena::ndarray::{array, Array1};
//! use cadena::prelude::*;
//!
//! let a = array![[1.0_f64, 2.0], [3.0, 4.0]];
//! let b = array![[5.0], [6.0]];
//! let ab = concatenate(Axis(1), &[a.view(), b.view()]);
//! assert_eq!(ab, concatenate![Axis(1), a, b]);
//! let outs: Vec<Array1<f64>> = vec![array![1.0, 2.0], array![3.0, 4.0]];
//! assert_eq!(stack(Axis(1), &outs), stack![Axis(1), outs[0], outs[1]]);
//! assert_eq!(ab.slice(s![.., 2]), array![5.0, 6.0]);
//! assert_eq!(max_axis(&ab, Axis(1)), array![5.0, 6.0]);
//! assert_eq!(min_axis(&ab, Axis(0)), array![1.0, 2.0, 5.0]);
//! assert!((logsumexp(&array![800.0_f64, 800.0], Axis(0)).into_scalar() - 800.0 - 2f64.ln()).abs() < 1e-12);
//! assert_eq!(maximum(&a, &array![2.5, 2.5]), array![[2.5, 2.5], [3.0, 4.0]]);
//! assert_eq!(minimum(&a, 2.0), array![[1.0, 2.0], [2.0, 2.0]]);
//! assert_eq!(maximum(1.0_f32, 2.0_f32), 2.0);
//! ```

pub use crate::ops::elementwise::*;
pub use crate::ops::tensor::{concatenate, logsumexp, max_axis, maximum, min_axis, minimum, stack};
pub use crate::ops::{
    avg_pool1d, avg_pool2d, bce, conv1d, conv2d, cross_entropy, dot, log_softmax, max_pool1d,
    max_pool2d, mean, mse, softmax, softmax_cross_entropy, sum,
};
pub use crate::optim::Optimizer;
pub use crate::{Float, Parameters, differentiable};
pub use ndarray::{Axis, s};

/// ndarray's `concatenate!` and `stack!` macros. A `use` brings a name in every namespace
/// it has, and ndarray's `concatenate` and `stack` are both functions and macros; imported
/// through this glob, the functions are shadowed by cadena's [`concatenate()`] and
/// [`stack()`] (explicit imports win over glob ones) and only the macros remain.
mod ndarray_macros {
    pub use ndarray::{concatenate, stack};
}
pub use ndarray_macros::*;
