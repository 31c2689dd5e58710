//! Graph → Graphviz DOT of the forward computation as the user wrote it: arguments as
//! boxes (the ones differentiated filled), operations as ellipses labelled with their
//! `let` name, the result as a double circle.

use std::fmt::Write;

use crate::ir::{Graph, NodeId, Op};

pub fn dot(g: &Graph, fn_name: &str, output: NodeId, wrt: &[NodeId]) -> String {
    let live = g.live(&[output]);
    let mut s = String::new();
    let _ = writeln!(s, "digraph {fn_name} {{");
    s.push_str("  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for id in g.ids().filter(|id| live[id.index()]) {
        let label = label(g, id, output);
        let style = match g.op(id) {
            Op::Input(_) if wrt.contains(&id) => "shape=box, style=filled, fillcolor=\"#fde68a\"",
            Op::Input(_) => "shape=box",
            Op::Const(_) | Op::Named(_) => "shape=plaintext",
            _ if id == output => "shape=doublecircle",
            _ => "shape=ellipse",
        };
        let _ = writeln!(s, "  n{} [label=\"{}\", {style}];", id.0, escape(&label));
    }
    for id in g.ids().filter(|id| live[id.index()]) {
        for a in g.args(id) {
            let _ = writeln!(s, "  n{} -> n{};", a.0, id.0);
        }
    }
    s.push('}');
    s
}

/// How a node is labelled in pictures of the graph: an argument by its name, a constant
/// by its value or text, an operation as `name = op` (`L = op` for the result).
pub fn label(g: &Graph, id: NodeId, output: NodeId) -> String {
    let op = g.op(id);
    match op {
        Op::Input(_) => g.name(id).unwrap_or("?").to_string(),
        Op::Const(_) => format!("{}", op.const_value().unwrap_or(f64::NAN)),
        Op::Named(i) => g.consts[*i as usize].text.clone(),
        _ => {
            let head = op_label(op);
            match (id == output, g.name(id)) {
                (true, _) => format!("L = {head}"),
                (false, Some(n)) => format!("{n} = {head}"),
                (false, None) => head,
            }
        }
    }
}

fn op_label(op: &Op) -> String {
    match op {
        Op::Powi(n) => format!("powi {n}"),
        Op::Neg => "-x".to_string(),
        other => other.name().to_string(),
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
