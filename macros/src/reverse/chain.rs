//! The chain rule as the course writes it, before simplification: the local derivative
//! of each named value (arguments and `let` bindings, the chain's links) with respect to
//! the named values its definition reads, found by the ordinary reverse sweep stopped at
//! named nodes, on the graph as written with algebraic clean-up only (no fusion), so
//! `bce` and `sigmoid` keep their separate factors. `EXPLAIN` prints it.

use std::collections::HashMap;

use crate::ir::derived::ChainRule;
use crate::ir::graph::depends_on;
use crate::ir::{Graph, NodeId, Op, Rewrites};
use crate::reverse::{guarded_nodes, sweep_guarded};
use crate::simplify::Builder;

pub fn chain_rule(raw: &Graph, output: NodeId, wrt: &[NodeId], tensor: bool) -> ChainRule {
    let (mut b, map) = Builder::rebuild(raw, Rewrites::ALGEBRA);
    let root = map[output.index()];
    let wrt: Vec<NodeId> = wrt.iter().map(|w| map[w.index()]).collect();
    let g = b.graph();
    let named: Vec<bool> = g
        .ids()
        .map(|id| id == root || g.name(id).is_some())
        .collect();
    let varying: Vec<bool> = depends_on(g, &inputs(g));
    let guarded = guarded_nodes(g, tensor);

    // Local derivatives along the named graph: edges[v] = [(u, dv/du)].
    let mut edges: HashMap<NodeId, Vec<(NodeId, NodeId)>> = HashMap::new();
    // The named nodes in order: a value's links are searched among those below it, not
    // among every node (which made a long body's expansion quadratic).
    let names: Vec<NodeId> = g.ids().filter(|v| named[v.index()]).collect();
    for (k, &v) in names.iter().enumerate() {
        if b.graph().op(v).is_leaf() {
            continue;
        }
        let adj = sweep_guarded(&mut b, v, &varying, &named, tensor, &guarded);
        let mut out: Vec<(NodeId, NodeId)> = names[..k]
            .iter()
            .filter_map(|&u| adj[u.index()].map(|d| (u, d)))
            .collect();
        out.reverse();
        edges.insert(v, out);
    }
    ChainRule {
        graph: b.into_graph(),
        root,
        wrt,
        edges,
    }
}

fn inputs(g: &Graph) -> Vec<NodeId> {
    g.ids()
        .filter(|id| matches!(g.op(*id), Op::Input(_)))
        .collect()
}
