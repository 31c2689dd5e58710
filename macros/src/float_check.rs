//! For each parameter struct a function takes, a check that its arrays hold the float
//! type the function computes in (`cadena::checks::parameters_in`): a model of `f64`
//! parameters fed `f32` data is then first reported on the argument's type, naming both
//! float types, before rustc's errors inside the generated code.

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::Type;
use syn::spanned::Spanned;

use crate::ir::function::Lowered;
use crate::types::{Float, Kind, ungroup};

pub fn check(item: &syn::ItemFn, lowered: &Lowered) -> TokenStream {
    // A generic function's float type, or its structs', are rustc's to match.
    let float = &lowered.float_ty;
    if item.sig.generics.type_params().next().is_some()
        || !matches!(Float::of(float), Some(Float::F32 | Float::F64))
    {
        return TokenStream::new();
    }
    let mut out = TokenStream::new();
    // Only what the function reads: an unused `v: &[f64; 3]` in an `f32` function is valid
    // Rust, and its gradient, differentiated or not, is zeros of its own type.
    let checked = lowered
        .params
        .iter()
        .filter(|p| p.kind == Kind::Struct && lowered.usage.read_params.contains(&p.ident));
    for p in checked {
        let ty = match ungroup(&p.ty) {
            Type::Reference(r) => &*r.elem,
            other => other,
        };
        out.extend(quote_spanned! {ty.span()=>
            const _: () = {
                let _ = ::cadena::checks::parameters_in::<#ty, #float>;
            };
        });
    }
    out
}
