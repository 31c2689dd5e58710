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
//! Named values (arguments and `let` bindings) are the chain's links; their local
//! derivatives come from the reverse stage (`reverse::chain`). This prints the paths from
//! `L` to each argument and each local derivative, with like terms collected.

use std::collections::HashMap;

use crate::emit::derivation::Derivation;
use crate::ir::NodeId;
use crate::ir::derived::ChainRule;
use crate::ir::print::readable;

/// More paths than this are summarised rather than listed.
const MAX_PATHS: usize = 12;

pub fn explain(chain: &ChainRule, simplified: &Derivation) -> String {
    let (g, root, wrt, edges) = (&chain.graph, chain.root, &chain.wrt, &chain.edges);
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
        collect_paths(edges, root, *w, &mut vec![root], &mut paths);
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
                    // Unsimplified, a deep chain's local derivative printed as a tree
                    // grows far faster than the body (megabytes for 100 nested calls):
                    // past a bound it is summarised, DERIVATION having the result.
                    let local = match tree_size(g, d, MAX_PRINTED_NODES) {
                        n if n > MAX_PRINTED_NODES => format!(
                            "(an expression of more than {MAX_PRINTED_NODES} operations before simplification)"
                        ),
                        _ => readable(g, d),
                    };
                    text.push(format!(
                        "{indent}d{}/d{} = {local}",
                        label(e[0]),
                        label(e[1]),
                    ));
                }
            }
        }
        text.push(format!("  => {line}"));
    }
    text.join("\n")
}

/// Local derivatives printed as trees of more nodes than this are summarised.
const MAX_PRINTED_NODES: usize = 400;

/// The number of nodes `id` prints as a tree (shared operands counted at each use), up
/// to a little past `cap`.
fn tree_size(g: &crate::ir::Graph, id: NodeId, cap: usize) -> usize {
    fn go(
        g: &crate::ir::Graph,
        id: NodeId,
        cap: usize,
        memo: &mut HashMap<NodeId, usize>,
    ) -> usize {
        if let Some(&n) = memo.get(&id) {
            return n;
        }
        let mut n = 1usize;
        for &a in g.args(id) {
            n = n.saturating_add(go(g, a, cap, memo));
            if n > cap {
                break;
            }
        }
        let n = n.min(cap + 1);
        memo.insert(id, n);
        n
    }
    go(g, id, cap, &mut HashMap::new())
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
