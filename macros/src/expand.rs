//! `#[differentiable]`, start to finish: parse the arguments, lower the function to a
//! graph, rebuild it through the rewrite table, run the reverse sweep, emit. Every
//! mistake in the arguments and the body is collected and reported together; beside the
//! errors the macro still emits the function (its body replaced by `unreachable!()`) and
//! stubs of the items it would have added (`f::grad`, `f::Grad`, `f::DERIVATION`, ...),
//! so that code calling them adds no second, confusing error.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{FnArg, ItemFn, ReturnType};

use crate::attr::{self, Args};
use crate::ctxt::Ctxt;
use crate::emit::{Derived, emit};
use crate::handover::{Call, Callee, defer, export};
use crate::ir::Rewrites;
use crate::ir::{Graph, NodeId};
use crate::lower::{Lowered, Lowering, lower};
use crate::reverse::{depends_on, gradients, vjps_of_parts};
use crate::simplify::Builder;
use crate::types::{Kind, classify, grad_type};

pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            if let Ok(block) = syn::parse2::<syn::ItemImpl>(item.clone()) {
                return crate::impl_block::expand(attr, block, expand_with);
            }
            let err = syn::Error::new_spanned(
                &item,
                "#[differentiable] applies to functions (`fn name(x: f64, ...) -> f64 { ... }`) and to impl blocks whose methods it marks",
            );
            let err = err.to_compile_error();
            return quote!(#err #item);
        }
    };
    if has_repeated_parameter(&item) {
        // rustc reports it on the user's tokens (E0415); the generated `Grad` would add
        // errors of its own about fields declared twice.
        return quote!(#item);
    }
    let (item, twice) = without_second_attribute(item);
    let expanded = match crate::method::expand(attr.clone(), &item, expand_free) {
        Some(methods) => methods,
        None => module_on_name(expand_with(attr, &item, &[]), &item.sig.ident),
    };
    match twice {
        Some(err) => {
            let err = err.to_compile_error();
            quote!(#err #expanded)
        }
        None => expanded,
    }
}

/// Whether a parameter name is declared twice in the signature.
fn has_repeated_parameter(item: &ItemFn) -> bool {
    let names: Vec<&syn::Ident> = item
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(pt) => match &*pt.pat {
                syn::Pat::Ident(p) => Some(&p.ident),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect();
    names
        .iter()
        .enumerate()
        .any(|(k, n)| names[..k].contains(n))
}

/// The function without a second `#[differentiable]` on it, and the error saying so:
/// expanding it twice would define every generated item twice.
fn without_second_attribute(mut item: ItemFn) -> (ItemFn, Option<syn::Error>) {
    let is_ours = |a: &syn::Attribute| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "differentiable")
    };
    let Some(at) = item.attrs.iter().position(is_ours) else {
        return (item, None);
    };
    let again = item.attrs.remove(at);
    item.attrs.retain(|a| !is_ours(a));
    let err = syn::Error::new_spanned(
        &again,
        "`#[differentiable]` is written twice on this function: once is enough (the arguments go in one attribute, `#[differentiable(wrt(w), assume_finite)]`)",
    );
    (item, Some(err))
}

/// The expansion of a free function whose callees' bodies are not needed yet.
pub fn expand_free(attr: TokenStream, item: &ItemFn) -> TokenStream {
    expand_with(attr, item, &[])
}

/// `differentiable_call!`: a callee's export macro hands its body to the expansion of a
/// function that calls it.
pub fn call(input: TokenStream) -> TokenStream {
    match syn::parse2::<Call>(input) {
        Ok(call) => {
            let mut known = call.known;
            known.push(call.callee);
            module_on_name(
                expand_with(call.attr, &call.item, &known),
                &call.item.sig.ident,
            )
        }
        Err(e) => e.to_compile_error(),
    }
}

/// Expands `item` knowing the bodies of the `#[differentiable]` functions in `known`.
fn expand_with(attr: TokenStream, item: &ItemFn, known: &[Callee]) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = attr::parse(&mut cx, attr.clone());
    if let Some(key) = &args.export
        && !matches!(item.vis, syn::Visibility::Public(_))
    {
        cx.error(
            key,
            "`export` makes this function callable from other crates' #[differentiable] functions: make it `pub` too",
        );
    }
    // A test takes no arguments and returns `()`; out of `cargo test` rustc removes it
    // and would never check it, while the items the macro adds beside it stay.
    if let Some(test) =
        (item.attrs.iter()).find(|a| a.path().is_ident("test") || a.path().is_ident("bench"))
    {
        cx.error(
            test,
            "a #[differentiable] function cannot be a test (a test takes no arguments and returns `()`): call it from a `#[test] fn` of its own",
        );
    }
    if let Some(derivative) = &args.derivative {
        return crate::custom::expand(cx, item, derivative, args.export.is_some());
    }
    let lowering = lower(&mut cx, item, &args, known);
    let imports = match &lowering {
        Lowering::Done(lowered) => lowered.usage.used_paths.clone(),
        Lowering::Failed(paths) => paths.clone(),
        Lowering::Needs(_) => Vec::new(),
    };
    let result = cx.check().and_then(|()| match lowering {
        Lowering::Done(lowered) => crate::declared::check(item, &lowered)
            .and_then(|undecided| derive(item, &args, &lowered, &undecided))
            .map(|items| {
                let written = match lowered.tensor {
                    false => crate::written::check(item),
                    true => {
                        crate::written::tensor(item, &lowered.float_ty, &lowered.usage.constants)
                    }
                };
                quote!(#items #written)
            }),
        Lowering::Needs(path) => Ok(deferred(&attr, item, known, &path, &args)),
        Lowering::Failed(_) => Err(syn::Error::new_spanned(
            &item.sig.ident,
            "#[differentiable] could not read this function",
        )),
    });
    result.unwrap_or_else(|e| {
        let err = e.to_compile_error();
        let fallback = fallback(item, &args, &imports);
        quote!(#err #fallback)
    })
}

/// `undecided`: the annotated `let`s (indices into `lowered.usage.annotated`) rustc is to
/// hold against their values.
fn derive(
    item: &ItemFn,
    args: &Args,
    lowered: &Lowered,
    undecided: &[usize],
) -> syn::Result<TokenStream> {
    // In ndarray code `x * 0` is an array of zeros, not the float 0 the law gives: the
    // laws stay off there (a fuzzer finding: a loop carrying `v2 * 0.0` got a float).
    let rewrites = Rewrites {
        assume_finite: args.assume_finite && !lowered.tensor,
        ..Rewrites::EXACT
    };
    let (mut builder, map) = Builder::rebuild(&lowered.graph, rewrites);
    let output = map[lowered.output.index()];
    let wrt_raw = wrt_inputs(lowered);
    let wrt: Vec<_> = wrt_raw.iter().map(|w| map[w.index()]).collect();
    // A function returning an array has no loss of its own: its derivative is a
    // vector-Jacobian product, seeded with the cotangent its pullback receives.
    // A tuple's pullback receives one cotangent per part.
    let parts: Vec<NodeId> = lowered.parts.iter().map(|p| map[p.index()]).collect();
    let (grads, cotangents) = if lowered.array_output {
        let seeds: Vec<(NodeId, NodeId)> = match parts.len() {
            0 => vec![(output, builder.input("cotangent"))],
            _ => (parts.iter().enumerate())
                .map(|(k, &p)| (p, builder.input(&format!("cotangent.{k}"))))
                .collect(),
        };
        let grads = vjps_of_parts(&mut builder, &seeds, &wrt, lowered.tensor);
        (grads, seeds.into_iter().map(|(_, s)| s).collect())
    } else {
        (
            gradients(&mut builder, output, &wrt, lowered.tensor),
            Vec::new(),
        )
    };
    let mut graph = builder.into_graph();
    crate::reverse::loops::derive_loops(&mut graph);
    if lowered.tensor {
        check_targets(&graph, output, &wrt)?;
    }
    let hvp = (!lowered.array_output && (!lowered.tensor || args.hvp))
        .then(|| crate::reverse::hvp::hvp(&graph, output, &wrt, &grads, rewrites, lowered.tensor))
        .flatten();
    if args.hvp && lowered.tensor && hvp.is_none() {
        let (because, at) = crate::reverse::hvp::unavailable_because(&graph, &wrt, &grads);
        let at = at.unwrap_or_else(|| item.sig.ident.span());
        return Err(syn::Error::new(
            at,
            format!(
                "`hvp` is not available for this function: the macro cannot differentiate the gradient of {because} a second time; it can for products, broadcasts, elementwise functions, `sum` and `mean` (also along an axis), slices, `index_axis`, `select`, concatenations, convolutions, pools, `softmax`, `log_softmax`, `logsumexp`, `max_axis` and `min_axis` along an axis, the losses, and loops over any of these"
            ),
        ));
    }
    let chain = (!lowered.array_output).then(|| {
        crate::reverse::chain::chain_rule(&lowered.graph, lowered.output, &wrt_raw, lowered.tensor)
    });
    // An array function's nodes have no single value to show, nor a loop's.
    let structs = lowered.params.iter().any(|p| p.kind == Kind::Struct);
    let traced =
        (!lowered.array_output && !lowered.tensor && !structs && lowered.graph.loops.is_empty())
            .then(|| crate::reverse::trace::traced(&lowered.graph, lowered.output));
    let items = emit(&Derived {
        item,
        lowered,
        graph: &graph,
        output,
        wrt,
        grads,
        wrt_raw,
        hvp,
        chain,
        traced,
        parts,
        cotangents,
        annotated: (undecided.iter())
            .map(|&k| {
                let a = &lowered.usage.annotated[k];
                (map[a.node.index()], a)
            })
            .collect(),
    });
    let export = export(item, false, args.export.is_some());
    Ok(quote!(#items #export))
}

/// The inputs to differentiate: each `wrt` argument, or for a struct argument each of
/// its fields the body reads.
fn wrt_inputs(lowered: &Lowered) -> Vec<NodeId> {
    let mut out = Vec::new();
    for &i in &lowered.wrt {
        match lowered.params[i].input {
            Some(input) => out.push(input),
            None => out.extend(
                lowered
                    .fields
                    .iter()
                    .filter(|f| f.param == i)
                    .map(|f| f.input),
            ),
        }
    }
    out
}

/// Loss targets in tensor code are data: a gradient with respect to them is not
/// supported, and would otherwise be silently wrong.
fn check_targets(g: &Graph, output: NodeId, wrt: &[NodeId]) -> syn::Result<()> {
    let depends = depends_on(g, wrt);
    let live = g.live(&[output]);
    for id in g.ids().filter(|id| live[id.index()]) {
        let Some(target) = g.op(id).spec().syntax.target else {
            continue;
        };
        if depends[g.args(id)[target].index()] {
            return Err(syn::Error::new(
                g.node(id).span,
                "this loss's target depends on an argument being differentiated; targets are data: list only the model's parameters in wrt(...)",
            ));
        }
    }
    Ok(())
}

/// The request for a callee's body, with stubs of this function's items behind a glob
/// import: when the callee's macro answers, the expansion it produces defines the real
/// items, which shadow the glob's; when there is no such macro (a plain function), its
/// error is the only one, the stubs standing in for the items code elsewhere calls.
fn deferred(
    attr: &TokenStream,
    item: &ItemFn,
    known: &[crate::handover::Callee],
    path: &syn::Path,
    args: &Args,
) -> TokenStream {
    let request = defer(attr, item, known, path);
    // Only the first request, made by the attribute itself, brings stubs: the answers to
    // it (`known` not empty) are expansions of the same function.
    let has_receiver = item
        .sig
        .inputs
        .iter()
        .any(|a| matches!(a, FnArg::Receiver(_)));
    if has_receiver || !known.is_empty() {
        return request;
    }
    // Seen from the module around the stubs' own: at least `pub(super)`.
    let mut visible = item.clone();
    if matches!(visible.vis, syn::Visibility::Inherited) {
        visible.vis = syn::parse_quote!(pub(super));
    }
    let stubs = fallback(&visible, args, &[]);
    let module = quote::format_ident!("__cadena_stubs_{}", item.sig.ident);
    let vis = &item.vis;
    quote! {
        #request
        #[doc(hidden)]
        #[allow(dead_code, unused_imports, non_snake_case, clippy::all)]
        mod #module {
            use super::*;
            #stubs
        }
        #[allow(unused_imports)]
        #vis use #module::*;
    }
}

/// The function with an unreachable body, and stubs of the items the macro adds. The
/// body still names what it imports (`imports`, and `Axis` if it is written), so that a
/// mistake in it adds no "unused import" warning for imports it uses.
fn fallback(item: &ItemFn, args: &Args, imports: &[syn::Path]) -> TokenStream {
    let (attrs, vis) = (&item.attrs, &item.vis);
    // An opaque return type (already reported) cannot be stood in for by `unreachable!()`.
    if matches!(&item.sig.output, ReturnType::Type(_, ty) if matches!(**ty, syn::Type::ImplTrait(_)))
    {
        return TokenStream::new();
    }
    // Nor `-> _` (reported too): rustc would infer `!` from the stand-in's body, and
    // suggest it.
    let mut sig = item.sig.clone();
    if let ReturnType::Type(_, ty) = &mut sig.output
        && let syn::Type::Infer(infer) = crate::types::ungroup(ty)
    {
        let span = infer.underscore_token.span;
        **ty = syn::parse_quote_spanned!(span=> f64);
    }
    // Likewise an opaque type inside the return type (`Array2<impl Fn(f64) -> f64>`): the
    // stand-in returns `Array2<f64>`, keeping the names it uses in use.
    struct Opaque;
    impl syn::visit_mut::VisitMut for Opaque {
        fn visit_type_mut(&mut self, t: &mut syn::Type) {
            if let syn::Type::ImplTrait(i) = t {
                let span = i.impl_token.span;
                *t = syn::parse_quote_spanned!(span=> f64);
            }
            syn::visit_mut::visit_type_mut(self, t);
        }
    }
    syn::visit_mut::VisitMut::visit_return_type_mut(&mut Opaque, &mut sig.output);
    let sig = &sig;
    let mut imports = imports.to_vec();
    let body = item.block.to_token_stream();
    if let Some(axis) = first_ident(body.clone(), "Axis", false) {
        imports.push(syn::Path::from(axis));
    }
    imports.extend(macro_imports(item));
    let uses = imports.iter().map(|path| {
        let span = syn::spanned::Spanned::span(path);
        quote::quote_spanned! {span=>
            #[allow(unused_imports)]
            use #path as _;
        }
    });
    // The types the body's `let`s name are used too (no "unused import" beside the error).
    let types = crate::written::annotated_types(item, false)
        .into_iter()
        .map(|ty| {
            quote::quote_spanned! {syn::spanned::Spanned::span(ty)=>
                let _: ::core::marker::PhantomData<#ty> = ::core::marker::PhantomData;
            }
        });
    // The function's lint levels, `forbid` relaxed: the stand-in allows what it must.
    let lints = crate::written::lints(attrs);
    let attrs = attrs.iter().filter(|a| !crate::written::is_lint_level(a));
    let function = quote! {
        #(#attrs)*
        #(#lints)*
        #[allow(unused_variables, unused_mut, unreachable_code)]
        #vis #sig {
            #(#uses)*
            #(#types)*
            ::core::unreachable!("#[differentiable] reported errors for this function")
        }
    };
    let has_receiver = sig.inputs.iter().any(|a| matches!(a, FnArg::Receiver(_)));
    // `Self` in an argument's type (reported) would name the stub `Grad` itself there.
    let names_self = sig
        .inputs
        .iter()
        .any(|a| first_ident(a.to_token_stream(), "Self", false).is_some());
    // A module `cadena` (refused above) would hide the crate; one named like a type of
    // the signature (refused too) would clash with it.
    if has_receiver
        || names_self
        || !sig.generics.params.is_empty()
        || sig.ident == "cadena"
        || crate::lower::signature::named_like_a_type(sig)
    {
        return function;
    }
    let name = &sig.ident;
    let inputs = &sig.inputs;
    let ret = match &sig.output {
        ReturnType::Type(_, ty) => quote!(#ty),
        ReturnType::Default => quote!(f64),
    };
    // The fields `Grad` would have: the `wrt` names that are arguments, or every
    // differentiable argument.
    let typed: Vec<(&syn::Ident, &syn::Type)> = inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(pt) => match &*pt.pat {
                syn::Pat::Ident(p) => Some((&p.ident, &*pt.ty)),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect();
    let differentiable = |ty: &syn::Type| classify(ty).is_differentiable();
    let fields: Vec<(&syn::Ident, &syn::Type)> = match &args.wrt {
        Some(names) => typed
            .iter()
            .filter(|(i, ty)| names.contains(i) && differentiable(ty))
            .copied()
            .collect(),
        None => typed
            .iter()
            .filter(|(_, ty)| differentiable(ty))
            .copied()
            .collect(),
    };
    let has_struct = fields.iter().any(|(_, ty)| classify(ty) == Kind::Struct);
    let derives = if has_struct {
        quote!(#[derive(Clone)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    let (idents, types): (Vec<_>, Vec<_>) =
        fields.iter().map(|(i, ty)| (*i, grad_type(ty))).unzip();
    quote! {
        #function

        /// Stubs: `#[differentiable]` reported errors for this function.
        #[allow(dead_code, unused_imports, unused_variables, unused_mut, clippy::all)]
        #vis mod #name {
            use super::*;

            #derives
            pub struct Grad {
                #( pub #idents: #types, )*
            }

            pub fn grad(#inputs) -> (#ret, Grad) {
                ::core::unreachable!("#[differentiable] reported errors for this function")
            }

            pub const DERIVATION: &str = "";
            pub const EXPLAIN: &str = "";
            pub const GRAPH_DOT: &str = "";
        }
    }
}

/// The ndarray macros the body calls by their imported names (`s![..]`, not
/// `ndarray::s![..]`), for `use` items that keep those imports in use where the emitted
/// code no longer names them (an error, or a slice the result does not need).
pub(crate) fn macro_imports(item: &ItemFn) -> Vec<syn::Path> {
    let body = item.block.to_token_stream();
    ["s", "concatenate", "stack"]
        .into_iter()
        .filter_map(|name| first_ident(body.clone(), name, true).map(syn::Path::from))
        .collect()
}

/// The first identifier `name` in `tokens` (followed by `!` when `bang`: a macro's name,
/// not after `::`), with its span.
fn first_ident(tokens: TokenStream, name: &str, bang: bool) -> Option<syn::Ident> {
    let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    trees.iter().enumerate().find_map(|(k, tt)| match tt {
        proc_macro2::TokenTree::Ident(i) if i == name => {
            let punct = |at: Option<usize>, c: char| {
                matches!(at.and_then(|j| trees.get(j)), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == c)
            };
            let is_bang = punct(Some(k + 1), '!');
            let in_path = punct(k.checked_sub(1), ':');
            (is_bang == bang && !(bang && in_path)).then(|| i.clone())
        }
        proc_macro2::TokenTree::Group(g) => first_ident(g.stream(), name, bang),
        _ => None,
    })
}

/// The module `f` (`mod f { .. }`, beside the function) spanned from its keyword to its
/// closing brace on the function's name, so that a clash with another item of that name
/// (`struct P` and `fn P`) is reported there, not on the attribute. What is inside
/// keeps its spans.
fn module_on_name(tokens: TokenStream, name: &syn::Ident) -> TokenStream {
    use proc_macro2::TokenTree;
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let span = name.span();
    let mut out = Vec::with_capacity(trees.len());
    for (i, tt) in trees.iter().enumerate() {
        let mut tt = tt.clone();
        let is_mod = |k: usize| matches!(trees.get(k), Some(TokenTree::Ident(m)) if m == "mod");
        let names = |k: usize| matches!(trees.get(k), Some(TokenTree::Ident(n)) if n == name);
        match &mut tt {
            TokenTree::Ident(m) if m == "mod" && names(i + 1) => m.set_span(span),
            TokenTree::Group(g) if i >= 2 && names(i - 1) && is_mod(i - 2) => g.set_span(span),
            _ => {}
        }
        out.push(tt);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expands(attr: &str, item: &str) -> String {
        differentiable(attr.parse().unwrap(), item.parse().unwrap()).to_string()
    }

    #[test]
    fn a_shallow_network_expands() {
        let out = expands(
            "wrt(w11, w12, b1, w2, b2)",
            "pub fn shallow(w11: f64, w12: f64, b1: f64, w2: f64, b2: f64, x1: f64, x2: f64, y: f64) -> f64 {
                let z1 = w11 * x1 + w12 * x2 + b1;
                let a1 = tanh(z1);
                let z2 = w2 * a1 + b2;
                let a2 = sigmoid(z2);
                bce(a2, y)
            }",
        );
        assert!(out.contains("DERIVATION"), "{out}");
    }

    #[test]
    fn mistakes_in_the_arguments_and_the_body_are_reported_together() {
        let out = expands(
            "wrt(x), bogus, assume_finite",
            "fn f(x: f64) -> f64 { if x > 0.0 { x } }",
        );
        assert!(out.contains("unknown argument `bogus`"), "{out}");
        assert!(out.contains("needs an `else`"), "{out}");
        assert!(out.contains("pub fn grad"), "stubs are emitted: {out}");
    }

    #[test]
    fn a_deep_chain_expands_to_text_that_grows_with_the_body_not_faster() {
        // 50 nested `(x * y).tanh()`: EXPLAIN printed every unsimplified local derivative
        // as a tree (480 KB here, 3.6 MB at 100); summarised and cut, the whole
        // expansion is about 100 KB.
        let mut e = "x".to_string();
        for _ in 0..50 {
            e = format!("({e} * y).tanh()");
        }
        let out = expands("", &format!("pub fn deep(x: f64, y: f64) -> f64 {{ {e} }}"));
        assert!(out.len() < 200_000, "{} bytes", out.len());
        assert!(
            out.contains("operations before simplification"),
            "EXPLAIN summarises"
        );
    }
}
