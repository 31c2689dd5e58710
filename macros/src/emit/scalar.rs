//! Graph → Rust statements for scalar functions. Each live node becomes one `let`, in
//! arena order (operands before users); leaves are referenced in place. Every expression
//! carries the span of the source it came from, so a type error in generated code points
//! at the user's tokens.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::emit::expr::{Kernels, elementwise, emitted_args, literal, local};
pub use crate::ir::emitted::live;
use crate::ir::function::Lowered;
use crate::ir::{Graph, NodeId};

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
    // In scalar code every value is a float, read by copy.
    let reads = super::loops::Reads {
        names: &names,
        stacks: &stacks,
        scalar: &|_| true,
        borrowed: &operand,
        operand: &operand,
    };
    let mut stmts = TokenStream::new();
    for id in g.ids() {
        if let Some(ident) = &names[id.index()]
            && let Some(s) = super::loops::statement(g, lowered, id, ident, &live, &reads)
        {
            stmts.extend(s);
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

/// Tokens for a leaf: an argument as the helpers take it, a literal, or a constant.
pub fn leaf(g: &Graph, lowered: &Lowered, id: NodeId) -> TokenStream {
    match g.op(id) {
        crate::ir::graph::Op::Input(i) => lowered.usage.access[*i as usize].clone(),
        crate::ir::graph::Op::Named(i) => g.consts[*i as usize].tokens.clone(),
        op => literal(op.const_value().unwrap_or(f64::NAN), lowered),
    }
}

/// Identifiers for the live non-leaf nodes: the `let` name where it is unique, else `tN`.
pub fn local_names(g: &Graph, live: &[bool]) -> Vec<Option<Ident>> {
    let mut names = vec![None; g.len()];
    let nodes: Vec<NodeId> = g
        .ids()
        .filter(|id| live[id.index()] && !g.op(*id).is_leaf())
        .collect();
    // The `let` names first: a user's `t1` must not be taken for node 1's `t1`, which the
    // generated code would then read in its place.
    let mut taken = std::collections::HashSet::new();
    for &id in &nodes {
        // Display names such as `acc₁` (a shadowed binding) are not identifiers. A name
        // starting in upper case may be a constant or a unit struct in scope, which a
        // generated `let` would read as a pattern (E0005 on the attribute): the user's own
        // `let` in the body rustc checks as written gets that error, on their tokens.
        if let Some(n) = g.name(id)
            && n.starts_with(|c: char| c.is_lowercase() || c == '_')
            && syn::parse_str::<Ident>(n).is_ok()
            && taken.insert(n.to_string())
        {
            names[id.index()] = Some(local(n));
        }
    }
    for &id in &nodes {
        if names[id.index()].is_none() {
            let mut name = format!("t{}", id.0);
            while taken.contains(&name) {
                name.push('_');
            }
            names[id.index()] = Some(local(&name));
        }
    }
    names
}
