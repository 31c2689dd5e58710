//! A scalar function as the user wrote it, handed to rustc to check. The macro reads
//! only what the graph uses, so without this, code the graph leaves out (an unused
//! binding naming nothing, a literal out of range, `&&&x`) would never meet rustc, and a
//! body that is not Rust would be accepted. The copy sits in an anonymous `const` where
//! it is type-checked and borrow-checked but never called, so never compiled to machine
//! code.
//!
//! Tensor bodies are not copied: there the body's language is deliberately not plain
//! ndarray (arrays are values, read again after `h + h` or `sigmoid(z)` has "moved"
//! them; a view times a float; `mean_axis` without `Option`; `softmax(&x, Axis(k))`), so
//! rustc would reject what the macro documents.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, ItemFn};

/// The anonymous `const` holding the checked copy of a free function; nothing for a
/// method (`self_: &Self`), since `Self` means nothing outside its impl, nor for a
/// generic one.
pub fn check(item: &ItemFn) -> TokenStream {
    let has_self = item.sig.inputs.iter().any(|a| match a {
        FnArg::Receiver(_) => true,
        FnArg::Typed(pt) => matches!(&*pt.pat, syn::Pat::Ident(p) if p.ident == "self_"),
    });
    // A generic body's float literals are `T`s to the macro (`x * 2.0` with `x: T`),
    // not to rustc.
    if has_self || item.sig.generics.type_params().next().is_some() {
        return TokenStream::new();
    }
    let (sig, block) = (&item.sig, &item.block);
    // `cfg` keeps the check where the function is; the user's lint levels apply to what
    // they wrote.
    let cfgs =
        (item.attrs.iter()).filter(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"));
    let lints = item.attrs.iter().filter(|a| {
        ["allow", "warn", "deny", "forbid", "expect"]
            .iter()
            .any(|n| a.path().is_ident(n))
    });
    quote! {
        #(#cfgs)*
        const _: () = {
            #[allow(dead_code, clippy::all)]
            #(#lints)*
            #sig #block
        };
    }
}
