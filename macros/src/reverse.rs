//! The reverse sweep: visit nodes from the output back to the inputs (arena order reversed
//! is a reverse topological order), seed the output's adjoint with 1, and push each
//! node's adjoint to its operands through the derivative table, adding contributions
//! where a value fans out.

use crate::graph::{Graph, NodeId};
use crate::rules;

/// Marks every node that depends on at least one of `sources`.
pub fn depends_on(g: &Graph, sources: &[NodeId]) -> Vec<bool> {
    let mut mask = vec![false; g.len()];
    for s in sources {
        mask[s.index()] = true;
    }
    for id in g.ids() {
        if g.args(id).iter().any(|a| mask[a.index()]) {
            mask[id.index()] = true;
        }
    }
    mask
}

/// Adjoints of `root` (seeded with 1), as nodes added to `g`.
///
/// `wants[i]`: node `i` should receive an adjoint (it leads to something we differentiate
/// with respect to). `stop[i]`: treat node `i` as a leaf — collect its adjoint but do not
/// push it further (the root itself is always expanded).
pub fn sweep(g: &mut Graph, root: NodeId, wants: &[bool], stop: &[bool]) -> Vec<Option<NodeId>> {
    let mut adj: Vec<Option<NodeId>> = vec![None; g.len()];
    adj[root.index()] = Some(g.constant(1.0));
    for id in (0..=root.0).rev().map(NodeId) {
        let Some(a) = adj[id.index()] else { continue };
        if id != root && stop[id.index()] {
            continue;
        }
        let args = g.args(id).to_vec();
        // Last operand first: in `x.dot(&w) + &b` the bias's contribution is then built
        // before the matrix's, so the shared adjoint's last use can be consumed in place.
        for (k, arg) in args.into_iter().enumerate().rev() {
            if !wants[arg.index()] {
                continue;
            }
            let contribution = rules::vjp(g, id, k, a);
            let span = g.node(id).span;
            adj[arg.index()] = Some(match adj[arg.index()] {
                None => contribution,
                Some(prev) => g.add(prev, contribution, span),
            });
        }
    }
    adj
}

/// `d output / d w` for each `w` in `wrt`; a constant 0 where the output does not depend
/// on `w`.
pub fn gradients(g: &mut Graph, output: NodeId, wrt: &[NodeId]) -> Vec<NodeId> {
    let wants = depends_on(g, wrt);
    let stop = vec![false; g.len()];
    let adj = sweep(g, output, &wants, &stop);
    wrt.iter()
        .map(|w| match adj[w.index()] {
            Some(a) => a,
            None => g.constant(0.0),
        })
        .collect()
}
