//! `f::trace(args)` for scalar functions: the forward graph as the user wrote it, each
//! node with its value and its adjoint at the given point, for `cadena::plot` to draw.
//! The adjoints come from a reverse sweep over the graph as written (with algebraic
//! clean-up only), so every node the picture shows — not just the arguments — has one.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::dot::label;
use crate::emit::scalar;
use crate::ir::Rewrites;
use crate::ir::function::Lowered;
use crate::ir::{NodeId, Op};
use crate::reverse::sweep;
use crate::simplify::Builder;

/// The body of `trace`: statements, then a `GraphTrace` literal.
pub fn trace(lowered: &Lowered, fn_name: &str, wrt: &[NodeId]) -> TokenStream {
    let raw = &lowered.graph;
    let output = lowered.output;
    let live = raw.live(&[output]);
    let nodes: Vec<NodeId> = raw.ids().filter(|id| live[id.index()]).collect();

    // The graph as written, node for node, then its adjoints built with clean-up.
    let (mut b, map) = Builder::rebuild(raw, Rewrites::NONE);
    b.set_rewrites(Rewrites::ALGEBRA);
    let root = map[output.index()];
    let wants = vec![true; b.graph().len()];
    let stop = vec![false; b.graph().len()];
    let adjoints = sweep(&mut b, root, &wants, &stop, false);
    let zero = b.constant(0.0);
    let mut roots: Vec<NodeId> = nodes.iter().map(|id| map[id.index()]).collect();
    roots.extend(
        nodes
            .iter()
            .map(|id| adjoints[map[id.index()].index()].unwrap_or(zero)),
    );
    let g = b.into_graph();
    let (stmts, exprs) = scalar::statements(&g, lowered, &roots);
    let (values, adjoints) = exprs.split_at(nodes.len());

    let position = |id: NodeId| nodes.iter().position(|n| *n == id);
    let entries = nodes
        .iter()
        .zip(values)
        .zip(adjoints)
        .map(|((&id, value), adjoint)| {
            let text = label(raw, id, output);
            let name = match (id == output, raw.name(id)) {
                (true, _) => quote!(::core::option::Option::Some("L".to_string())),
                (false, Some(n)) => quote!(::core::option::Option::Some(#n.to_string())),
                (false, None) => quote!(::core::option::Option::None),
            };
            let kind = match raw.op(id) {
                Op::Input(_) if wrt.contains(&id) => quote!(Parameter),
                Op::Input(_) => quote!(Input),
                Op::Const(_) | Op::Named(_) => quote!(Constant),
                _ if id == output => quote!(Result),
                _ => quote!(Operation),
            };
            quote! {
                ::cadena::plot::TraceNode {
                    label: #text.to_string(),
                    name: #name,
                    kind: ::cadena::plot::TraceKind::#kind,
                    value: ::cadena::Float::to_f64_lossless(#value),
                    adjoint: ::cadena::Float::to_f64_lossless(#adjoint),
                }
            }
        });
    let edges = nodes.iter().flat_map(|&id| {
        raw.args(id)
            .iter()
            .filter_map(move |&a| Some((position(a)?, position(id)?)))
            .map(|(from, to)| quote!((#from, #to)))
            .collect::<Vec<_>>()
    });
    quote! {
        #stmts
        ::cadena::plot::GraphTrace {
            name: #fn_name.to_string(),
            nodes: ::std::vec![#(#entries),*],
            edges: ::std::vec![#(#edges),*],
        }
    }
}
