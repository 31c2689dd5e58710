//! A tensor function's final value against its return type, where the graph alone says
//! which it is ([`crate::ir::shapes`]). Without this a float returned as `Array2<f64>`
//! was reported as mismatched types inside generated code, and trait errors after it.

use crate::ir::function::Lowered;
use crate::ir::shapes::{self, Shape};

/// An error on the final expression when its kind is known and is not the return type's.
pub fn check(item: &syn::ItemFn, lowered: &Lowered) -> syn::Result<()> {
    if !lowered.tensor || !lowered.parts.is_empty() {
        return Ok(());
    }
    let params = &lowered.params;
    let shapes = shapes::infer(
        &lowered.graph,
        |id, _| shapes::argument(params, id),
        |id| shapes::matrix_argument(params, id),
    );
    let found = shapes[lowered.output.index()];
    let wanted = match lowered.array_output {
        true => Shape::Array,
        false => Shape::Float,
    };
    if found == Shape::Unknown || found == wanted {
        return Ok(());
    }
    let Some(what) = wanted.described() else {
        return Ok(());
    };
    let ret = match &item.sig.output {
        syn::ReturnType::Type(_, ty) => quote::quote!(#ty).to_string().replace(' ', ""),
        syn::ReturnType::Default => return Ok(()),
    };
    let at = match item.block.stmts.last() {
        Some(syn::Stmt::Expr(e, None)) => quote::quote!(#e),
        _ => {
            let output = &item.sig.output;
            quote::quote!(#output)
        }
    };
    let message = match found {
        Shape::Float => format!(
            "this function returns `{ret}`, {what}, but its final value is a float (a reduction such as `mean` or `sum`, or a loss): return `f64`/`f32`, or the array before it is reduced"
        ),
        _ => format!(
            "this function returns `{ret}`, {what}, but its final value is an array: reduce it (`mean(..)`, `sum(..)`, a loss), or return the array's type"
        ),
    };
    Err(syn::Error::new_spanned(at, message))
}
