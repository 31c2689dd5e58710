//! Each loop differentiated once: its body's adjoints, split into what the forward run
//! computes and tapes and what the backward run computes from the tape. The result is a
//! value of the IR ([`LoopDerivative`]) stored on the graph beside the loop, for the
//! emitters and the derivation text to read; loops inside a loop's halves (inlined
//! helpers that loop) are derived the same way, once per body and wanted set.

use std::collections::HashMap;
use std::rc::Rc;

use crate::ir::graph::depends_on;
use crate::ir::loops::{LoopBody, LoopDerivative, extract, wanted_parts};
use crate::ir::{Graph, NodeId, Op};
use crate::reverse::vjps;
use crate::simplify::Builder;

/// Derives every loop `g` runs backwards, and the loops inside their halves.
pub fn derive_loops(g: &mut Graph) {
    derive_in(g, &mut HashMap::new());
}

type Cache = HashMap<(usize, Vec<bool>), Rc<LoopDerivative>>;

fn derive_in(g: &mut Graph, cache: &mut Cache) {
    for id in g.ids() {
        let Op::Loop(k) = *g.op(id) else { continue };
        let Some(wanted) = wanted_parts(g, id) else {
            continue;
        };
        let body = Rc::clone(&g.loops[k as usize]);
        let key = (Rc::as_ptr(&body) as usize, wanted);
        let d = match cache.get(&key) {
            Some(d) => Rc::clone(d),
            None => {
                let mut d = derive(&body, &key.1);
                derive_in(&mut d.graph, cache);
                derive_in(&mut d.back, cache);
                let d = Rc::new(d);
                cache.insert(key, Rc::clone(&d));
                d
            }
        };
        g.derivatives.insert(id, d);
    }
}

fn derive(body: &LoopBody, wanted: &[bool]) -> LoopDerivative {
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
    let live = crate::ir::emitted::live(&graph, &roots);
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
        if needed[id.index()] && !back_set[id.index()] && !op.is_leaf() && op.spec().recompute {
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
    LoopDerivative {
        wanted: wanted.to_vec(),
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
