//! `f::hvp(args, &v)`: the statements computing `H v` (see `reverse::hvp`), reading the
//! direction's entries where the function reads its arguments (`direction.w` for `w`,
//! `&direction.p.w1` for `&p.w1`), and `H v` as one value per differentiated argument:
//! a struct's built like its gradient, from zeros with each field read filled in.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

use crate::emit::expr::local;
use crate::emit::scalar;
use crate::ir::Op;
use crate::ir::derived::Hvp;
use crate::ir::function::Lowered;
use crate::types::Kind;

/// The statements of `hvp` and the value of `H v` for each `wrt` argument, in order.
pub fn hvp(lowered: &Lowered, h: &Hvp) -> (TokenStream, Vec<TokenStream>) {
    let v = local("direction");
    let mut lowered = lowered.clone();
    for (name, index) in &h.directions {
        let param = name.split(['.', '[']).next().unwrap_or(name);
        let written = lowered.usage.access.get(*index).cloned();
        let access = match lowered.params.iter().find(|p| p.ident == param) {
            // An array argument, or a borrowed float array a loop reads whole
            // (`c: &[f64; 4]`), is read through a reference to the direction's own.
            Some(p)
                if matches!(p.kind, Kind::Array { .. })
                    || (name == param
                        && matches!(p.ty, syn::Type::Reference(_))
                        && crate::types::is_float_array(&p.ty)) =>
            {
                let field = syn::Ident::new(param, proc_macro2::Span::call_site());
                quote!(&#v.#field)
            }
            // A struct's field, as the function reads it (`&p.w1`), from the direction.
            _ => match written {
                Some(tokens) => in_direction(tokens, param, &v),
                None => {
                    let field = syn::Ident::new(param, proc_macro2::Span::call_site());
                    quote!(#v.#field)
                }
            },
        };
        if lowered
            .params
            .iter()
            .any(|p| p.ident == param && p.kind == Kind::Float)
        {
            lowered.usage.scalar_inputs.push(lowered.usage.access.len());
        }
        lowered.usage.access.push(access);
    }
    let (stmts, entries) = match lowered.tensor {
        true => crate::emit::tensor::statements(&h.graph, &lowered, &h.hv),
        false => scalar::statements(&h.graph, &lowered, &h.hv),
    };
    let values = lowered
        .wrt
        .iter()
        .map(|&i| value(&lowered, h, &entries, i))
        .collect();
    (stmts, values)
}

/// `tokens` reading argument `param` read from the direction instead (`&p.w1` →
/// `&direction.p.w1`).
fn in_direction(tokens: TokenStream, param: &str, v: &proc_macro2::Ident) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let dot = |k: Option<usize>| matches!(k.and_then(|k| trees.get(k)), Some(TokenTree::Punct(p)) if p.as_char() == '.');
    // A field of the argument's name (`&p.p`) is a field, not the argument; the end of
    // a range (`0..p`) is not a field.
    let field = |k: usize| dot(k.checked_sub(1)) && !dot(k.checked_sub(2));
    (trees.iter().enumerate())
        .map(|(k, tt)| match tt {
            TokenTree::Ident(i) if i == param && !field(k) => {
                quote!(#v.#i)
            }
            TokenTree::Group(g) => {
                let mut group =
                    proc_macro2::Group::new(g.delimiter(), in_direction(g.stream(), param, v));
                group.set_span(g.span());
                quote!(#group)
            }
            other => quote!(#other),
        })
        .collect()
}

/// `H v`'s part for argument `i`.
fn value(lowered: &Lowered, h: &Hvp, entries: &[TokenStream], i: usize) -> TokenStream {
    let p = &lowered.params[i];
    let ident = &p.ident;
    let name = ident.to_string();
    let whole = h
        .directions
        .iter()
        .zip(entries)
        .zip(&h.hv)
        .find(|(((n, _), _), _)| *n == name);
    let t = quote!(::cadena::__private::t);
    let name_len = name.len();
    let mine = || {
        h.directions
            .iter()
            .zip(entries)
            .zip(&h.hv)
            .filter(move |(((n, _), _), _)| {
                n == &name
                    || n.starts_with(&format!("{name}."))
                    || n.starts_with(&format!("{name}["))
            })
    };
    match p.kind {
        // A float array a loop reads whole (`c: &[f64; 4]`): its entry is its own value.
        Kind::Struct if whole.is_some() => match whole {
            Some(((_, e), hv)) if h.graph.const_value(*hv) != Some(0.0) => e.clone(),
            _ => crate::emit::gradient::zeros_of(p),
        },
        Kind::Struct => {
            let g = local("hv_struct");
            let zeros = crate::emit::gradient::zeros_of(p);
            // A part that is the constant 0 (a field read by dead code) keeps its zeros.
            let sets = mine()
                .filter(|(_, hv)| h.graph.const_value(**hv) != Some(0.0))
                .map(|(((n, index), e), _)| {
                    let field = (lowered.fields.iter())
                        .find(|f| lowered.graph.op(f.input) == &Op::Input(*index as u32));
                    // The place after the argument's name, as written (`.w1`, `[0]`,
                    // `.layers[1].w`), with the body's spans: a field the struct lacks
                    // is reported on the body's token, once.
                    let path: TokenStream = match field {
                        Some(f) => f.path.iter().map(|s| quote!(#s)).collect(),
                        None => n[name_len..].parse().unwrap_or_default(),
                    };
                    // A whole stack a loop iterates (`p.layers`) is a value of its own type.
                    let stack = field.is_some_and(|f| f.collection);
                    match stack {
                        true => quote!(#g #path = #e;),
                        false => quote!(#t::put(&mut #g #path, #e);),
                    }
                });
            quote!({
                let mut #g = #zeros;
                #(#sets)*
                #g
            })
        }
        Kind::Array { borrowed, .. } => match mine().next() {
            Some(((_, e), hv)) if h.graph.const_value(*hv) != Some(0.0) => {
                quote!(#t::owned(#e))
            }
            _ => crate::emit::gradient::array_zeros(ident, borrowed),
        },
        Kind::Float | Kind::Other => match mine().next() {
            Some(((_, e), _)) => e.clone(),
            None => quote!(0.0),
        },
    }
}
