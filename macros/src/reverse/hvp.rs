//! The Hessian times a direction for scalar functions. The gradient the macro derived is
//! itself a graph, so the second derivative is the same reverse sweep run again, on
//! `s = Σ dL/dw_i · v_i`: `d s / d w = H v`. Every scalar op's derivative is in the op
//! table, including those of the ops the first sweep creates (`step`, `sign`, `ge`: 0).

use proc_macro2::Span;

use crate::ir::derived::Hvp;
use crate::ir::{Graph, NodeId, Op, Rewrites};
use crate::reverse::gradients;
use crate::simplify::Builder;

/// `None` for tensor code, a hand-written derivative (first derivatives only) or a loop
/// (its backward run is not differentiated again).
pub fn hvp(
    graph: &Graph,
    wrt: &[NodeId],
    grads: &[NodeId],
    rewrites: Rewrites,
    tensor: bool,
) -> Option<Hvp> {
    let custom = graph.ids().any(|id| matches!(graph.op(id), Op::Custom(_)));
    if tensor || wrt.is_empty() || custom || !graph.loops.is_empty() {
        return None;
    }
    let mut b = Builder::new(graph.clone(), rewrites);
    let mut directions = Vec::new();
    let mut s = None;
    for (&w, &g) in wrt.iter().zip(grads) {
        let name = match b.graph().op(w) {
            Op::Input(i) => b.graph().inputs[*i as usize].name.clone(),
            _ => return None,
        };
        syn::parse_str::<syn::Ident>(&name).ok()?;
        let vi = b.input(&format!("v.{name}"));
        directions.push(name);
        let term = b.node(Op::Mul, vec![g, vi], Span::call_site());
        s = Some(match s {
            None => term,
            Some(acc) => b.node(Op::Add, vec![acc, term], Span::call_site()),
        });
    }
    let hv = gradients(&mut b, s?, wrt, false);
    Some(Hvp {
        graph: b.into_graph(),
        directions,
        hv,
    })
}
