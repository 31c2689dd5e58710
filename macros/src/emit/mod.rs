//! Graph → the items `#[differentiable]` adds: the fused forward body, and the module
//! holding `grad`, `Grad`, `DERIVATION`, `EXPLAIN` and `GRAPH_DOT`.

mod batch;
mod derivation;
mod dot;
mod explain;
pub mod expr;
mod generics;
mod hvp;
mod jacobian;
mod loops;
mod scalar;
mod tensor;
mod trace;

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::ItemFn;

use crate::emit::expr::{float_type, local};
use crate::ir::Step;
use crate::ir::function::Lowered;
use crate::ir::{Graph, NodeId};
use crate::types::{Kind, grad_type};

/// Everything the emitter needs, computed by `expand`.
pub struct Derived<'a> {
    pub item: &'a ItemFn,
    pub lowered: &'a Lowered,
    /// The simplified, fused graph holding forward and adjoint nodes.
    pub graph: &'a Graph,
    pub output: NodeId,
    /// The inputs differentiated (a struct argument contributes one per field read) and
    /// their adjoints.
    pub wrt: Vec<NodeId>,
    pub grads: Vec<NodeId>,
    /// `wrt` in the graph as written, for the explanation and the DOT graph.
    pub wrt_raw: Vec<NodeId>,
    /// `H v`, for scalar functions of floats (see `reverse::hvp`).
    pub hvp: Option<crate::ir::derived::Hvp>,
    /// The chain rule before simplification, for `EXPLAIN` (functions with a loss).
    pub chain: Option<crate::ir::derived::ChainRule>,
    /// Every node's value and adjoint, for `trace` (scalar functions without loops).
    pub traced: Option<crate::ir::derived::Traced>,
    /// For a function returning a tuple: its parts (the forward returns them in order).
    pub parts: Vec<NodeId>,
    /// For a function returning an array or a tuple: the inputs standing for the
    /// cotangents its pullback receives (one per part), which seed the reverse sweep.
    pub cotangents: Vec<NodeId>,
}

fn input_index(g: &Graph, id: NodeId) -> usize {
    match g.op(id) {
        crate::ir::graph::Op::Input(i) => *i as usize,
        _ => unreachable!("wrt nodes are inputs"),
    }
}

/// Which statements compute `roots`: scalar code inline, tensor code through helpers.
fn statements(d: &Derived, lowered: &Lowered, roots: &[NodeId]) -> (TokenStream, Vec<TokenStream>) {
    if lowered.tensor {
        tensor::statements(d.graph, lowered, roots)
    } else {
        scalar::statements(d.graph, lowered, roots)
    }
}

/// Whether the adjoint of differentiated input `input` (an id of the graph as written,
/// like every id `lowered` holds) is the constant 0.
fn is_zero(d: &Derived, input: NodeId) -> bool {
    let at = d
        .wrt_raw
        .iter()
        .position(|w| *w == input)
        .expect("differentiated");
    d.graph.const_value(d.grads[at]) == Some(0.0)
}

/// Whether struct argument `i` has a stack of layers (or is a float array) a loop iterates.
fn has_stack(lowered: &Lowered, i: usize) -> bool {
    lowered.fields.iter().any(|f| f.param == i && f.collection)
}

/// `Parameters::zeros_like` of struct argument `p`.
fn zeros_of(p: &crate::ir::function::Param) -> TokenStream {
    let ident = &p.ident;
    let arg = match &p.ty {
        syn::Type::Reference(_) => quote!(#ident),
        _ => quote!(&#ident),
    };
    quote!(::cadena::Parameters::zeros_like(#arg))
}

/// The local holding the gradient of struct argument `i` while it is built.
fn sink_local(i: usize) -> proc_macro2::Ident {
    local(&format!("grad_struct{i}"))
}

/// For every differentiated parameter struct (or float array) argument: its gradient's
/// zeros, declared before the backward statements, and where each stack of layers a
/// loop iterates (`p.layers`) lies in it, by the stack's input index. The loop's
/// backward run writes each element's gradient there, in place, instead of building a
/// stack of its own to copy in.
fn struct_sinks(lowered: &Lowered) -> (TokenStream, Vec<(usize, TokenStream)>) {
    let mut decls = TokenStream::new();
    let mut sinks = Vec::new();
    for &i in &lowered.wrt {
        let p = &lowered.params[i];
        if p.kind != Kind::Struct {
            continue;
        }
        // Without a stack to write into, the zeros are made where the gradient is
        // assembled, after the backward pass has freed what it used.
        if !has_stack(lowered, i) {
            continue;
        }
        let g = sink_local(i);
        let zeros = zeros_of(p);
        decls.extend(quote!(let mut #g = #zeros;));
        for f in lowered
            .fields
            .iter()
            .filter(|f| f.param == i && f.collection)
        {
            if let crate::ir::graph::Op::Input(k) = lowered.graph.op(f.input) {
                let path = &f.path;
                sinks.push((*k as usize, quote!(#g #(#path)*)));
            }
        }
    }
    (decls, sinks)
}

/// The gradient of argument `i` as an expression of the right type: a struct is built
/// from zeros with each field read by the body filled in. Arrays pass through
/// `t::owned`, so a gradient computed as a transpose or an input passed through becomes
/// an owned row-major array.
fn grad_value(d: &Derived, i: usize, exprs: &HashMap<NodeId, TokenStream>) -> TokenStream {
    let p = &d.lowered.params[i];
    let ident = &p.ident;
    match p.kind {
        Kind::Struct => {
            // Declared before the backward statements (see `struct_sinks`): loops over a
            // stack of the struct have already written their elements' gradients in it.
            let g = sink_local(i);
            // A field the body reads but the result does not depend on (a dead `let`)
            // has the adjoint 0, a float: its zeros are already in place. A single field
            // inside a stack a loop iterates (`p.layers[0].w` read before a loop over
            // `p.layers`) adds to what the loop wrote.
            let fields = || {
                d.lowered
                    .fields
                    .iter()
                    .filter(|f| f.param == i && !is_zero(d, f.input))
            };
            let stacks: Vec<&[Step]> = fields()
                .filter(|f| f.collection)
                .map(|f| &f.path[..])
                .collect();
            let sets: Vec<TokenStream> = fields()
                .filter(|f| !f.collection)
                .map(|f| {
                    let path = &f.path;
                    let value = &exprs[&f.input];
                    let t = quote!(::cadena::__private::t);
                    // `put` gives the zeros it replaces back to the buffer pool.
                    if stacks.iter().any(|s| f.path.starts_with(s)) {
                        expr::accumulate_into_slot(&quote!(#g #(#path)*), value)
                    } else {
                        quote!(#t::put(&mut #g #(#path)*, #value);)
                    }
                })
                .collect();
            let declare = match has_stack(d.lowered, i) {
                true => TokenStream::new(),
                false => {
                    let zeros = zeros_of(p);
                    quote!(let mut #g = #zeros;)
                }
            };
            quote!({
                #declare
                #(#sets)*
                #g
            })
        }
        Kind::Array { borrowed, .. } => {
            let input = p.input.expect("arrays are inputs");
            if is_zero(d, input) {
                let arg = if borrowed {
                    quote!(#ident)
                } else {
                    quote!(&#ident)
                };
                // Zeros of the argument's shape, owned also when the argument is a view.
                let z = local("zeros");
                quote!({
                    let mut #z = ::cadena::__private::t::owned(#arg);
                    #z.fill(::core::default::Default::default());
                    #z
                })
            } else {
                let value = &exprs[&input];
                quote!(::cadena::__private::t::owned(#value))
            }
        }
        Kind::Float | Kind::Other => exprs[&p.input.expect("floats are inputs")].clone(),
    }
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
        [one] => one.clone(),
        parts => quote!((#(#parts),*)),
    }
}

/// The types of the parts of the tuple `item` returns.
fn tuple_parts(item: &ItemFn) -> Vec<syn::Type> {
    match &item.sig.output {
        syn::ReturnType::Type(_, ty) => crate::types::tuple_output(ty).unwrap_or_default(),
        syn::ReturnType::Default => Vec::new(),
    }
}

pub fn emit(d: &Derived) -> TokenStream {
    let item = d.item;
    let lowered = d.lowered;
    let fn_name = &item.sig.ident;
    let vis = &item.vis;
    let attrs = &item.attrs;
    let sig = &item.sig;
    let float = float_type(lowered);

    let outputs = match d.parts.is_empty() {
        true => vec![d.output],
        false => d.parts.clone(),
    };
    let (fwd_stmts, fwd_out) = statements(d, lowered, &outputs);
    let fwd_out = output_value(item, &outputs, fwd_out);
    // One `use` per path, spanned at the user's call, so a missing import is reported there.
    let uses = lowered.usage.used_paths.iter().map(|path| {
        let span = syn::spanned::Spanned::span(path);
        quote::quote_spanned! {span=>
            #[allow(unused_imports)]
            use #path as _;
        }
    });

    // The emitted body keeps only what the result needs: arguments read only by unused
    // code are marked read, and unused `let` names bound again, unused, at their spans.
    let read_params = &lowered.usage.read_params;
    let unread_lets = &lowered.usage.unread_lets;

    let forward = quote! {
        #(#attrs)*
        #vis #sig {
            #(#uses)*
            #( let _ = &#read_params; )*
            // In a block of their own: a later `let` of an argument's name must not
            // shadow the argument for the code before it.
            { #( let #unread_lets = 0_u8; )* }
            #fwd_stmts
            #fwd_out
        }
    };
    // The backward pass of a function returning an array reads the cotangent its
    // pullback receives, an input beyond the function's own.
    let cotangent = local("cotangent");
    let (sink_decls, sinks) = struct_sinks(lowered);
    let mut grad_lowered_owned = lowered.clone();
    grad_lowered_owned.usage.sinks = sinks;
    match d.parts.len() {
        _ if d.cotangents.is_empty() => {}
        0 => grad_lowered_owned.usage.access.push(quote!(&#cotangent)),
        _ => {
            for (k, ty) in tuple_parts(item).iter().enumerate() {
                let k = syn::Index::from(k);
                let access = &mut grad_lowered_owned.usage;
                if crate::types::array_output(ty).is_some() {
                    access.access.push(quote!(&#cotangent.#k));
                } else {
                    access.scalar_inputs.push(access.access.len());
                    access.access.push(quote!(#cotangent.#k));
                }
            }
        }
    }
    let grad_lowered = &grad_lowered_owned;
    let mut roots = vec![d.output];
    roots.extend(&d.grads);
    let (grad_stmts, grad_exprs) = statements(d, grad_lowered, &roots);
    let loss = &grad_exprs[0];
    // Keyed by the inputs' ids in the graph as written, which `lowered` (parameters and
    // fields) refers to; the simplified graph numbers nodes differently once a rewrite
    // has removed any before an input, as for a field first read late in the body.
    let by_input: HashMap<NodeId, TokenStream> = d
        .wrt_raw
        .iter()
        .copied()
        .zip(grad_exprs[1..].iter().cloned())
        .collect();
    let grad_values: Vec<TokenStream> = lowered
        .wrt
        .iter()
        .map(|&i| grad_value(d, i, &by_input))
        .collect();

    let params: Vec<TokenStream> = lowered
        .params
        .iter()
        .map(|p| {
            let (ident, ty) = (&p.ident, &p.ty);
            quote!(#ident: #ty)
        })
        .collect();
    let wrt_idents: Vec<_> = lowered
        .wrt
        .iter()
        .map(|&i| &lowered.params[i].ident)
        .collect();
    let wrt_types: Vec<_> = lowered
        .wrt
        .iter()
        .map(|&i| grad_type(&lowered.params[i].ty))
        .collect();
    let field_docs = wrt_idents.iter().map(|i| format!("`dL/d{i}`"));

    // A generic function's items are generic too; `Grad` over what its fields use.
    let (fn_impl, _, fn_where) = item.sig.generics.split_for_impl();
    let grad_generics = generics::for_fields(&item.sig.generics, &wrt_types);
    let (_, grad_ty, grad_where) = grad_generics.split_for_impl();
    let grad_generics_decl = {
        let mut g = grad_generics.clone();
        g.where_clause = None;
        g
    };
    let grad_generics = &grad_generics_decl;

    let grad_doc = format!("`{fn_name}`'s value and its gradient, in one pass.");
    let struct_doc = format!("The gradient of `{fn_name}`: one field per differentiated argument.");
    let explain_doc = "The chain rule before simplification: for each argument, the product of local derivatives along every path from `L`, then the simplified result.";
    let grad_struct = format_ident!("Grad");
    // A model struct need not be Debug or PartialEq; floats and arrays always are.
    let has_struct = lowered.wrt.iter().any(|&i| {
        let p = &lowered.params[i];
        p.kind == Kind::Struct && !crate::types::is_float_array(&p.ty)
    });
    let derives = if has_struct {
        quote!(#[derive(Clone)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };

    let grad_struct_item = quote! {
        #[doc = #struct_doc]
        #derives
        pub struct #grad_struct #grad_generics #grad_where {
            #(
                #[doc = #field_docs]
                pub #wrt_idents: #wrt_types,
            )*
        }
    };

    // A function returning an array gets its pullback only: no loss, so no derivation,
    // picture, Hessian or batch to compute.
    if lowered.array_output {
        let ret = match &item.sig.output {
            syn::ReturnType::Type(_, ty) => quote!(#ty),
            syn::ReturnType::Default => quote!(()),
        };
        let vjp_doc = format!(
            "`{fn_name}`'s value, and its pullback: given the cotangent of the value (the gradient of whatever is computed from it), the gradient of the arguments."
        );
        let mod_doc = format!(
            "Compile-time derivative of [`{fn_name}`](fn@{fn_name}), generated by `#[differentiable]`: its vector-Jacobian product."
        );
        // Nothing the pullback reads is moved when the arguments are borrowed: it can be
        // called again, for every row of a Jacobian.
        let pullback = match jacobian::pullback_is_fn(lowered) {
            true => quote!(Fn),
            false => quote!(FnOnce),
        };
        let jacobian_fn = match &item.sig.output {
            syn::ReturnType::Type(_, ty) => jacobian::jacobian(
                lowered,
                ty,
                &tuple_parts(item),
                (
                    &fn_impl.to_token_stream(),
                    &params,
                    &fn_where.to_token_stream(),
                ),
                &quote!(#grad_struct #grad_ty),
            ),
            syn::ReturnType::Default => TokenStream::new(),
        };
        return quote! {
            #forward

            #[doc = #mod_doc]
            #vis mod #fn_name {
                #[allow(unused_imports)]
                use super::*;

                #grad_struct_item

                #jacobian_fn

                #[doc = #vjp_doc]
                #[allow(unused_variables, clippy::all)]
                pub fn vjp #fn_impl (#(#params),*) -> (#ret, impl #pullback(#ret) -> #grad_struct #grad_ty) #fn_where {
                    let value = {
                        #fwd_stmts
                        #fwd_out
                    };
                    (value, move |#cotangent: #ret| {
                        #sink_decls
                        #grad_stmts
                        #grad_struct { #( #wrt_idents: #grad_values, )* }
                    })
                }
            }
        };
    }

    let targets: Vec<String> = d
        .wrt
        .iter()
        .map(|&w| d.graph.inputs[input_index(d.graph, w)].name.clone())
        .collect();
    let derived = derivation::derivation(d.graph, &targets, &d.grads);
    // A loop's body is derived once, below the lines that use it, in both texts.
    let loop_lines = loops::derivation(d.graph, &d.grads);
    let mut derivation = derived.text();
    let mut explain = match &d.chain {
        Some(chain) => explain::explain(chain, &derived),
        None => String::new(),
    };
    for line in &loop_lines {
        for text in [&mut derivation, &mut explain] {
            text.push('\n');
            text.push_str(line);
        }
    }
    let dot = dot::dot(
        &lowered.graph,
        &fn_name.to_string(),
        lowered.output,
        &d.wrt_raw,
    );

    // The graph with values and adjoints at a point, for scalar functions.
    let trace_fn = if let Some(traced) = &d.traced {
        let body = trace::trace(lowered, traced, &fn_name.to_string(), &d.wrt_raw);
        quote! {
            /// The forward graph at this point: every node's value and adjoint, for
            /// `cadena::plot` to draw (`trace(..).save("graph.svg")`).
            #[allow(unused_variables, clippy::all)]
            pub fn trace #fn_impl (#(#params),*) -> ::cadena::plot::GraphTrace #fn_where {
                #body
            }
        }
    } else {
        TokenStream::new()
    };
    // The same statements on the vectorisable kernels, for grad_sum's chunks.
    let lane_stmts = if lowered.tensor {
        TokenStream::new()
    } else {
        scalar::statements_with(d.graph, grad_lowered, &roots, expr::Kernels::Lanes).0
    };
    // Each sample's backward pass writes a looped float array's gradient into zeros of
    // its own, as `grad` does.
    let sum_fn = batch::grad_sum(
        lowered,
        (
            &quote!(#sink_decls #grad_stmts),
            &quote!(#sink_decls #lane_stmts),
        ),
        loss,
        &grad_values,
        (
            &fn_impl.to_token_stream(),
            &grad_ty.to_token_stream(),
            &fn_where.to_token_stream(),
        ),
    );

    // H·v for scalar functions: the reverse sweep run again over the gradient.
    let hvp_fn = match d.hvp.as_ref().map(|h| hvp::hvp(lowered, h)) {
        Some((stmts, entries)) => {
            let v = local("direction");
            quote! {
                /// The Hessian of the result times `direction`, one entry per
                /// differentiated argument: `H · direction`, in one pass.
                #[allow(unused_variables, clippy::all)]
                pub fn hvp #fn_impl (#(#params,)* #v: &Grad #grad_ty) -> Grad #grad_ty #fn_where {
                    #stmts
                    Grad { #( #wrt_idents: #entries, )* }
                }
            }
        }
        None => TokenStream::new(),
    };
    let mod_doc = format!(
        "Compile-time derivative of [`{fn_name}`](fn@{fn_name}), generated by `#[differentiable]`.\n\n```text\n{derivation}\n```"
    );
    quote! {
        #forward

        #[doc = #mod_doc]
        #vis mod #fn_name {
            #[allow(unused_imports)]
            use super::*;

            #grad_struct_item

            #[doc = #grad_doc]
            #[inline]
            #[allow(unused_variables, clippy::all)]
            pub fn grad #fn_impl (#(#params),*) -> (#float, #grad_struct #grad_ty) #fn_where {
                #sink_decls
                #grad_stmts
                (#loss, #grad_struct { #( #wrt_idents: #grad_values, )* })
            }

            /// The simplified gradient formulas, one line per differentiated argument.
            pub const DERIVATION: &str = #derivation;

            #[doc = #explain_doc]
            pub const EXPLAIN: &str = #explain;

            /// The forward computation as a Graphviz DOT graph.
            pub const GRAPH_DOT: &str = #dot;

            #trace_fn

            #hvp_fn

            #sum_fn
        }
    }
}
