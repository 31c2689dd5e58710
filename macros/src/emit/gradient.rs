//! The backward pass: the statements computing the result and every differentiated
//! input's adjoint, and each argument's gradient as a value of its type. A parameter
//! struct's gradient is built in a local of its own (its sink), declared before the
//! backward statements when a loop writes its stack of layers there in place.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::expr::{self, local};
use super::output::tuple_parts;
use super::{Derived, statements};
use crate::ir::Step;
use crate::ir::function::Lowered;
use crate::ir::{NodeId, Op};
use crate::types::Kind;

/// The backward pass as emitted.
pub struct Backward {
    /// The gradients' sinks, declared before `stmts`.
    pub sink_decls: TokenStream,
    pub stmts: TokenStream,
    /// The function's value, as the backward statements give it.
    pub loss: TokenStream,
    /// Each differentiated argument's gradient, in `wrt` order.
    pub values: Vec<TokenStream>,
    /// The function as the backward statements read it: with the sinks, and for a
    /// function returning arrays, the cotangent its pullback receives.
    pub lowered: Lowered,
    /// The result, then every differentiated input's adjoint.
    pub roots: Vec<NodeId>,
}

pub fn backward(d: &Derived) -> Backward {
    let lowered = d.lowered;
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
            for (k, ty) in tuple_parts(d.item).iter().enumerate() {
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
    let mut roots = vec![d.output];
    roots.extend(&d.grads);
    let (grad_stmts, grad_exprs) = statements(d, &grad_lowered_owned, &roots);
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
    Backward {
        sink_decls,
        stmts: grad_stmts,
        loss: grad_exprs[0].clone(),
        values: grad_values,
        lowered: grad_lowered_owned,
        roots,
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

/// Zeros of array argument `ident`'s shape, owned also when the argument is a view.
pub(super) fn array_zeros(ident: &syn::Ident, borrowed: bool) -> TokenStream {
    let arg = match borrowed {
        true => quote!(#ident),
        false => quote!(&#ident),
    };
    let z = local("zeros");
    quote!({
        let mut #z = ::cadena::__private::t::owned(#arg);
        #z.fill(::core::default::Default::default());
        #z
    })
}

/// `Parameters::zeros_like` of struct argument `p`.
pub(super) fn zeros_of(p: &crate::ir::function::Param) -> TokenStream {
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
            if let Op::Input(k) = lowered.graph.op(f.input) {
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
                array_zeros(ident, borrowed)
            } else {
                let value = &exprs[&input];
                quote!(::cadena::__private::t::owned(#value))
            }
        }
        Kind::Float | Kind::Other => exprs[&p.input.expect("floats are inputs")].clone(),
    }
}
