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
