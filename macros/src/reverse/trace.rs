//! Every node's adjoint, for the traced picture of a scalar function: the graph as
//! written, node for node, then a reverse sweep over it with algebraic clean-up only, so
//! every node the picture shows (not just the arguments) has one.

use crate::ir::derived::Traced;
use crate::ir::{Graph, NodeId, Rewrites};
use crate::reverse::sweep;
use crate::simplify::Builder;

pub fn traced(raw: &Graph, output: NodeId) -> Traced {
    let live = raw.live(&[output]);
    let nodes: Vec<NodeId> = raw.ids().filter(|id| live[id.index()]).collect();
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
    Traced {
        graph: b.into_graph(),
        nodes,
        roots,
    }
}
