//! What the emitters ask of a loop's derivative (computed by the reverse stage, see
//! `reverse::loops`).

use crate::ir::{Graph, NodeId};

/// How many times the code computing `roots` reads `x`: operands of the nodes it
/// emits, and the roots themselves.
pub(super) fn reads_of(g: &Graph, roots: &[NodeId], x: NodeId) -> usize {
    let live = crate::emit::scalar::live(g, roots);
    let operands: usize = g
        .ids()
        .filter(|id| live[id.index()] && !g.op(*id).is_leaf())
        .map(|id| {
            crate::emit::expr::emitted_args(g, id)
                .iter()
                .filter(|a| **a == x)
                .count()
        })
        .sum();
    operands + roots.iter().filter(|r| **r == x).count()
}
