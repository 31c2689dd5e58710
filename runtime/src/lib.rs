//! # cadena
//!
//! Neural networks whose gradients are derived **at compile time**. The
//! [`differentiable`] attribute reads an ordinary forward function, builds its
//! computational graph while the crate compiles, differentiates it with the chain rule,
//! simplifies the result and emits plain Rust: a fused forward pass and a simplified
//! backward pass. This crate holds everything that code calls at run time.
//!
//! ```
//! use cadena::prelude::*;
//!
//! #[differentiable(wrt(w1, w2, b))]
//! pub fn neuron(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
//!     let z = w1 * x1 + w2 * x2 + b;
//!     let a = sigmoid(z);
//!     bce(a, y)
//! }
//!
//! let (loss, g) = neuron::grad(0.5, -0.5, 0.0, 1.0, 2.0, 1.0);
//! assert!((loss - neuron(0.5, -0.5, 0.0, 1.0, 2.0, 1.0)).abs() < 1e-12);
//! // sigmoid + binary cross-entropy collapses to a - y:
//! let a = sigmoid(0.5_f64 * 1.0 - 0.5 * 2.0);
//! assert!((g.b - (a - 1.0)).abs() < 1e-12);
//! assert_eq!(neuron::DERIVATION, "dL/dw1 = (a - y) * x1\ndL/dw2 = (a - y) * x2\ndL/db = a - y");
//! ```
//!
//! ## What a `#[differentiable]` body may contain
//!
//! The body is ordinary Rust that compiles as written with `use cadena::prelude::*` (or
//! the same names imported one by one): a sequence of `let` bindings (shadowing allowed)
//! and a final expression of operators, float literals, constants, methods, prelude
//! functions and (in tensor code) fields of parameter structs. The full table, generated
//! from the macro's op table, is on [`differentiable`]; the arguments `wrt(..)` and
//! `assume_finite` are described there too. `for` loops (see [Loops](#loops)), `if` on
//! values or on configuration arguments and `match` on a configuration are the control
//! flow a body may have. Anything else (a `while` on floats, closures and `mapv`, calls to functions
//! without `#[differentiable]`, ndarray's `mean()`, which returns an `Option`: write
//! `mean(x)`) is a compile error on the exact tokens, saying what to write instead; the
//! macro never panics. Losses average over the batch;
//! `softmax_cross_entropy` takes one-hot rows or class indices (`&[usize]`).

//!
//! ## One forward pass, many uses: calls, generic floats, stacks of layers
//!
//! A `#[differentiable]` function may call another one. The callee's body is inlined
//! into the caller's graph (it reaches the caller's expansion through a hidden macro the
//! attribute exports under the function's name), so the caller's simplifications see
//! through the call: the loss below still has the stable `a - y` gradient, printed with
//! the callee's name. A function without `wrt` is a building block; one returning an
//! array (a network's logits) is the forward pass users call to predict. Generic floats
//! (`fn f<T: Float>`), type aliases and views (`wrt(x)` with `x: ArrayView2<f32>`, whose
//! gradient is an owned `Array2<f32>`) work too, and parameter structs may hold
//! `Vec`s and arrays of layers, read by a literal index (`p.layers[0].w`).
//!
//! ```
//! use cadena::prelude::*;
//!
//! #[differentiable]
//! fn predict<T: Float>(w1: T, w2: T, b: T, x1: T, x2: T) -> T {
//!     sigmoid(w1 * x1 + w2 * x2 + b)
//! }
//!
//! #[differentiable(wrt(w1, w2, b))]
//! fn loss<T: Float>(w1: T, w2: T, b: T, x1: T, x2: T, y: T) -> T {
//!     bce(predict(w1, w2, b, x1, x2), y)
//! }
//!
//! fn main() {
//!     assert_eq!(loss::DERIVATION, "dL/dw1 = (predict - y) * x1\ndL/dw2 = (predict - y) * x2\ndL/db = predict - y");
//!     let (_, g) = loss::grad(800.0_f64, 0.0, 0.0, 1.0, 0.0, 0.0);
//!     assert_eq!(g.b, 1.0); // finite and exact where sigmoid saturates
//!     let (_, g32) = loss::grad(0.5_f32, -0.5, 0.0, 1.0, 2.0, 1.0);
//!     assert!(g32.w1 < 0.0);
//! }
//! ```
//!
//! (The generated `mod loss` sees the names of the module around the function: a
//! generic function's bound, `T: Float`, needs `Float` imported at module level, as
//! here, not inside a function body.)
//!
//! A function whose body the macro should not read (a library call, a loop) can carry a
//! hand-written derivative instead, `#[differentiable(derivative(f_prime))]`, where
//! `f_prime` takes the same arguments and returns the partials (a tuple for several);
//! callers use it (in tensor code element by element, like any elementwise operation),
//! and [`gradcheck`] is how to test it. A helper without a rule, `#[differentiable]` with
//! no `wrt`, is inlined instead, and maps over arrays the same way:
//!
//! ```
//! use cadena::gradcheck::{Tolerance, check};
//! use cadena::prelude::*;
//!
//! /// `ln(1 + x²)`, its derivative written by hand.
//! #[differentiable(derivative(soft_square_prime))]
//! fn soft_square(x: f64) -> f64 {
//!     x.mul_add(x, 1.0).ln()
//! }
//!
//! fn soft_square_prime(x: f64) -> f64 {
//!     2.0 * x / (1.0 + x * x)
//! }
//!
//! /// A building block: inlined into its callers.
//! #[differentiable]
//! fn swish(x: f64) -> f64 {
//!     x * sigmoid(x)
//! }
//!
//! #[differentiable]
//! fn f(a: f64, b: f64) -> f64 {
//!     soft_square(a * b) + swish(a)
//! }
//!
//! fn main() {
//!     assert_eq!(
//!         f::DERIVATION,
//!         "dL/da = sigmoid(a) + a * sigmoid(a) * (1 - sigmoid(a)) + soft_square'(a * b) * b\n\
//!          dL/db = soft_square'(a * b) * a"
//!     );
//!     let (_, g) = f::grad(0.5, 2.0);
//!     let tol = Tolerance::default();
//!     check(|v| f(v[0], v[1]), &[0.5, 2.0], &[g.a, g.b], &["a", "b"], &tol).unwrap();
//! }
//! ```
//!
//! Calls work to any depth; recursion is a compile error. A call to a function without
//! `#[differentiable]` is reported as "cannot find macro `f_needs_differentiable_attribute`"
//! at the call (the macro asks each callee for its body through that macro, which the
//! attribute defines): add `#[differentiable]` to `f`, or
//! `#[differentiable(derivative(f_prime))]` with a hand-written derivative.
//!
//! A function may return a tuple of floats and arrays. Callers bind its parts or take
//! one, and its `vjp`'s pullback takes one cotangent per part:
//!
//! ```
//! use cadena::prelude::*;
//!
//! #[differentiable]
//! fn polar(r: f64, t: f64) -> (f64, f64) {
//!     (r * t.cos(), r * t.sin())
//! }
//!
//! #[differentiable]
//! fn distance2(r: f64, t: f64) -> f64 {
//!     let (x, y) = polar(r, t);
//!     (x - 1.0) * (x - 1.0) + y * y
//! }
//!
//! let (_, g) = distance2::grad(2.0, 0.0);
//! assert_eq!((g.r, g.t), (2.0, 0.0));
//! let ((x, y), pullback) = polar::vjp(2.0, 0.5);
//! assert_eq!((x, y), polar(2.0, 0.5));
//! assert_eq!(pullback((1.0, 0.0)).r, 0.5_f64.cos());
//! ```
//!
//! Across crates, the callee is marked `#[differentiable(export)]` (a `pub` function;
//! its name unique among its crate's exported ones) and called by a path from its
//! crate's root, `models::mlp::logits(p, x)` or `::models::mlp::logits(p, x)` (the
//! macro reads the crate names from your `Cargo.toml`): rustc lets other crates reach
//! the body only there. Its body is inlined as within a crate: the functions it calls in its own
//! crate are followed when they are `export` too (a hand-written derivative's function
//! must then sit at that crate's root), and other names in it (constants, types) are
//! read where the caller is.
//!
//! ## Loops
//!
//! A `for` loop carries the `let mut` values it re-assigns from one iteration to the next
//! (any number, floats and arrays mixed: an LSTM's `h` and `c` and a loss summed over the
//! steps; `let (mut h, mut c) = (..);` re-assigned as `(h, c) = cell(..);` from a helper's
//! tuple); the number of iterations is a run-time value (a stack of layers of any depth, a sequence of any
//! length). A loop may run over
//!
//! - a range, `for i in 0..n` (`n` any `usize` expression), reading `c[i]` of a float
//!   array argument, `p.layers[i].w`, or `x.index_axis(Axis(k), i)` of an array argument;
//! - a `Vec` or array of parameter structs, `for l in &p.layers` (or `.iter()`), reading
//!   `l.w`;
//! - a float array argument, `for &c in cs` (or `cs.iter()`);
//! - an array argument's axis, `for xt in x.axis_iter(Axis(k))` (or `x.outer_iter()`);
//!
//! each optionally `.enumerate()` and then `.rev()` — over an argument or over an array
//! computed before the loop. A loop may also push one value per step onto a `Vec`
//! declared before it (`let mut outs = Vec::new();`, `outs.push(h.clone());`), joined
//! after it with `stack(Axis(1), &outs)` or `concatenate(Axis(1), &outs)`: a layer that
//! runs a whole sequence and hands it to the next. Re-assign a carried value with `=`
//! or `+=`, `-=`, `*=`, `/=`; read anything computed before the loop; call other
//! `#[differentiable]` functions (a helper may loop itself, or take the loop's element:
//! `h = dense(l, h.view())`). Loops nest to any depth (time × layers, layer by layer over
//! whole sequences, points × components); an inner loop may re-assign an outer carried
//! value, which both then carry. A `while` over an integer counter
//! (`let mut i = 0; while i < n { ..; i += 1; }`) is the `for` loop it counts, and so is
//! a `loop` that breaks on the counter (`loop { if i >= n { break; } ..; i += 1; }`, the
//! test first or last). Other `while`s and `loop`s, other `break`s,
//! `continue`, `return` inside a loop and iterators
//! the macro cannot walk backwards by index (`map`, `zip`, `skip`) are compile errors
//! saying what to write instead.
//!
//! ```
//! use cadena::ndarray::{Array1, Array2, Array3, ArrayView2, ArrayView3};
//! use cadena::prelude::*;
//!
//! #[derive(Parameters, Clone)]
//! pub struct Layer { pub w: Array2<f32>, pub b: Array1<f32> }
//! #[derive(Parameters, Clone)]
//! pub struct Deep { pub layers: Vec<Layer>, pub out: Layer }
//!
//! #[differentiable(wrt(p))]
//! pub fn loss(p: &Deep, x: ArrayView2<f32>, y: &[usize]) -> f32 {
//!     let mut h = x.to_owned();
//!     for l in &p.layers {
//!         h = tanh(h.dot(&l.w) + &l.b);
//!     }
//!     softmax_cross_entropy(h.dot(&p.out.w) + &p.out.b, y)
//! }
//!
//! /// An LSTM as in the textbook: two carried states and a loss summed over the steps.
//! #[differentiable(wrt(p))]
//! pub fn lstm(p: &Layer, x: ArrayView3<f32>, h0: ArrayView2<f32>, y: &[usize], n: usize) -> f32 {
//!     let (mut h, mut c) = (h0.to_owned(), h0.to_owned());
//!     let mut loss = 0.0;
//!     for xt in x.axis_iter(Axis(1)) {
//!         let z = concatenate![Axis(1), xt, h].dot(&p.w) + &p.b;
//!         let (i, f) = (sigmoid(z.slice(s![.., 0..n])), sigmoid(z.slice(s![.., n..2 * n])));
//!         let (g, o) = (tanh(z.slice(s![.., 2 * n..3 * n])), sigmoid(z.slice(s![.., 3 * n..])));
//!         c = f * &c + i * g;
//!         h = o * tanh(&c);
//!         loss += softmax_cross_entropy(&h, y);
//!     }
//!     loss
//! }
//!
//! /// Horner's rule: the gradient of an array argument is an array.
//! #[differentiable]
//! fn poly(c: &[f64; 4], x: f64) -> f64 {
//!     let mut acc = 0.0;
//!     for i in (0..4).rev() {
//!         acc = acc * x + c[i];
//!     }
//!     acc
//! }
//!
//! fn main() {
//!     let layer = |i, o| Layer { w: Array2::from_elem((i, o), 0.1), b: Array1::zeros(o) };
//!     let p = Deep { layers: vec![layer(3, 4), layer(4, 4), layer(4, 4)], out: layer(4, 2) };
//!     let x = Array2::from_elem((5, 3), 0.5);
//!     let (_, g) = loss::grad(&p, x.view(), &[0, 1, 0, 1, 1]);
//!     assert_eq!(g.p.layers.len(), 3); // a `Deep` of the same shapes
//!     let (_, g) = poly::grad(&[1.0, 2.0, 3.0, 4.0], 0.5);
//!     assert_eq!(g.c, [1.0, 0.5, 0.25, 0.125]); // d/dc_k = x^k
//!     let cell = Layer { w: Array2::from_elem((3 + 2, 8), 0.1), b: Array1::zeros(8) };
//!     let x = Array3::from_elem((5, 4, 3), 0.5);
//!     let h0 = Array2::zeros((5, 2));
//!     let (_, g) = lstm::grad(&cell, x.view(), h0.view(), &[0, 1, 0, 1, 1], 2);
//!     assert_eq!(g.p.w.dim(), (5, 8));
//!     assert!(lstm::DERIVATION.contains("δloss[i-1] = δloss[i]"));
//!     assert!(loss::DERIVATION.contains(
//!         "for l in &p.layers, last to first:\n  δh[i-1] = δh[i] * (1 - h[i]^2) · p.layers[i].w^T"
//!     ));
//! }
//! ```
//!
//! `DERIVATION` and `EXPLAIN` write the loop's body once, with the iteration as an index:
//! `h[i-1]` and `h[i]` are a carried value before and after iteration `i` (`h[i+1]` and
//! `h[i]` when the index runs down), `δh[i]` is the gradient of the loss with respect to
//! `h[i]`, `δh[end]` the one flowing into the loop from the code after it, `δw[i]` the
//! share of iteration `i` in the gradient of a value every iteration reads (summed,
//! `Σi δw[i]`), and `dL/dp.layers[i].w` an element's own gradient.
//!
//! **Memory.** Nothing is unrolled: the body is derived once, and the loop runs twice —
//! forward, pushing onto a tape per iteration only what that iteration's backward reads,
//! then backward over the tape, last iteration first. For a stack of tanh layers that is
//! the carried value before each layer (the value after a layer is the next one's
//! before, and the last one is the loop's result, so none is stored twice); cheap
//! elementwise values such as `1 - h²` are recomputed instead of stored; values the body
//! reads that do not change between iterations (a shared weight) are not stored at all.
//! A loop inside a loop body that carries several values (an LSTM layer run over a
//! sequence, inside the loop over layers) has its tape stored beside the outer
//! iteration's, so the backward pass reads it rather than running that loop again; any
//! other inner loop is run again during the backward pass, its values kept one outer
//! iteration at a time. The plain forward function, and a caller that needs no gradient,
//! keep no tape.
//!
//! ## Cargo features
//!
//! Four features, all on by default, each bringing a part only some programs need and
//! the crates behind it:
//!
//! | feature | brings | crates |
//! |---|---|---|
//! | `audio` | the `audio` module: decoding (WAV, FLAC, MP3, ...), resampling, STFT, mel, MFCC, deltas, folder-per-class data sets; `Error::Audio` | symphonia, hound, realfft, rubato |
//! | `plot` | drawing, PNG or SVG: `History::save_plot`, `ConfusionMatrix::save_heatmap`, `GraphTrace::save` and `to_svg`; `PlotSize`, `Error::Plot` | plotters |
//! | `progress` | progress bars on stderr: the training loop's, and feature extraction's in `audio` | indicatif |
//! | `checkpoint` | the `checkpoint` module: any [`Parameters`] saved to and loaded from safetensors files; `Error::Checkpoint` | safetensors |
//!
//! With `default-features = false` the crate keeps the macros, the ops, [`Parameters`],
//! the optimisers ([`optim`]), the training loop ([`train`]), [`data`], [`init`],
//! [`metrics`] and [`gradcheck`]. The API of what stays is the same: without `progress`,
//! [`TrainConfig::progress`](train::TrainConfig::progress) draws nothing, and without
//! `plot`, `f::trace` still returns the graph's data ([`plot::GraphTrace`]), which only
//! cannot be drawn. Features add to each other, so one can be turned back on alone:
//!
//! ```toml
//! [dependencies]
//! cadena = { version = "0.1", default-features = false, features = ["checkpoint"] }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the macros' `::cadena::...` paths resolve inside this crate's own tests and docs.
extern crate self as cadena;

#[cfg(feature = "audio")]
#[cfg_attr(docsrs, doc(cfg(feature = "audio")))]
pub mod audio;
#[cfg(feature = "checkpoint")]
#[cfg_attr(docsrs, doc(cfg(feature = "checkpoint")))]
pub mod checkpoint;
pub mod checks;
pub mod data;
mod error;
mod float;
pub mod gradcheck;
pub mod init;
pub mod metrics;
pub mod ops;
pub mod optim;
mod params;
pub mod plot;
pub mod prelude;
mod progress;
pub mod train;

pub use cadena_macros::{Parameters, differentiable};
pub use error::{Error, Result};
pub use float::Float;
pub use ndarray;
/// The numeric traits [`Float`] builds on (`num_traits::Float` gives a generic float its
/// `sin`, `exp`, `max`), re-exported as ndarray is, so a crate needs no dependency of its
/// own to name them, and rustc, suggesting a trait, names this path.
pub use num_traits;
pub use params::{Parameters, WithGrad};

/// Support for code generated by the macros. Not part of the public API: paths here may
/// change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::ops::lanes;
    pub use crate::ops::scalar;
    pub use crate::ops::tensor as t;
    pub use crate::params::join_path;
    pub use cadena_macros::differentiable_call;
    pub use ndarray;
    pub use num_traits;
    pub use pulp;
}

/// The Rust blocks of the READMEs, compiled and run as doc-tests by `cargo test` so that
/// they cannot drift from the crate. `cfg(doctest)` keeps the files, which live outside
/// this crate's directory, out of ordinary and packaged builds.
#[cfg(doctest)]
mod readme {
    #[doc = include_str!("../../README.md")]
    struct Readme;

    #[doc = include_str!("../../README.es.md")]
    struct ReadmeEs;

    // Its example saves a plot and a checkpoint.
    #[cfg(all(feature = "plot", feature = "checkpoint"))]
    #[doc = include_str!("README_TRAIN_SECTION.md")]
    struct TrainSection;

    #[doc = include_str!("audio/README_SECTION.md")]
    struct AudioSection;
}
