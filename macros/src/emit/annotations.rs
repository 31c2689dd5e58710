//! The annotated `let`s whose values the macro cannot hold against their types, held by
//! rustc. The macro reads values, not types, and knows a value is a float or an array of
//! how many axes only from the graph; a value made from a struct's fields (`let v: f64 =
//! sigmoid(h.dot(&p.v))`) may be either, and the emitted code binds no annotation, so a
//! wrong one was accepted though rustc refuses it written without the attribute (a
//! fuzzer finding). Here such values are computed again, as the forward pass computes
//! them, in a copy of the function that is never called (so it is type-checked but not
//! compiled to machine code), each through `cadena::checks::let_value`, which compiles
//! only when the value is what its annotation says: a float, or an array of as many
//! axes (a view or a reference as good as the array, as in the tensor dialect).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Derived, statements};

/// The copy, inside an anonymous `const`; nothing when every annotation was decided by
/// the macro, or for a method or a function generic over its types (the copy could not
/// name `Self`, and a generic float's values are no `f32`/`f64` to compare).
pub fn check(d: &Derived) -> TokenStream {
    let item = d.item;
    if d.annotated.is_empty()
        || crate::written::is_method(item)
        || item.sig.generics.type_params().next().is_some()
    {
        return TokenStream::new();
    }
    let roots: Vec<_> = d.annotated.iter().map(|&(node, _)| node).collect();
    let (stmts, values) = statements(d, d.lowered, &roots);
    let checks = d.annotated.iter().zip(values).map(|((_, a), value)| {
        let ty = &a.ty;
        let span = syn::spanned::Spanned::span(&a.init);
        super::output::respanned(
            quote!(::cadena::checks::let_value::<#ty, _>(&#value);),
            span,
        )
    });
    let mut sig = item.sig.clone();
    sig.ident = format_ident!("__cadena_annotated");
    sig.output = syn::ReturnType::Default;
    sig.constness = None;
    let cfgs = crate::written::cfgs(item);
    quote! {
        #(#cfgs)*
        const _: () = {
            #[allow(dead_code, unused_variables, unused_mut, unused_assignments, non_snake_case, clippy::all)]
            #sig {
                #stmts
                #(#checks)*
            }
        };
    }
}
