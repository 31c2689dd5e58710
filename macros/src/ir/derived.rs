//! What the reverse stage hands the emitter besides the gradient graph: second
//! derivatives, the chain rule before simplification, and the adjoints of every node for
//! the traced picture. Each is graphs and node ids; the emitter only prints them.

use std::collections::HashMap;

use super::{Graph, NodeId};

/// `H v` for a scalar function: the gradient's graph with `s = Σ dL/dw_i · v_i` and its
/// gradient added; `v_i` are new inputs after the function's own, one per name in
/// `directions`, in `wrt` order.
pub struct Hvp {
    pub graph: Graph,
    /// Each differentiated input's name (`w`, or `p.w1` for a struct's field) and index
    /// among the graph's inputs.
    pub directions: Vec<(String, usize)>,
    pub hv: Vec<NodeId>,
}

/// The chain rule along named values, on the graph as written with algebraic clean-up:
/// `edges[v]` lists each named `u` that `v`'s definition reads, with `dv/du`.
pub struct ChainRule {
    pub graph: Graph,
    pub root: NodeId,
    pub wrt: Vec<NodeId>,
    pub edges: HashMap<NodeId, Vec<(NodeId, NodeId)>>,
}

/// The forward graph as written, node for node, with every node's adjoint: `roots`
/// holds each shown node's value, then its adjoint, in `nodes` order (`nodes` are ids of
/// the graph as written).
pub struct Traced {
    pub graph: Graph,
    pub nodes: Vec<NodeId>,
    pub roots: Vec<NodeId>,
}
