//! Which operands generated code reads of a node. It differs from the graph's operands
//! where a pattern is evaluated in a better form (`1 - x^2` as `(1 - x)(1 + x)`, reading
//! `x` alone), so what is live, what a loop tapes and what the emitter writes agree.

use super::{Graph, NodeId, Op};

/// The operands a node's emitted code reads. Differs from the graph's operands where the
/// emitter evaluates a pattern in a better form (see [`one_minus_square`]).
pub fn emitted_args(g: &Graph, id: NodeId) -> Vec<NodeId> {
    match one_minus_square(g, id) {
        Some(x) => vec![x],
        None => g.args(id).to_vec(),
    }
}

/// `x` if `id` is `1 - x^2`, which is evaluated as `(1 - x)(1 + x)`: no cancellation when
/// |x| is near 1, where tanh saturates (the form JAX uses for tanh').
pub fn one_minus_square(g: &Graph, id: NodeId) -> Option<NodeId> {
    if *g.op(id) != Op::Sub {
        return None;
    }
    let [one, sq] = g.args(id) else { return None };
    if g.const_value(*one) != Some(1.0) || *g.op(*sq) != Op::Powi(2) {
        return None;
    }
    Some(g.args(*sq)[0])
}

/// The nodes the emitted code for `roots` computes.
pub fn live(g: &Graph, roots: &[NodeId]) -> Vec<bool> {
    g.live_through(roots, |id| emitted_args(g, id))
}
