//! A loop body's derivative, split into what the forward run computes and tapes and what
//! the backward run computes from the tape.

use crate::ir::loops::{LoopBody, extract};
use crate::ir::{Graph, NodeId, Op};
use crate::reverse::{depends_on, vjps};
use crate::simplify::Builder;

/// The body's graph with its adjoints, and how its forward and backward halves divide.
pub(super) struct Derivative {
    pub(super) graph: Graph,
    pub(super) output: NodeId,
    /// Per `LoopBody::inputs` position: the input's adjoint, when it is wanted.
    pub(super) grads: Vec<Option<NodeId>>,
    /// Forward values the backward reads, stored per iteration.
    pub(super) residuals: Vec<NodeId>,
    /// The backward reads the carried value before the iteration / after it.
    pub(super) needs_carry: bool,
    pub(super) needs_output: bool,
    /// The backward half as a graph of its own: the body's inputs, then the seed's and the
    /// residuals' stand-ins (`residual_inputs`, `output_input`).
    pub(super) back: Graph,
    pub(super) back_grads: Vec<Option<NodeId>>,
    pub(super) seed: NodeId,
    pub(super) residual_inputs: Vec<NodeId>,
    pub(super) output_input: Option<NodeId>,
}

/// Ops recomputed by the backward half rather than stored by the forward one. An inner
/// loop (a helper's, inlined) is rerun with its tape there rather than storing its tape
/// in this loop's: its activations are kept one outer iteration at a time.
fn recomputed(op: &Op) -> bool {
    matches!(
        op,
        Op::Add
            | Op::Sub
            | Op::Mul
            | Op::Neg
            | Op::Powi(_)
            | Op::GreaterEq
            | Op::LessEq
            | Op::Transpose
            | Op::Loop(_)
    )
}

pub(super) fn derive(body: &LoopBody, wanted: &[bool]) -> Derivative {
    let (mut b, map) = Builder::rebuild(&body.graph, body.rewrites);
    let output = map[body.output.index()];
    let inputs: Vec<NodeId> = body.inputs().iter().map(|i| map[i.index()]).collect();
    let seed = b.input(&format!("δ{}[{}]", body.carried, body.index));
    // The carried value's adjoint threads the iterations: always wanted.
    let positions: Vec<usize> = (0..inputs.len())
        .filter(|&p| p == 0 || wanted[body.operand_of(p)])
        .collect();
    let wrt: Vec<NodeId> = positions.iter().map(|&p| inputs[p]).collect();
    let adjoints = vjps(&mut b, output, seed, &wrt, body.tensor);
    let graph = b.into_graph();
    let mut grads = vec![None; inputs.len()];
    for (&p, &a) in positions.iter().zip(&adjoints) {
        grads[p] = Some(a);
    }

    // The backward half: what depends on the seed, and the cheap values it reads.
    let roots: Vec<NodeId> = grads.iter().flatten().copied().collect();
    let dep = depends_on(&graph, &[seed]);
    let live = crate::emit::scalar::live(&graph, &roots);
    let mut back_set: Vec<bool> = graph
        .ids()
        .map(|id| dep[id.index()] && live[id.index()] && !graph.op(id).is_leaf())
        .collect();
    let mut needed = vec![false; graph.len()];
    for r in &roots {
        needed[r.index()] = true;
    }
    for id in graph.ids().rev() {
        let op = graph.op(id);
        if needed[id.index()] && !back_set[id.index()] && !op.is_leaf() && recomputed(op) {
            back_set[id.index()] = true;
        }
        // The graph's own operands: the copy keeps `1 - x^2` whole, for the emitter to
        // evaluate in its better form there.
        if back_set[id.index()] {
            for &a in graph.args(id) {
                needed[a.index()] = true;
            }
        }
    }
    let carry = inputs[0];
    let needs_carry = needed[carry.index()];
    let frontier: Vec<NodeId> = graph
        .ids()
        .filter(|id| needed[id.index()] && !back_set[id.index()] && !graph.op(*id).is_leaf())
        .collect();
    let needs_output = frontier.contains(&output);
    let residuals: Vec<NodeId> = frontier.iter().copied().filter(|r| *r != output).collect();

    let mut back = Graph::with_leaves_of(&graph);
    let mut residual_inputs = vec![None; graph.len()];
    let mut output_input = None;
    let map = extract(
        &graph,
        &mut back,
        &roots,
        &back_set,
        true,
        vec![None; graph.len()],
        |dst, outer| {
            let name = graph.name(outer).unwrap_or("r").to_string();
            let id = dst.input(&name, graph.node(outer).span);
            if outer == output {
                output_input = Some(id);
            } else {
                residual_inputs[outer.index()] = Some(id);
            }
            id
        },
    );
    let back_grads = grads
        .iter()
        .map(|g| g.map(|g| map[g.index()].expect("every adjoint is copied")))
        .collect();
    let residual_inputs: Vec<NodeId> = residuals
        .iter()
        .map(|r| residual_inputs[r.index()].expect("every residual is read"))
        .collect();
    Derivative {
        graph,
        output,
        grads,
        residuals,
        needs_carry: needs_carry || needs_output,
        needs_output,
        back,
        back_grads,
        seed,
        residual_inputs,
        output_input,
    }
}

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
