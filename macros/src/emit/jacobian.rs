//! `f::jacobian(args)`: for a function returning a tuple of floats or a vector, its value
//! and one `Grad` per output element, each the pullback of a unit cotangent. The pullback
//! of `vjp` is `Fn` whenever the arguments are borrowed or floats (nothing it reads is
//! moved), so the rows reuse one closure.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::expr::{literal, local};
use crate::ir::function::Lowered;
use crate::types::Kind;

/// Whether the pullback can be `Fn`: every argument is a float, a reference, or an
/// integer the closure copies.
pub fn pullback_is_fn(lowered: &Lowered) -> bool {
    lowered.params.iter().all(|p| reusable(&p.ty, p.kind))
}

/// Whether an argument of type `ty` can be read by every call of a pullback: a float, a
/// reference, an integer, or an ndarray view (`Copy`).
pub fn reusable(ty: &syn::Type, kind: Kind) -> bool {
    kind == Kind::Float
        || matches!(ty, syn::Type::Reference(_))
        || is_copy_integer(ty)
        || is_view(ty)
}

/// `ArrayView2<f64>`, `ArrayViewD<'a, f32>`, `ndarray::ArrayView<..>`.
fn is_view(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident.to_string().starts_with("ArrayView")),
        _ => false,
    }
}

fn is_copy_integer(ty: &syn::Type) -> bool {
    let text = quote!(#ty).to_string();
    matches!(
        text.as_str(),
        "usize" | "isize" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "bool"
    )
}

/// The unit cotangents of the output `ret`: a tuple of `n` floats, or a vector (rank-1
/// array) as long as the value. `None` for other outputs.
fn unit_cotangents(ret: &syn::Type, parts: &[syn::Type], lowered: &Lowered) -> Option<TokenStream> {
    let (one, zero) = (literal(1.0, lowered), literal(0.0, lowered));
    if !parts.is_empty() {
        if parts
            .iter()
            .any(|t| crate::types::array_output(t).is_some())
        {
            return None;
        }
        let rows = (0..parts.len()).map(|k| {
            let entries = (0..parts.len()).map(|j| if j == k { &one } else { &zero });
            quote!((#(#entries),*))
        });
        return Some(quote!(::std::vec![#(#rows),*]));
    }
    crate::types::array_output(ret)?;
    let text = quote!(#ret).to_string().replace(' ', "");
    let vector =
        text.starts_with("Array1<") || text.contains("::Array1<") || text.contains(",Ix1>");
    if !vector {
        return None;
    }
    let (value, k, c) = (local("value"), local("k"), local("unit"));
    Some(quote!({
        let n = #value.len();
        (0..n)
            .map(|#k| {
                let mut #c = <#ret>::zeros(n);
                #c[#k] = #one;
                #c
            })
            .collect::<::std::vec::Vec<_>>()
    }))
}

/// The `jacobian` function beside `vjp`, or nothing for outputs it does not cover.
pub fn jacobian(
    lowered: &Lowered,
    ret: &syn::Type,
    parts: &[syn::Type],
    signature: (&TokenStream, &[TokenStream], &TokenStream),
    grad: &TokenStream,
) -> TokenStream {
    if !pullback_is_fn(lowered) {
        return TokenStream::new();
    }
    let Some(units) = unit_cotangents(ret, parts, lowered) else {
        return TokenStream::new();
    };
    let (fn_impl, params, fn_where) = signature;
    let args = lowered.params.iter().map(|p| &p.ident);
    let (value, pullback) = (local("value"), local("pullback"));
    quote! {
        /// The value and the Jacobian: one gradient per element of the value, in order
        /// (row `k` is the gradient of element `k`), from one forward pass per row.
        #[allow(unused_variables, clippy::all)]
        pub fn jacobian #fn_impl (#(#params),*) -> (#ret, ::std::vec::Vec<#grad>) #fn_where {
            let (#value, #pullback) = vjp(#(#args),*);
            let rows = ::core::iter::IntoIterator::into_iter(#units)
                .map(|unit| #pullback(unit))
                .collect();
            (#value, rows)
        }
    }
}
