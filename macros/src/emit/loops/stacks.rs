//! Gradients of whole stacks of layers (or float arrays) a loop iterates: written in
//! place into the gradient being built (sinks), or values of the stack's own type summed
//! when two loops iterate one stack.

use proc_macro2::TokenStream;

use crate::ir::{Graph, NodeId, Op};

/// Where a loop's backward run writes the gradients of a stack's elements: a place in
/// the gradient being built (`grad_struct0.layers`), and whether another loop over the
/// same stack writes there too (then it adds instead of assigning).
#[derive(Clone)]
pub struct Sink {
    pub place: TokenStream,
    pub shared: bool,
}

/// The sink of each collection of the loop `id` of `g`, from the emitter's `sinks` (by
/// input index).
pub fn sinks_of(
    g: &Graph,
    live: &[bool],
    id: NodeId,
    sinks: &[(usize, TokenStream)],
) -> Vec<Option<Sink>> {
    let Op::Loop(k) = g.op(id) else {
        return Vec::new();
    };
    let body = &g.loops[*k as usize];
    let first = body.collection_operand(0);
    g.args(id)[first..]
        .iter()
        .map(|&operand| {
            let Op::Input(input) = g.op(operand) else {
                return None;
            };
            let place = sinks.iter().find(|(k, _)| *k == *input as usize)?.1.clone();
            // Live loops run backwards that iterate the same stack.
            let runs = g
                .ids()
                .filter(|b| live[b.index()] && matches!(g.op(*b), Op::LoopBack(_)))
                .filter(|b| g.args(*b)[1 + body.carried_count()..].contains(&operand))
                .count();
            Some(Sink {
                place,
                shared: runs > 1,
            })
        })
        .collect()
}

/// Whether `LoopPart` node `id` is a stack's gradient written in place (its value `()`):
/// the gradient of a stack the loop iterates, when the stack is a sink.
pub fn in_sink(g: &Graph, id: NodeId, sinks: &[(usize, TokenStream)]) -> bool {
    let Op::LoopPart(j) = g.op(id) else {
        return false;
    };
    let the_loop = g.args(g.args(id)[0])[0];
    let Op::Loop(k) = g.op(the_loop) else {
        return false;
    };
    *j as usize >= g.loops[*k as usize].collection_operand(0)
        && sink_of_operand(g, id, sinks).is_some()
}

/// Where the gradient of the stack that `LoopPart` node `id` gives the adjoint of is
/// built, if that stack is a sink: a stack the loop iterates (written in place by its
/// backward run) or one a loop inside its body iterates (a capture: its sum is added in).
pub fn sink_of_operand<'s>(
    g: &Graph,
    id: NodeId,
    sinks: &'s [(usize, TokenStream)],
) -> Option<&'s TokenStream> {
    let Op::LoopPart(j) = g.op(id) else {
        return None;
    };
    let the_loop = g.args(g.args(id)[0])[0];
    let operand = g.args(the_loop)[*j as usize];
    let Op::Input(k) = g.op(operand) else {
        return None;
    };
    sinks
        .iter()
        .find(|(s, _)| *s == *k as usize)
        .map(|(_, place)| place)
}

/// Whether a stack-valued node (see [`stack_mask`]) is only gradients written in place:
/// a `LoopPart` [`in_sink`], or a sum of such.
pub fn unit_stack(g: &Graph, id: NodeId, sinks: &[(usize, TokenStream)]) -> bool {
    match g.op(id) {
        Op::LoopPart(_) => sink_of_operand(g, id, sinks).is_some(),
        Op::Add => g.args(id).iter().all(|&a| unit_stack(g, a, sinks)),
        _ => false,
    }
}

/// Gradients of a whole stack of layers or float array (from loops over it), and their
/// sums when two loops iterate the same stack: `Parameters` values, not arrays.
pub fn stack_mask(g: &Graph) -> Vec<bool> {
    let mut stacks = vec![false; g.len()];
    for id in g.ids() {
        stacks[id.index()] = match g.op(id) {
            Op::LoopPart(j) => {
                let the_loop = g.args(g.args(id)[0])[0];
                match g.op(the_loop) {
                    Op::Loop(k) => {
                        let body = &g.loops[*k as usize];
                        let j = *j as usize;
                        j >= body.collection_operand(0)
                            || (j >= body.capture_operand(0)
                                && body.captures_stack(j - body.capture_operand(0)))
                    }
                    _ => false,
                }
            }
            Op::Add => g.args(id).iter().all(|a| stacks[a.index()]),
            _ => false,
        };
    }
    stacks
}
