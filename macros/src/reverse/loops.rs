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
use crate::reverse::vjps_of_parts;
use crate::simplify::Builder;

/// Derives every loop `g` runs backwards, and the loops inside their halves.
pub fn derive_loops(g: &mut Graph) {
    derive_in(g, &mut HashMap::new());
}

/// By body, wanted operands and pushed `Vec`s read after the loop.
type Cache = HashMap<(usize, Vec<bool>, Vec<bool>), Rc<LoopDerivative>>;

fn derive_in(g: &mut Graph, cache: &mut Cache) {
    for id in g.ids() {
        let Op::Loop(k) = *g.op(id) else { continue };
        let Some(wanted) = wanted_parts(g, id) else {
            continue;
        };
        let body = Rc::clone(&g.loops[k as usize]);
        let live_pushes = live_pushes(g, id, &body);
        let key = (Rc::as_ptr(&body) as usize, wanted, live_pushes);
        let d = match cache.get(&key) {
            Some(d) => Rc::clone(d),
            None => {
                let mut d = derive(&body, &key.1, &key.2);
                derive_in(&mut d.graph, cache);
                derive_in(&mut d.back, cache);
                keep_storable(&mut d);
                let d = Rc::new(d);
                cache.insert(key, Rc::clone(&d));
                d
            }
        };
        g.derivatives.insert(id, d);
    }
}

/// Keeps, of the inner loops `d.stored` lists, those whose tapes can be stored (see
/// [`LoopDerivative::stored`]): known once the inner loops of both halves are derived.
fn keep_storable(d: &mut LoopDerivative) {
    let (graph, back) = (&d.graph, &d.back);
    d.stored.retain(|&(fwd, copy)| {
        let multi = matches!(graph.op(fwd), Op::Loop(k) if graph.loops[*k as usize].is_multi());
        let same = match (graph.derivatives.get(&fwd), back.derivatives.get(&copy)) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            _ => false,
        };
        multi && same
    });
}

/// Whether anything after loop `the_loop` reads each `Vec` it pushes onto: its
/// cotangent (a `LoopBack` operand) is not the constant 0.
fn live_pushes(g: &Graph, the_loop: NodeId, body: &LoopBody) -> Vec<bool> {
    let back = g
        .ids()
        .find(|b| matches!(g.op(*b), Op::LoopBack(_)) && g.args(*b)[0] == the_loop);
    let k = body.carried_count();
    (0..body.pushes.len())
        .map(|p| back.is_some_and(|b| g.const_value(g.args(b)[1 + k + p]) != Some(0.0)))
        .collect()
}

fn derive(body: &LoopBody, wanted: &[bool], live_pushes: &[bool]) -> LoopDerivative {
    let (mut b, map) = Builder::rebuild(&body.graph, body.rewrites);
    let outputs: Vec<NodeId> = body.outputs.iter().map(|o| map[o.index()]).collect();
    let inputs: Vec<NodeId> = body.inputs().iter().map(|i| map[i.index()]).collect();
    let seeds: Vec<NodeId> = body
        .carried
        .iter()
        .chain(&body.pushed)
        .map(|c| b.input(&format!("δ{c}[{}]", body.index)))
        .collect();
    let pushes: Vec<NodeId> = body.pushes.iter().map(|p| map[p.index()]).collect();
    let k = body.carried_count();
    // The carried values' adjoints thread the iterations: always wanted.
    let positions: Vec<usize> = (0..inputs.len())
        .filter(|&p| p < k || wanted[body.operand_of(p)])
        .collect();
    let wrt: Vec<NodeId> = positions.iter().map(|&p| inputs[p]).collect();
    // Each carried value after the iteration, and each pushed value something reads
    // after the loop, with its cotangent.
    let mut parts: Vec<(NodeId, NodeId)> =
        outputs.iter().copied().zip(seeds.iter().copied()).collect();
    for (p, &value) in pushes.iter().enumerate() {
        if live_pushes[p] {
            parts.push((value, seeds[k + p]));
        }
    }
    let adjoints = vjps_of_parts(&mut b, &parts, &wrt, body.tensor);
    let graph = b.into_graph();
    let mut grads = vec![None; inputs.len()];
    for (&p, &a) in positions.iter().zip(&adjoints) {
        grads[p] = Some(a);
    }

    // The backward half: what depends on the seed, and the cheap values it reads.
    let roots: Vec<NodeId> = grads.iter().flatten().copied().collect();
    let dep = depends_on(&graph, &seeds);
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
    let needs_carry: Vec<bool> = inputs[..k].iter().map(|c| needed[c.index()]).collect();
    let frontier: Vec<NodeId> = graph
        .ids()
        .filter(|id| needed[id.index()] && !back_set[id.index()] && !graph.op(*id).is_leaf())
        .collect();
    // One carried value after an iteration is the next one's before: read from there,
    // never stored twice. With several, those the backward reads are stored like any
    // other forward value.
    let single_output = (!body.is_multi()).then(|| outputs[0]);
    let needs_output = single_output.is_some_and(|o| frontier.contains(&o));
    let residuals: Vec<NodeId> = frontier
        .iter()
        .copied()
        .filter(|r| Some(*r) != single_output)
        .collect();

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
            if Some(outer) == single_output {
                output_input = Some(id);
            } else {
                residual_inputs[outer.index()] = Some(id);
            }
            id
        },
    );
    // An inner loop the backward needs (for its `LoopBack`) is copied into `back`; its
    // forward run's tape is stored rather than the loop run again.
    let stored: Vec<(NodeId, NodeId)> = graph
        .ids()
        .filter(|id| {
            matches!(graph.op(*id), Op::Loop(_)) && back_set[id.index()] && !dep[id.index()]
        })
        .filter_map(|id| map[id.index()].map(|copy| (id, copy)))
        .collect();
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
        outputs,
        pushes,
        grads,
        residuals,
        needs_carry: match single_output {
            // The value after the last iteration is the loop's own, so the backward finds
            // each one after it where the next iteration's is kept.
            Some(_) => vec![needs_carry[0] || needs_output],
            None => needs_carry,
        },
        needs_output,
        back,
        back_grads,
        seeds,
        live_pushes: live_pushes.to_vec(),
        residual_inputs,
        output_input,
        stored,
    }
}
