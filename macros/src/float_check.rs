//! The float type of what a function reads but the macro sees only by name, checked
//! where each emitted function first reads it: a parameter struct's arrays
//! (`cadena::checks::ParametersIn::same`) and the elements of an array argument written
//! with an alias or another name (`cadena::checks::ElementsIn::same`). A model of `f64`
//! parameters fed `f32` data, or `x: &Array2<P>`, is then one error on the argument's
//! type, naming both types, and none inside the generated code: the argument's type is
//! then one rustc cannot name, so nothing computed from it is reported again.

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::Type;
use syn::spanned::Spanned;

use crate::ir::function::Lowered;
use crate::types::{Float, Kind, ungroup};

pub fn rebind(item: &syn::ItemFn, lowered: &Lowered) -> TokenStream {
    // A generic function's float type, or its structs', are rustc's to match (its
    // arguments of a concrete float are the macro's error, `crate::declared`).
    let float = &lowered.float_ty;
    if item.sig.generics.type_params().next().is_some()
        || !matches!(Float::of(float), Some(Float::F32 | Float::F64))
    {
        return TokenStream::new();
    }
    let mut out = elements(lowered, float);
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
        let check = quote_spanned! {ty.span()=>
            <<#ty as ::cadena::Parameters>::Elem as ::cadena::checks::ParametersIn<#float>>
        };
        out.extend(read_through(&p.ident, check, ty.span()));
    }
    out
}

/// `let x = <check>::same(x);`, every token spanned at `span` (the type the check is
/// about), so the error, the same in each emitted function, is reported once.
fn read_through(ident: &syn::Ident, check: TokenStream, span: proc_macro2::Span) -> TokenStream {
    let read = syn::Ident::new(&ident.to_string(), span);
    quote_spanned!(span=> let #ident = #check::same(#read);)
}

/// For each array argument the function reads whose element type is a name the macro
/// cannot see through (`x: &Array2<Real>`, `&Array2<P>`), the argument read through
/// [`ElementsIn`](::cadena::checks::ElementsIn)`<F>`: one error on the element type where it
/// is not `F`, none in the generated code.
fn elements(lowered: &Lowered, float: &syn::Type) -> TokenStream {
    let mut out = TokenStream::new();
    let read = |p: &&crate::ir::function::Param| lowered.usage.read_params.contains(&p.ident);
    for p in lowered.params.iter().filter(read) {
        let Kind::Array { elem: None, .. } = p.kind else {
            continue;
        };
        let Some(elem) = crate::types::array_element(&p.ty) else {
            continue;
        };
        // Integers are ids and labels; anything else not a plain name was refused.
        let named = matches!(ungroup(elem), Type::Path(t) if t.qself.is_none() && t.path.get_ident().is_some_and(|i| !crate::types::is_integer(&i.to_string())));
        if !named {
            continue;
        }
        let check = quote_spanned!(elem.span()=> <#elem as ::cadena::checks::ElementsIn<#float>>);
        out.extend(read_through(&p.ident, check, elem.span()));
    }
    out
}
