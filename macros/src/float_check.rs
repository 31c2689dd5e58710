//! For each parameter struct a function takes, a check that its arrays hold the float
//! type the function computes in (`cadena::checks::model_in`): each emitted function
//! reads the model through it first, so a model of `f64` parameters fed `f32` data is one
//! error on the argument's type, naming both float types, and none inside the generated
//! code (the model's type is then unknown to rustc, which reports nothing it computes).

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::Type;
use syn::spanned::Spanned;

use crate::ir::function::Lowered;
use crate::types::{Float, Kind, ungroup};

pub fn rebind(item: &syn::ItemFn, lowered: &Lowered) -> TokenStream {
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
        let (ty, borrowed) = match ungroup(&p.ty) {
            Type::Reference(r) => (&*r.elem, true),
            other => (other, false),
        };
        // Spanned at the type, so the error, the same in each emitted function, is
        // reported once.
        let ident = &p.ident;
        let read = syn::Ident::new(&ident.to_string(), ty.span());
        let same = quote_spanned! {ty.span()=>
            <<#ty as ::cadena::Parameters>::Elem as ::cadena::checks::ParametersIn<#float>>::same
        };
        out.extend(match borrowed {
            true => quote_spanned!(ty.span()=> let #ident = #same(#read);),
            // `c: [f64; 5]`, a float array by value (a struct by value is refused
            // earlier): a copy, read through a borrow.
            false => quote_spanned!(ty.span()=> let #ident = *#same(&#read);),
        });
    }
    out
}
