//! `f::hvp(args, &v)` for scalar functions: the Hessian of the result times a direction
//! `v` (one entry per differentiated argument, a `Grad`). The gradient the macro derived
//! is itself a graph, so the second derivative is the same reverse sweep run again, on
//! `s = Σ dL/dw_i · v_i`: `d s / d w = H v`. Every scalar op's derivative is in the op
//! table, including those of the ops the first sweep creates (`step`, `sign`, `ge`: 0).

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::expr::local;
use crate::emit::scalar;
use crate::ir::Rewrites;
use crate::ir::function::Lowered;
use crate::ir::{Graph, NodeId, Op};
use crate::reverse::gradients;
use crate::simplify::Builder;

/// The statements of `hvp` and the expression of each entry of `H v`; `None` when the
/// function is not a scalar function of floats.
pub fn hvp(
    lowered: &Lowered,
    graph: &Graph,
    wrt: &[NodeId],
    grads: &[NodeId],
    rewrites: Rewrites,
) -> Option<(TokenStream, Vec<TokenStream>)> {
    // A hand-written derivative gives first derivatives only, and a loop's backward run
    // is not differentiated again.
    let custom = graph.ids().any(|id| matches!(graph.op(id), Op::Custom(_)));
    if lowered.tensor || wrt.is_empty() || custom || !graph.loops.is_empty() {
        return None;
    }
    let mut b = Builder::new(graph.clone(), rewrites);
    let v = local("direction");
    let mut lowered = lowered.clone();
    // s = Σ g_i v_i, with v_i new inputs read as `direction.w_i`.
    let mut s = None;
    for (&w, &g) in wrt.iter().zip(grads) {
        let name = match b.graph().op(w) {
            Op::Input(i) => b.graph().inputs[*i as usize].name.clone(),
            _ => return None,
        };
        let field = syn::parse_str::<syn::Ident>(&name).ok()?;
        lowered.usage.access.push(quote!(#v.#field));
        let vi = b.input(&format!("v.{name}"));
        let term = b.node(Op::Mul, vec![g, vi], proc_macro2::Span::call_site());
        s = Some(match s {
            None => term,
            Some(acc) => b.node(Op::Add, vec![acc, term], proc_macro2::Span::call_site()),
        });
    }
    let hv = gradients(&mut b, s?, wrt, false);
    let g = b.into_graph();
    Some(scalar::statements(&g, &lowered, &hv))
}
