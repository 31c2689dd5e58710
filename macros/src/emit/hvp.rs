//! `f::hvp(args, &v)` for scalar functions: the statements computing `H v` (see
//! `reverse::hvp`), reading the direction's entries as `direction.w_i`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::expr::local;
use crate::emit::scalar;
use crate::ir::derived::Hvp;
use crate::ir::function::Lowered;

/// The statements of `hvp` and the expression of each entry of `H v`.
pub fn hvp(lowered: &Lowered, h: &Hvp) -> (TokenStream, Vec<TokenStream>) {
    let v = local("direction");
    let mut lowered = lowered.clone();
    for name in &h.directions {
        let field = syn::Ident::new(name, proc_macro2::Span::call_site());
        lowered.usage.access.push(quote!(#v.#field));
    }
    scalar::statements(&h.graph, &lowered, &h.hv)
}
