//! Generic functions (`fn f<T: Float>(x: T) -> T`): `grad` and `trace` take the
//! function's generics as written; `Grad` takes only the type parameters its fields
//! mention (a struct may not declare parameters it does not use), with their bounds.

use crate::types::mentions;
use quote::ToTokens;
use syn::{GenericParam, Generics, Ident, Type, WherePredicate};

/// The generics `Grad` needs for fields of types `fields`.
pub fn for_fields(generics: &Generics, fields: &[Type]) -> Generics {
    let used = |ident: &Ident| fields.iter().any(|t| mentions(t.to_token_stream(), ident));
    let mut out = generics.clone();
    out.params = generics
        .params
        .iter()
        .filter(|p| matches!(p, GenericParam::Type(t) if used(&t.ident)))
        .cloned()
        .collect();
    let kept: Vec<Ident> = out
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(t.ident.clone()),
            _ => None,
        })
        .collect();
    if let Some(w) = &mut out.where_clause {
        w.predicates = w
            .predicates
            .iter()
            .filter(|p| match p {
                WherePredicate::Type(t) => kept
                    .iter()
                    .any(|k| mentions(t.bounded_ty.to_token_stream(), k)),
                _ => false,
            })
            .cloned()
            .collect();
    }
    if out.params.is_empty() {
        out.lt_token = None;
        out.gt_token = None;
        out.where_clause = None;
    }
    out
}
