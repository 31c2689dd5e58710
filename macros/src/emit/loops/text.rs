//! A loop's part of `DERIVATION` and `EXPLAIN`: its body's lines once, the iteration as
//! an index.

use crate::ir::loops::Role;
use crate::ir::{Graph, NodeId, Op};

/// The derivation of every loop whose backward run computes part of `roots`: the
/// cotangent entering it, then its body's lines once, with the iteration as an index:
///
/// ```text
/// δh[end] = ((p - y) / n) · p.out.w^T
/// for l in &p.layers, last to first:
///   δh[i-1] = (δh[i] * (1 - h[i]^2)) · p.layers[i].w^T
///   dL/dp.layers[i].w = h[i-1]^T · (δh[i] * (1 - h[i]^2))
/// ```
pub fn derivation(g: &Graph, roots: &[NodeId]) -> Vec<String> {
    let live = g.live(roots);
    let names = std::collections::HashMap::new();
    let printer = crate::ir::print::Printer {
        g,
        names: &names,
        normalize: true,
        cache: Default::default(),
    };
    let mut lines = Vec::new();
    for back in g.ids().filter(|b| live[b.index()]) {
        let Op::LoopBack(k) = g.op(back) else {
            continue;
        };
        let body = &g.loops[*k as usize];
        let the_loop = g.args(back)[0];
        let d = g.derivative(the_loop);
        for (j, carried) in body.carried.iter().enumerate() {
            let seed = g.args(back)[1 + j];
            if body.is_multi() && g.const_value(seed) == Some(0.0) {
                continue;
            }
            lines.push(format!("δ{carried}[end] = {}", printer.print(seed).0));
        }
        lines.push(format!("for {}, last to first:", body.source));
        let mut heads = Vec::new();
        let mut grads = Vec::new();
        for (p, input) in body.inputs().into_iter().enumerate() {
            let Some(grad) = d.grads[p] else { continue };
            let name = body.input_name(input);
            heads.push(match body.role(p) {
                Role::Carry(_) => format!("δ{name}"),
                Role::Capture(_) => format!("δ{name}[{}]", body.index),
                Role::Element(_) => format!("dL/d{name}"),
            });
            grads.push(grad);
        }
        let text = crate::emit::derivation::derivation_of(&d.graph, &heads, &grads).text();
        lines.extend(text.lines().map(|l| format!("  {l}")));
    }
    lines
}
