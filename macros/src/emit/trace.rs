//! `f::trace(args)` for scalar functions: the forward graph as the user wrote it, each
//! node with its value and its adjoint at the given point, for `cadena::plot` to draw.
//! The adjoints come from the reverse stage (`reverse::trace`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::dot::label;
use crate::emit::scalar;
use crate::ir::derived::Traced;
use crate::ir::function::Lowered;
use crate::ir::{NodeId, Op};

/// The body of `trace`: statements, then a `GraphTrace` literal.
pub fn trace(lowered: &Lowered, traced: &Traced, fn_name: &str, wrt: &[NodeId]) -> TokenStream {
    let raw = &lowered.graph;
    let output = lowered.output;
    let (g, nodes, roots) = (&traced.graph, &traced.nodes, &traced.roots);
    let (stmts, exprs) = scalar::statements(g, lowered, roots);
    let (values, adjoints) = exprs.split_at(nodes.len());

    // Each node's place in the picture, by id (a search per edge made a long body's
    // expansion quadratic).
    let mut place = vec![None; raw.len()];
    for (k, n) in nodes.iter().enumerate() {
        place[n.index()] = Some(k);
    }
    let position = |id: NodeId| place.get(id.index()).copied().flatten();
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
