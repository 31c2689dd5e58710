//! The reverse sweep: visit nodes from the output back to the inputs (arena order reversed
//! is a reverse topological order), seed the output's adjoint with 1, and push each
//! node's adjoint to its operands through the op table's derivatives, adding
//! contributions where a value fans out.

use std::collections::HashMap;
use std::rc::Rc;

pub use crate::ir::graph::depends_on;
use crate::ir::ops::{Class, Site, Vjp};
use crate::ir::pattern::{Bindings, Pattern};
use crate::ir::{Graph, NodeId, Op};
use crate::simplify::Builder;

thread_local! {
    static TEMPLATES: std::cell::RefCell<HashMap<&'static str, Rc<Pattern>>> =
        std::cell::RefCell::new(HashMap::new());
}

/// A derivative template, parsed once per thread.
///
/// # Panics
/// On a malformed template: the table is static, and a test instantiates all of it.
fn template(text: &'static str) -> Rc<Pattern> {
    TEMPLATES.with(|cache| {
        Rc::clone(cache.borrow_mut().entry(text).or_insert_with(|| {
            Rc::new(Pattern::parse(text).expect("derivative templates parse (checked by tests)"))
        }))
    })
}

/// `adjoint * ∂node/∂operand_k`, as a node: operand `k`'s share of `node`'s adjoint.
///
/// In tensor code an elementwise operand may have been broadcast, so its contribution is
/// summed back to its own shape (`sum_to`, free when nothing was broadcast).
pub fn vjp(b: &mut Builder, node: NodeId, k: usize, adjoint: NodeId, tensor: bool) -> NodeId {
    // A node whose adjoint is exactly 0 (a comparison's operands, an arm not taken)
    // passes nothing on: multiplied through a partial that is NaN or infinite there
    // (`log2` of a NaN, a product that overflowed), the 0 would turn into NaN.
    if b.graph().const_value(adjoint) == Some(0.0) {
        return b.constant(0.0);
    }
    let n = b.graph().node(node);
    let (op, args, span) = (n.op.clone(), n.args.clone(), n.span);
    let spec = op.spec();
    let (rule, summed) = match (tensor, spec.tensor_vjp) {
        (true, Some(rule)) => (rule, false),
        (true, None) => (spec.vjp, spec.class == Class::Elementwise && args.len() > 1),
        (false, _) => (spec.vjp, false),
    };
    let site = Site {
        node,
        args: &args,
        payload: op.payload(),
        adjoint,
        span,
    };
    let contribution = match rule {
        // Leaves have no operands, and adjoint graphs are not differentiated again.
        Vjp::None => b.constant(0.0),
        Vjp::Templates(t) => template(t[k]).build(b, &bindings(&site), site.payload, span),
        Vjp::Custom(f) => f[k](b, &site),
        Vjp::Variadic(f) => f(b, &site, k),
    };
    if summed {
        let like = b.like(args[k], span);
        b.node(Op::SumTo, vec![contribution, like], span)
    } else {
        contribution
    }
}

/// What a template's variables stand for at `site`.
fn bindings(site: &Site) -> Bindings {
    let mut b = vec![
        ("?g".to_string(), site.adjoint),
        ("?out".to_string(), site.node),
    ];
    for (name, &arg) in ["?a", "?b", "?c", "?d", "?e"].iter().zip(site.args) {
        b.push((name.to_string(), arg));
    }
    b
}

/// Adjoints of `root` (seeded with 1), as nodes added through `b`.
///
/// `wants[i]`: node `i` should receive an adjoint (it leads to something we differentiate
/// with respect to). `stop[i]`: treat node `i` as a leaf — collect its adjoint but do not
/// push it further (the root itself is always expanded).
pub fn sweep(
    b: &mut Builder,
    root: NodeId,
    wants: &[bool],
    stop: &[bool],
    tensor: bool,
) -> Vec<Option<NodeId>> {
    let one = b.constant(1.0);
    sweep_seeded(b, root, one, wants, stop, tensor)
}

/// [`sweep`] with the root's adjoint `seed` instead of 1: a vector-Jacobian product of
/// a function whose result is an array.
pub fn sweep_seeded(
    b: &mut Builder,
    root: NodeId,
    seed: NodeId,
    wants: &[bool],
    stop: &[bool],
    tensor: bool,
) -> Vec<Option<NodeId>> {
    sweep_seeds(b, &[(root, seed)], wants, stop, tensor)
}

/// The nodes whose contributions a sweep guards ([`in_branch_arms`]; none in tensor
/// code), computed once by a caller that sweeps the same graph from many roots (the
/// chain rule sweeps from every named value: recomputing it for each made a long body's
/// expansion quadratic).
pub fn guarded_nodes(g: &Graph, tensor: bool) -> Vec<bool> {
    if tensor {
        Vec::new()
    } else {
        in_branch_arms(g)
    }
}

/// [`sweep`] with the guarded nodes given ([`guarded_nodes`] of the graph the sweep
/// starts from; nodes added since are not visited from a root below them).
pub fn sweep_guarded(
    b: &mut Builder,
    root: NodeId,
    wants: &[bool],
    stop: &[bool],
    tensor: bool,
    guarded: &[bool],
) -> Vec<Option<NodeId>> {
    let one = b.constant(1.0);
    sweep_with(b, &[(root, one)], wants, stop, tensor, guarded)
}

/// The reverse sweep from several roots at once, each with its seed (a returned tuple's
/// parts and their cotangents); a root reached from another sums both.
pub fn sweep_seeds(
    b: &mut Builder,
    roots: &[(NodeId, NodeId)],
    wants: &[bool],
    stop: &[bool],
    tensor: bool,
) -> Vec<Option<NodeId>> {
    let guarded = guarded_nodes(b.graph(), tensor);
    sweep_with(b, roots, wants, stop, tensor, &guarded)
}

fn sweep_with(
    b: &mut Builder,
    roots: &[(NodeId, NodeId)],
    wants: &[bool],
    stop: &[bool],
    tensor: bool,
    guarded: &[bool],
) -> Vec<Option<NodeId>> {
    let mut adj: Vec<Option<NodeId>> = vec![None; b.graph().len()];
    let Some(top) = roots.iter().map(|(r, _)| r.0).max() else {
        return adj;
    };
    for &(root, seed) in roots {
        adj[root.index()] = Some(match adj[root.index()] {
            None => seed,
            Some(prev) => b.node(Op::Add, vec![prev, seed], b.graph().node(root).span),
        });
    }
    for id in (0..=top).rev().map(NodeId) {
        let Some(a) = adj[id.index()] else { continue };
        if !roots.iter().any(|(r, _)| *r == id) && stop[id.index()] {
            continue;
        }
        // An exact 0 (what a comparison or an integer hands back) adds nothing below, and
        // multiplied through it would make 0 · NaN = NaN where a value only decided a
        // branch (a loop's output read by a condition only, after a NaN inside it).
        if b.graph().const_value(a) == Some(0.0) {
            continue;
        }
        if let Op::LoopOut(_) = b.graph().op(id) {
            // Read by the loop's own derivative, below; the loop is visited even when only
            // this one of its values has an adjoint.
            let the_loop = b.graph().args(id)[0];
            if wants[the_loop.index()] && adj[the_loop.index()].is_none() {
                adj[the_loop.index()] = Some(a);
            }
            continue;
        }
        let loop_seeds = several_carried_seeds(b, id, &adj);
        let args = b.graph().args(id).to_vec();
        // Last operand first: in `x.dot(&w) + &b` the bias's contribution is then built
        // before the matrix's, so the shared adjoint's last use can be consumed in place.
        for (k, arg) in args.into_iter().enumerate().rev() {
            if !wants[arg.index()] {
                continue;
            }
            let mut contribution = match &loop_seeds {
                Some(seeds) => loop_part(b, id, k, seeds),
                None => vjp(b, id, k, a, tensor),
            };
            let span = b.graph().node(id).span;
            // In the arm an `if` did not take, the adjoint is an exact 0 while local
            // derivatives may be 0/0 (`w / theta` at theta = 0): 0 · NaN must stay 0.
            if loop_seeds.is_none()
                && guarded.get(id.index()).copied().unwrap_or(false)
                && !array_operand_of_loop(b.graph(), id, k)
            {
                contribution = b.node(Op::Guard, vec![a, contribution], span);
            }
            adj[arg.index()] = Some(match adj[arg.index()] {
                None => contribution,
                Some(prev) => b.node(Op::Add, vec![prev, contribution], span),
            });
        }
    }
    adj
}

/// Whether operand `k` of node `id` is a loop's collection or a stack it captures for an
/// inner loop: its adjoint is an array or a struct, which a `Guard` (on floats) cannot
/// take; the floats inside it come from the loop's own backward run.
fn array_operand_of_loop(g: &Graph, id: NodeId, k: usize) -> bool {
    let Op::Loop(index) = g.op(id) else {
        return false;
    };
    let body = &g.loops[*index as usize];
    let (carried, captures) = (body.carried_count(), body.captures.len());
    k >= carried + captures || (k >= carried && body.captures_stack(k - carried))
}

/// For a loop carrying several values, the adjoint of each after the loop (its
/// `LoopOut` node's, or 0 where nothing read it); `None` for any other node.
fn several_carried_seeds(
    b: &mut Builder,
    id: NodeId,
    adj: &[Option<NodeId>],
) -> Option<Vec<NodeId>> {
    let Op::Loop(k) = *b.graph().op(id) else {
        return None;
    };
    let body = Rc::clone(&b.graph().loops[k as usize]);
    if !body.is_multi() {
        return None;
    }
    let outs = body.outs_in(b.graph(), id);
    Some(
        outs.into_iter()
            .map(
                |o| match o.and_then(|o| adj.get(o.index()).copied().flatten()) {
                    Some(a) => a,
                    None => b.constant(0.0),
                },
            )
            .collect(),
    )
}

/// Operand `k`'s share of a loop carrying several values: one `LoopBack` reading every
/// carried value's adjoint (hash-consing shares it between operands), read apart by
/// `LoopPart`.
fn loop_part(b: &mut Builder, the_loop: NodeId, k: usize, seeds: &[NodeId]) -> NodeId {
    let (op, span) = (
        b.graph().op(the_loop).clone(),
        b.graph().node(the_loop).span,
    );
    let Op::Loop(index) = op else {
        unreachable!("seeds are a loop's")
    };
    let mut args = vec![the_loop];
    args.extend_from_slice(seeds);
    args.extend_from_slice(b.graph().args(the_loop));
    let back = b.node(Op::LoopBack(index), args, span);
    b.node(Op::LoopPart(k as u32), vec![back], span)
}

/// The nodes an `if` arm computes (operands of an `if_else`'s arms, transitively): their
/// adjoints are exact zeros where the arm is not taken.
fn in_branch_arms(g: &Graph) -> Vec<bool> {
    let mut mask = vec![false; g.len()];
    for id in g.ids().rev() {
        let args = g.args(id);
        if *g.op(id) == Op::IfElse {
            mask[args[1].index()] = true;
            mask[args[2].index()] = true;
        }
        if mask[id.index()] {
            for a in args {
                mask[a.index()] = true;
            }
        }
    }
    mask
}

/// `d output / d w` for each `w` in `wrt`; a constant 0 where the output does not depend
/// on `w`.
pub fn gradients(b: &mut Builder, output: NodeId, wrt: &[NodeId], tensor: bool) -> Vec<NodeId> {
    let one = b.constant(1.0);
    vjps(b, output, one, wrt, tensor)
}

/// `seed · d output / d w` for each `w` in `wrt`.
pub fn vjps(
    b: &mut Builder,
    output: NodeId,
    seed: NodeId,
    wrt: &[NodeId],
    tensor: bool,
) -> Vec<NodeId> {
    vjps_of_parts(b, &[(output, seed)], wrt, tensor)
}

/// `Σ seed_k · d output_k / d w` for each `w` in `wrt`: the pullback of a tuple.
pub fn vjps_of_parts(
    b: &mut Builder,
    parts: &[(NodeId, NodeId)],
    wrt: &[NodeId],
    tensor: bool,
) -> Vec<NodeId> {
    let wants = depends_on(b.graph(), wrt);
    let stop = vec![false; b.graph().len()];
    let adj = sweep_seeds(b, parts, &wants, &stop, tensor);
    wrt.iter()
        .map(|w| match adj[w.index()] {
            Some(a) => a,
            None => b.constant(0.0),
        })
        .collect()
}

pub mod chain;
pub mod hvp;
pub mod loops;
pub mod tangents;
pub mod trace;

#[cfg(test)]
mod tests;
