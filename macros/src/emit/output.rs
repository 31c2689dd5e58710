//! The function as the user calls it: its body replaced by the fused forward statements,
//! and the value they give, in the type it returns.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use super::{Derived, statements};
use crate::ir::NodeId;

/// The forward pass: its statements, the value they give, and the function holding them.
pub struct Forward {
    pub stmts: TokenStream,
    pub value: TokenStream,
    pub function: TokenStream,
}

pub fn forward(d: &Derived) -> Forward {
    let item = d.item;
    let lowered = d.lowered;
    let vis = &item.vis;
    let attrs = &item.attrs;
    let sig = &item.sig;
    let outputs = match d.parts.is_empty() {
        true => vec![d.output],
        false => d.parts.clone(),
    };
    let (fwd_stmts, fwd_out) = statements(d, lowered, &outputs);
    let fwd_out = output_value(item, &outputs, fwd_out);
    // One `use` per path, spanned at the user's call, so a missing import is reported there.
    let macros = crate::expand::macro_imports(item);
    let uses = lowered.usage.used_paths.iter().chain(&macros).map(|path| {
        let span = syn::spanned::Spanned::span(path);
        quote::quote_spanned! {span=>
            #[allow(unused_imports)]
            use #path as _;
        }
    });

    // The emitted body keeps only what the result needs: arguments read only by unused
    // code are marked read, and unused `let` names bound again, unused, at their spans.
    let read_params = &lowered.usage.read_params;
    let unread_lets = lowered
        .usage
        .unread_lets
        .iter()
        .map(|(ident, tokens)| match tokens {
            Some(tokens) => quote!(let #ident = #tokens;),
            None => quote!(let #ident = 0_u8;),
        });
    let fields = field_names(lowered);

    let function = quote! {
        #(#attrs)*
        #vis #sig {
            #(#uses)*
            #( let _ = &#read_params; )*
            #( let _ = &#fields; )*
            // In a block of their own: a later `let` of an argument's name must not
            // shadow the argument for the code before it.
            { #( #unread_lets )* }
            #fwd_stmts
            #fwd_out
        }
    };
    Forward {
        stmts: fwd_stmts,
        value: fwd_out,
        function,
    }
}

/// In ndarray code, each struct field the body names, up to its first index (`p.enc.w`,
/// `p.layers`): read by the emitted body so that a field the struct lacks is rustc's error
/// on the user's name, also in code the result does not need (a fuzzer finding). A read
/// to the first index only, which cannot panic.
fn field_names(lowered: &crate::ir::function::Lowered) -> Vec<TokenStream> {
    if !lowered.tensor {
        return Vec::new();
    }
    let mut read: Vec<(usize, &[crate::ir::step::Step])> = Vec::new();
    for f in &lowered.fields {
        let named = f
            .path
            .iter()
            .take_while(|s| matches!(s, crate::ir::step::Step::Field(_)))
            .count();
        let prefix = (f.param, &f.path[..named]);
        if named > 0 && !read.contains(&prefix) {
            read.push(prefix);
        }
    }
    read.into_iter()
        .map(|(param, path)| {
            let ident = &lowered.params[param].ident;
            quote!(#ident #(#path)*)
        })
        .collect()
}

/// The function's value from its roots' expressions: an array made owned (an argument
/// returned as it is may be a view), a part that repeats an earlier one cloned (`(h, h)`
/// would move `h` twice), a tuple from its parts.
fn output_value(item: &ItemFn, roots: &[NodeId], exprs: Vec<TokenStream>) -> TokenStream {
    let types = match tuple_parts(item) {
        parts if !parts.is_empty() => parts,
        _ => match &item.sig.output {
            syn::ReturnType::Type(_, ty) => vec![(**ty).clone()],
            syn::ReturnType::Default => Vec::new(),
        },
    };
    let parts: Vec<TokenStream> = exprs
        .into_iter()
        .enumerate()
        .map(|(k, e)| {
            let array = types
                .get(k)
                .is_some_and(|t| crate::types::array_output(t).is_some());
            let e = match roots[k + 1..].contains(&roots[k]) {
                true => quote!(::core::clone::Clone::clone(&#e)),
                false => e,
            };
            match array {
                true => quote!(::cadena::__private::t::owned(#e)),
                false => e,
            }
        })
        .collect();
    match &parts[..] {
        // Spanned at the body's final expression: a value of the wrong type (an array
        // where the function returns a float) is then reported there.
        [one] => match final_expression_span(item) {
            Some(span) => respanned(one.clone(), span),
            None => one.clone(),
        },
        parts => quote!((#(#parts),*)),
    }
}

/// The span of the expression the body ends with.
pub(crate) fn final_expression_span(item: &ItemFn) -> Option<proc_macro2::Span> {
    match item.block.stmts.last()? {
        syn::Stmt::Expr(e, None) => Some(syn::spanned::Spanned::span(e)),
        _ => None,
    }
}

/// `tokens` moved to `span`'s place, each resolving names as before (the generated
/// locals are hygienic, the user's names are not).
pub(crate) fn respanned(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respanned(g.stream(), span));
                group.set_span(g.span().located_at(span));
                tt = proc_macro2::TokenTree::Group(group);
            } else {
                tt.set_span(tt.span().located_at(span));
            }
            tt
        })
        .collect()
}

/// The types of the parts of the tuple `item` returns.
pub fn tuple_parts(item: &ItemFn) -> Vec<syn::Type> {
    match &item.sig.output {
        syn::ReturnType::Type(_, ty) => crate::types::tuple_output(ty).unwrap_or_default(),
        syn::ReturnType::Default => Vec::new(),
    }
}
