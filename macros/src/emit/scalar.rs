//! Graph → Rust statements for scalar functions. Each live node becomes one `let`, in
//! arena order (operands before users); leaves are referenced in place. Every expression
//! carries the span of the source it came from, so a type error in generated code points
//! at the user's tokens.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::emit::expr::{Kernels, elementwise, emitted_args, literal, local};
use crate::graph::{Graph, NodeId};
use crate::lower::Lowered;

/// Emits the statements computing `roots` and the expression naming each root.
pub fn statements(
    g: &Graph,
    lowered: &Lowered,
    roots: &[NodeId],
) -> (TokenStream, Vec<TokenStream>) {
    statements_with(g, lowered, roots, Kernels::Exact)
}

/// [`statements`] calling the `kernels` asked for (the same local names either way).
pub fn statements_with(
    g: &Graph,
    lowered: &Lowered,
    roots: &[NodeId],
    kernels: Kernels,
) -> (TokenStream, Vec<TokenStream>) {
    let live = live(g, roots);
    let names = local_names(g, &live);
    let operand = |id: NodeId| -> TokenStream {
        if let Some(ident) = &names[id.index()] {
            return quote!(#ident);
        }
        leaf(g, lowered, id)
    };
    let stacks = super::loops::stack_mask(g);
    let mut stmts = TokenStream::new();
    for id in g.ids() {
        if let Some(ident) = &names[id.index()]
            && let Some(s) = loop_statement(g, lowered, id, ident, &names, &live)
        {
            stmts.extend(s);
            continue;
        }
        if let Some(ident) = &names[id.index()]
            && stacks[id.index()]
            && super::loops::unit_stack(g, id, &lowered.usage.sinks)
        {
            stmts.extend(quote!(let #ident = ();));
            continue;
        }
        if let Some(ident) = &names[id.index()]
            && stacks[id.index()]
        {
            // Two loops' gradients of one float array: summed element by element.
            let a: Vec<TokenStream> = emitted_args(g, id).into_iter().map(operand).collect();
            stmts.extend(
                quote!(let #ident = ::cadena::__private::t::accumulate_parameters(#(&#a),*);),
            );
            continue;
        }
        if let Some(ident) = &names[id.index()] {
            let a: Vec<TokenStream> = emitted_args(g, id).into_iter().map(operand).collect();
            let value = elementwise(g, id, &a, lowered, kernels);
            stmts.extend(quote!(let #ident = #value;));
        }
    }
    let exprs = roots.iter().map(|&r| operand(r)).collect();
    (stmts, exprs)
}

/// A loop, its backward run or a part of that, in scalar code, where every value is a
/// float read by copy.
fn loop_statement(
    g: &Graph,
    lowered: &Lowered,
    id: NodeId,
    ident: &Ident,
    names: &[Option<Ident>],
    live: &[bool],
) -> Option<TokenStream> {
    let read = |a: &NodeId| match &names[a.index()] {
        Some(i) => quote!(#i),
        None => leaf(g, lowered, *a),
    };
    let args = g.args(id);
    match g.op(id) {
        crate::graph::Op::Loop(k) => {
            let body = &g.loops[*k as usize];
            let bind: Vec<TokenStream> = args.iter().map(read).collect();
            let scalar = vec![true; args.len()];
            Some(match super::loops::wanted(g, live, id) {
                Some(wanted) => {
                    let tape = super::loops::tape_local(ident);
                    let value = super::loops::forward(
                        body,
                        lowered,
                        &bind,
                        &scalar,
                        Some((&tape, &wanted)),
                    );
                    quote!(let #tape; let #ident = #value;)
                }
                None => {
                    let value = super::loops::forward(body, lowered, &bind, &scalar, None);
                    quote!(let #ident = #value;)
                }
            })
        }
        crate::graph::Op::LoopBack(k) => {
            let body = &g.loops[*k as usize];
            let the_loop = args[0];
            let loop_ident = names[the_loop.index()]
                .as_ref()
                .expect("a loop is a statement");
            let tape = super::loops::tape_local(loop_ident);
            let bind: Vec<TokenStream> = args[1..].iter().map(read).collect();
            let scalar = vec![true; g.args(the_loop).len()];
            let wanted =
                super::loops::wanted(g, live, the_loop).expect("this backward run is live");
            let sinks = super::loops::sinks_of(g, live, the_loop, &lowered.usage.sinks);
            let value = super::loops::backward(
                body,
                lowered,
                &read(&the_loop),
                &bind,
                &scalar,
                super::loops::Run {
                    tape: &tape,
                    wanted: &wanted,
                    sinks: &sinks,
                },
            );
            Some(quote!(let #ident = #value;))
        }
        crate::graph::Op::LoopPart(_) if super::loops::in_sink(g, id, &lowered.usage.sinks) => {
            Some(quote!(let #ident = ();))
        }
        crate::graph::Op::LoopPart(j) => {
            let back = names[args[0].index()]
                .as_ref()
                .expect("a backward run is a statement");
            let j = syn::Index::from(*j as usize);
            Some(quote!(let #ident = #back.#j;))
        }
        _ => None,
    }
}

/// Tokens for a leaf: an argument as the helpers take it, a literal, or a constant.
pub fn leaf(g: &Graph, lowered: &Lowered, id: NodeId) -> TokenStream {
    match g.op(id) {
        crate::graph::Op::Input(i) => lowered.usage.access[*i as usize].clone(),
        crate::graph::Op::Named(i) => g.consts[*i as usize].tokens.clone(),
        op => literal(op.const_value().unwrap_or(f64::NAN), lowered),
    }
}

/// Identifiers for the live non-leaf nodes: the `let` name where it is unique, else `tN`.
pub fn local_names(g: &Graph, live: &[bool]) -> Vec<Option<Ident>> {
    let mut names = vec![None; g.len()];
    let mut taken = std::collections::HashSet::new();
    for id in g
        .ids()
        .filter(|id| live[id.index()] && !g.op(*id).is_leaf())
    {
        names[id.index()] = Some(match g.name(id) {
            // Display names such as `acc₁` (a shadowed binding) are not identifiers.
            Some(n) if syn::parse_str::<Ident>(n).is_ok() && taken.insert(n.to_string()) => {
                local(n)
            }
            _ => local(&format!("t{}", id.0)),
        });
    }
    names
}

/// The nodes the emitted code for `roots` computes.
pub fn live(g: &Graph, roots: &[NodeId]) -> Vec<bool> {
    g.live_through(roots, |id| emitted_args(g, id))
}
