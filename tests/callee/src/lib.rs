//! A library of `#[differentiable(export)]` functions for tests/cross_crate.rs: a model
//! in a module, a scalar prediction, a function with a hand-written derivative, and
//! functions calling those.

/// A one-hidden-layer network and its forward pass.
pub mod model {
    use cadena::ndarray::{Array1, Array2, ArrayView2};
    use cadena::prelude::*;

    /// The network's parameters.
    #[derive(Parameters, Clone, Debug)]
    pub struct Mlp {
        /// Input to hidden weights.
        pub w1: Array2<f64>,
        /// Hidden biases.
        pub b1: Array1<f64>,
        /// Hidden to output weights.
        pub w2: Array2<f64>,
        /// Output biases.
        pub b2: Array1<f64>,
    }

    /// The forward pass: the logits, one row per sample.
    #[differentiable(export)]
    pub fn logits(p: &Mlp, x: ArrayView2<f64>) -> Array2<f64> {
        let a1 = tanh(x.dot(&p.w1) + &p.b1);
        a1.dot(&p.w2) + &p.b2
    }

    /// The course's neuron: the probability of class 1.
    #[differentiable(export)]
    pub fn predict(w1: f64, w2: f64, b: f64, x1: f64, x2: f64) -> f64 {
        sigmoid(w1 * x1 + w2 * x2 + b)
    }
}

/// `x * sigmoid(x)` with its derivative written by hand.
#[cadena::differentiable(derivative(swish_prime), export)]
pub fn swish(x: f64) -> f64 {
    x * cadena::ops::sigmoid(x)
}

/// `swish'(x) = s + x s (1 - s)` with `s = sigmoid(x)`.
pub fn swish_prime(x: f64) -> f64 {
    let s = cadena::ops::sigmoid(x);
    s + x * s * (1.0 - s)
}

/// The prediction squared: a function of this crate that calls another, which callers
/// in other crates follow too.
#[cadena::differentiable(export)]
pub fn squared_prediction(w1: f64, w2: f64, b: f64, x1: f64, x2: f64) -> f64 {
    let a = model::predict(w1, w2, b, x1, x2);
    a * a
}

/// `swish(a b) b`: calls this crate's function with a hand-written derivative.
#[cadena::differentiable(export)]
pub fn scaled_swish(a: f64, b: f64) -> f64 {
    swish(a * b) * b
}
