//! Procedural macros for cadena: `#[differentiable]` differentiates a forward function at
//! compile time; `#[derive(Parameters)]` lets optimisers and checkpoints walk a model.
//!
//! This file holds the entry points only. The differentiation pipeline runs one way:
//! `attr` (arguments) → `lower` (syntax → graph) → `simplify` (rewrites on insertion into
//! the `graph` arena) → `reverse` (chain rule, using the `rules` table) → `emit`.
//! Use these macros through the `cadena` crate.

use proc_macro::TokenStream;

mod attr;
mod ctxt;
mod emit;
mod expand;
mod graph;
#[cfg(test)]
mod interp;
mod lower;
mod parameters;
#[cfg(test)]
mod props;
mod reverse;
mod rules;
mod semantics;
#[cfg(test)]
mod sexpr;
mod simplify;
mod types;

/// Differentiates a forward function at compile time. See the `cadena` crate docs.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::differentiable(attr.into(), item.into()).into()
}

/// Implements `cadena::Parameters` for a struct whose fields are arrays, floats or other
/// `Parameters` structs.
#[proc_macro_derive(Parameters, attributes(parameters))]
pub fn derive_parameters(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    parameters::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
