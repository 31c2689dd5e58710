//! The chain rule as the course writes it, before simplification:
//!
//! ```text
//! dL/dw1 = dL/da * da/dz * dz/dw1
//!   dL/da = (a - y) / (a * (1 - a))
//!   da/dz = a * (1 - a)
//!   dz/dw1 = x1
//!   => dL/dw1 = (a - y) * x1
//! ```
//!
//! Named values (arguments and `let` bindings) are the chain's links. The local derivative
//! of each named value with respect to the named values its definition reads is found by
//! the ordinary reverse sweep, stopped at named nodes, on the graph as written (only
//! algebraic clean-up, no fusion), so `bce` and `sigmoid` keep their separate factors;
//! each local derivative is printed with like terms collected.

use std::collections::HashMap;

use crate::emit::derivation::Derivation;
use crate::ir::Rewrites;
use crate::ir::print::readable;
use crate::ir::{Graph, NodeId, Op};
use crate::reverse::sweep;
use crate::simplify::Builder;

/// More paths than this are summarised rather than listed.
const MAX_PATHS: usize = 12;

pub fn explain(
    raw: &Graph,
    output: NodeId,
    wrt: &[NodeId],
    simplified: &Derivation,
    tensor: bool,
) -> String {
    let (mut b, map) = Builder::rebuild(raw, Rewrites::ALGEBRA);
    let root = map[output.index()];
    let wrt: Vec<NodeId> = wrt.iter().map(|w| map[w.index()]).collect();
    let g = b.graph();
    let named: Vec<bool> = g
        .ids()
        .map(|id| id == root || g.name(id).is_some())
        .collect();
    let varying: Vec<bool> = crate::reverse::depends_on(g, &inputs(g));

    // Local derivatives along the named graph: edges[v] = [(u, dv/du)].
    let mut edges: HashMap<NodeId, Vec<(NodeId, NodeId)>> = HashMap::new();
    for v in g
        .ids()
        .filter(|v| named[v.index()] && !g.op(*v).is_leaf())
        .collect::<Vec<_>>()
    {
        let adj = sweep(&mut b, v, &varying, &named, tensor);
        let mut out: Vec<(NodeId, NodeId)> = (0..v.0)
            .map(NodeId)
            .filter(|u| named[u.index()])
            .filter_map(|u| adj[u.index()].map(|d| (u, d)))
            .collect();
        out.reverse();
        edges.insert(v, out);
    }

    let g = b.graph();
    let label = |id: NodeId| {
        if id == root {
            "L".to_string()
        } else {
            g.name(id).unwrap_or("?").to_string()
        }
    };
    // The simplified lines may name repeated subexpressions: define them first.
    let mut text = simplified.definitions.clone();
    for (w, line) in wrt.iter().zip(&simplified.lines) {
        let mut paths = Vec::new();
        collect_paths(&edges, root, *w, &mut vec![root], &mut paths);
        let target = label(*w);
        if paths.is_empty() {
            text.push(format!("dL/d{target} = 0 (L does not depend on {target})"));
            continue;
        }
        if paths.len() > MAX_PATHS {
            text.push(format!(
                "dL/d{target} = a sum over more than {MAX_PATHS} chain-rule paths from L to {target}"
            ));
        } else {
            let terms: Vec<String> = paths
                .iter()
                .map(|p| {
                    p.windows(2)
                        .map(|e| format!("d{}/d{}", label(e[0]), label(e[1])))
                        .collect::<Vec<_>>()
                        .join(" * ")
                })
                .collect();
            // A single link `dL/dx = dL/dx` says nothing: its line follows.
            let one_link = paths.len() == 1 && paths[0].len() == 2;
            if !one_link {
                text.push(format!("dL/d{target} = {}", terms.join(" + ")));
            }
            let mut seen = Vec::new();
            for p in &paths {
                for e in p.windows(2) {
                    if seen.contains(&(e[0], e[1])) {
                        continue;
                    }
                    seen.push((e[0], e[1]));
                    let d = edges[&e[0]]
                        .iter()
                        .find(|(u, _)| *u == e[1])
                        .map(|(_, d)| *d)
                        .expect("an edge");
                    let indent = if one_link { "" } else { "  " };
                    text.push(format!(
                        "{indent}d{}/d{} = {}",
                        label(e[0]),
                        label(e[1]),
                        readable(g, d)
                    ));
                }
            }
        }
        text.push(format!("  => {line}"));
    }
    text.join("\n")
}

fn inputs(g: &Graph) -> Vec<NodeId> {
    g.ids()
        .filter(|id| matches!(g.op(*id), Op::Input(_)))
        .collect()
}

fn collect_paths(
    edges: &HashMap<NodeId, Vec<(NodeId, NodeId)>>,
    at: NodeId,
    target: NodeId,
    path: &mut Vec<NodeId>,
    out: &mut Vec<Vec<NodeId>>,
) {
    if at == target {
        out.push(path.clone());
        return;
    }
    // Past MAX_PATHS the text only says "more than", so stop enumerating.
    if out.len() > MAX_PATHS {
        return;
    }
    for (u, _) in edges.get(&at).map(Vec::as_slice).unwrap_or(&[]) {
        path.push(*u);
        collect_paths(edges, *u, target, path, out);
        path.pop();
    }
}
