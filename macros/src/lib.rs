//! Procedural macros for cadena: `#[differentiable]` differentiates a forward function at
//! compile time; `#[derive(Parameters)]` lets optimisers and checkpoints walk a model.
//!
//! This file holds the entry points only. The differentiation pipeline runs one way:
//! `attr` (arguments) → `lower` (syntax → graph, looking names up in the `ops` table) →
//! `simplify` (a builder applying the rewrite laws as nodes enter the `graph` arena) →
//! `reverse` (chain rule, with each op's derivative from the `ops` table) → `emit`.
//! `sexpr` and `pattern` read the laws and templates the tables are written in;
//! `handover` passes callees' bodies to their callers' expansions, and `custom` expands
//! functions with hand-written derivatives. A `for` loop's body becomes a graph of its
//! own (`loops`), lowered by `lower::loops` and run forwards and backwards by
//! `emit::loops`.
//! Use these macros through the `cadena` crate.

use proc_macro::TokenStream;

mod attr;
mod ctxt;
mod custom;
mod declared;
mod dependencies;
mod emit;
mod expand;
mod float_check;
mod handover;
mod impl_block;
mod ir;
mod lower;
mod method;
mod parameters;
#[cfg(test)]
mod props;
mod reverse;
mod simplify;
mod stack;
mod subscript;
#[cfg(test)]
mod timing;
mod types;
mod written;

/// Differentiates a forward function at compile time: the function is kept (its body
/// rewritten into a fused, numerically stable form) and a module of the same name is
/// added with `grad` (value and gradient in one pass), `Grad`, `DERIVATION`, `EXPLAIN`
/// and `GRAPH_DOT`. See the `cadena` crate docs for examples.
///
/// # Arguments
///
/// - `wrt(a, b, ...)`: the arguments to differentiate with respect to: `f32`/`f64`
///   values, float arrays (owned, borrowed or views), and borrowed
///   `#[derive(Parameters)]` structs (the gradient is a struct of the same type). Without
///   `wrt`, every such argument is differentiated.
/// - `assume_finite`: also apply laws exact only for finite values (`x * 0 == 0`,
///   `x - x == 0`), for shorter backward code when no input is ever infinite or NaN; in
///   ndarray code, where `x * 0` is an array of zeros, not the float 0, nothing.
/// - `hvp`: also derive `f::hvp(args, &direction)`, the Hessian times a direction, for
///   a tensor function (scalar functions always have it), loops included; a body calling
///   a hand-written derivative (first order only) is a compile error saying so.
/// - `derivative(f_prime)`: a hand-written derivative; the body is not read, callers use
///   the rule.
/// - `export`: a `pub` function also callable from other crates' `#[differentiable]`
///   functions, by a path from its crate's root (`models::logits(p, x)`).
///
/// # What a body may contain
///
/// A sequence of `let` bindings (shadowing allowed; `let (a, b) = f(..)` for a function
/// returning a tuple), `for` loops carrying one `let mut` value (over a range, a stack
/// of parameter structs, a float array or an array's axis; see the `cadena` crate docs,
/// "Loops"), calls to other `#[differentiable]` functions, and a final expression (a
/// float, an array, or a tuple of them), built from:
///
#[doc = include_str!("../doc/body.md")]
///
/// Anything else is a compile error on the exact tokens, saying what to write instead.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    stack::deep(|| expand::differentiable(attr.into(), item.into())).into()
}

/// Support for calls between `#[differentiable]` functions: a callee's export macro hands
/// its body to the expansion of a caller. Not for direct use.
#[doc(hidden)]
#[proc_macro]
pub fn differentiable_call(input: TokenStream) -> TokenStream {
    stack::deep(|| expand::call(input.into())).into()
}

/// Implements `cadena::Parameters` for a struct whose fields are arrays, floats or other
/// `Parameters` structs. A field marked `#[parameters(skip)]` (a size, an activation
/// choice) is not a parameter: it is left out of visits, optimisers, checkpoints and
/// counts, and cloned into `zeros_like`.
#[proc_macro_derive(Parameters, attributes(parameters))]
pub fn derive_parameters(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    parameters::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
