//! Forward mode: each node's tangent (its derivative along a direction) built beside its
//! value, for `hvp` through loops. The gradient of a loop is a forward run with a tape
//! and a backward run over it; differentiating that pair again in reverse would need the
//! backward run reversed. Instead `H v = ∇(∇f · v)` is taken as the gradient of the
//! directional derivative `ḟ = Df(w)[v]`: a loop's tangent is the same loop carrying each
//! value's tangent beside it (`h` and `ḣ`), an ordinary loop with more carried values,
//! which the reverse sweep then differentiates like any other.
//!
//! A scalar (or elementwise) op's tangent is its partials (the op table's local
//! derivatives) times its operands' tangents. An array op's is its vector-Jacobian
//! product transposed: that product is linear in the cotangent, so its adjoint in the
//! cotangent (the backward ops' own derivatives, the table `hvp` uses) applied to the
//! operand's tangent is the Jacobian times it; no second table of rules.

use std::rc::Rc;

use proc_macro2::Span;

use crate::ir::graph::depends_on;
use crate::ir::loops::{Element, LoopBody};
use crate::ir::ops::{Class, Vjp};
use crate::ir::{Graph, NodeId, Op};
use crate::reverse::vjp;
use crate::simplify::Builder;

/// Each node of a source graph in the graph being built: its value, and its tangent
/// (`None` where it is 0: the node does not depend on the direction).
pub struct Copied {
    pub value: Vec<Option<NodeId>>,
    pub tangent: Vec<Option<NodeId>>,
}

/// Gives an input of the source graph its value and its tangent in the graph being built.
pub type InputTangents<'a> = dyn FnMut(&mut Builder, NodeId) -> (NodeId, Option<NodeId>) + 'a;

/// Copies the nodes of `src` that `roots` need into `b`, each with its tangent. `input`
/// gives each input of `src` its value and tangent in `b`. `None` when a node on the way
/// has no tangent rule (a hand-written derivative).
pub fn copy_with_tangents(
    src: &Graph,
    b: &mut Builder,
    roots: &[NodeId],
    input: &mut InputTangents,
    tensor: bool,
) -> Option<Copied> {
    let live = src.live(roots);
    let mut value: Vec<Option<NodeId>> = vec![None; src.len()];
    let mut tangent: Vec<Option<NodeId>> = vec![None; src.len()];
    // The loops replaced by loops carrying tangents, whose values `LoopOut` reads apart.
    let mut tangent_loops = vec![false; src.len()];
    for id in src.ids().filter(|id| live[id.index()]) {
        let n = src.node(id);
        let span = n.span;
        match &n.op {
            Op::Input(_) => {
                let (v, t) = input(b, id);
                value[id.index()] = Some(v);
                tangent[id.index()] = t;
                continue;
            }
            // A loop nothing it reads moves along the direction is copied as it is.
            Op::Loop(_) if n.args.iter().all(|a| tangent[a.index()].is_none()) => {}
            Op::Loop(k) => {
                let body = Rc::clone(&src.loops[*k as usize]);
                let operands: Vec<NodeId> = n
                    .args
                    .iter()
                    .map(|a| value[a.index()])
                    .collect::<Option<_>>()?;
                let tangents: Vec<Option<NodeId>> =
                    n.args.iter().map(|a| tangent[a.index()]).collect();
                let (new_loop, single) = tangent_loop(&body, b, &operands, &tangents, span)?;
                tangent_loops[id.index()] = true;
                // A loop carrying one value is that value; the new one carries two.
                if single {
                    value[id.index()] = Some(b.node(Op::LoopOut(0), vec![new_loop], span));
                    tangent[id.index()] = Some(b.node(Op::LoopOut(1), vec![new_loop], span));
                } else {
                    value[id.index()] = Some(new_loop);
                }
                continue;
            }
            Op::LoopOut(j) if tangent_loops[n.args[0].index()] => {
                let the_loop = n.args[0];
                let Op::Loop(k) = src.op(the_loop) else {
                    return None;
                };
                let body = &src.loops[*k as usize];
                let (carried, pushed) = (body.carried_count() as u32, body.pushes.len() as u32);
                // The new loop's values: the carried values, their tangents, the pushed
                // `Vec`s, theirs.
                let (at, dot) = match *j < carried {
                    true => (*j, carried + *j),
                    false => (carried + *j, carried + pushed + *j),
                };
                let new_loop = value[the_loop.index()]?;
                value[id.index()] = Some(b.node(Op::LoopOut(at), vec![new_loop], span));
                tangent[id.index()] = Some(b.node(Op::LoopOut(dot), vec![new_loop], span));
                continue;
            }
            _ => {}
        }
        let args: Vec<NodeId> = n
            .args
            .iter()
            .map(|a| value[a.index()])
            .collect::<Option<_>>()?;
        let v = b.copy(n.op.clone(), args, span);
        value[id.index()] = Some(v);
        let dots: Vec<Option<NodeId>> = n.args.iter().map(|a| tangent[a.index()]).collect();
        if dots.iter().all(Option::is_none) {
            continue;
        }
        tangent[id.index()] = tangent_of(b, v, &n.op, &dots, span, tensor)?;
    }
    Some(Copied { value, tangent })
}

/// The tangent of `v = op(args)` from its operands' tangents `dots`: `Some(None)` where
/// it is 0, `None` where the op has no rule.
fn tangent_of(
    b: &mut Builder,
    v: NodeId,
    op: &Op,
    dots: &[Option<NodeId>],
    span: Span,
    tensor: bool,
) -> Option<Option<NodeId>> {
    let zero = b.constant(0.0);
    // The arm taken, as the value: the other arm's tangent may be NaN where its value is.
    if *op == Op::IfElse {
        let (a, c) = (dots[1].unwrap_or(zero), dots[2].unwrap_or(zero));
        let cond = b.graph().args(v)[0];
        return Some(Some(b.node(Op::IfElse, vec![cond, a, c], span)));
    }
    if matches!(op, Op::Custom(_) | Op::LoopBack(_) | Op::LoopPart(_)) {
        return None;
    }
    let spec = op.spec();
    // A `Vec` of steps stacked or joined: linear in it, so its tangent is the tangents'.
    if tensor && matches!(op, Op::StackSeq(_) | Op::ConcatenateSeq(_)) {
        return Some(Some(b.node(op.clone(), vec![dots[0]?], span)));
    }
    if tensor && spec.class != Class::Elementwise {
        if !spec.has_derivative() {
            return None;
        }
        return Some(transposed(b, v, dots, span));
    }
    if matches!(spec.vjp, Vjp::None) {
        return None;
    }
    let one = b.constant(1.0);
    let mut sum: Option<NodeId> = None;
    for (k, dot) in dots.iter().enumerate() {
        let Some(dot) = *dot else { continue };
        let partial = vjp(b, v, k, one, false);
        if b.graph().const_value(partial) == Some(0.0) {
            continue;
        }
        let term = b.node(Op::Mul, vec![partial, dot], span);
        sum = Some(plus(b, sum, term, span));
    }
    // An operand broadcast against one without a tangent (`x.dot(w) + b`, only `b`
    // moving): the tangent takes the value's shape, as zeros of it added.
    if tensor && dots.len() > 1 && dots.iter().any(Option::is_none) {
        sum = sum.map(|s| {
            let like = b.like(v, span);
            b.node(Op::Add, vec![s, like], span)
        });
    }
    Some(sum)
}

/// An array op's tangent by transposing its vector-Jacobian products: each is linear in
/// the cotangent `g`, so its adjoint in `g` (the backward ops' own derivatives, the same
/// table `hvp` uses) applied to the operand's tangent is the op's Jacobian times it.
/// `g` stands in as a fresh input; what is left of it after the sweep is its shape,
/// which is the value's.
fn transposed(b: &mut Builder, v: NodeId, dots: &[Option<NodeId>], span: Span) -> Option<NodeId> {
    let mut sum: Option<NodeId> = None;
    for (k, dot) in dots.iter().enumerate() {
        let Some(dot) = *dot else { continue };
        let g = b.input("ġ");
        let pulled = vjp(b, v, k, g, true);
        if b.graph().const_value(pulled) == Some(0.0) {
            continue;
        }
        let first = crate::reverse::vjps_of_parts(b, &[(pulled, dot)], &[g], true)[0];
        if b.graph().const_value(first) == Some(0.0) {
            continue;
        }
        let term = substitute(b, first, g, v);
        sum = Some(plus(b, sum, term, span));
    }
    sum
}

/// `sum + term`, or `term` alone as the first of a sum.
fn plus(b: &mut Builder, sum: Option<NodeId>, term: NodeId, span: Span) -> NodeId {
    match sum {
        None => term,
        Some(s) => b.node(Op::Add, vec![s, term], span),
    }
}

/// `root` with `from` replaced by `to`, a value of the same shape. The adjoint of a map
/// linear in `from` does not depend on `from`'s value: what the sweep leaves of it is
/// its shape (`sum_to(c, like g)`), which `to` has too.
fn substitute(b: &mut Builder, root: NodeId, from: NodeId, to: NodeId) -> NodeId {
    let depends = depends_on(b.graph(), &[from]);
    if !depends[root.index()] {
        return root;
    }
    let live = b.graph().live(&[root]);
    let mut map = std::collections::HashMap::new();
    map.insert(from, to);
    for id in (from.0 + 1..=root.0).map(NodeId) {
        if !(depends[id.index()] && live[id.index()]) {
            continue;
        }
        let n = b.graph().node(id);
        let (op, span) = (n.op.clone(), n.span);
        let args = n.args.iter().map(|a| *map.get(a).unwrap_or(a)).collect();
        let copied = b.node(op, args, span);
        map.insert(id, copied);
    }
    map[&root]
}

/// The loop `body` over `operands` run with tangents: a loop carrying each value and then
/// each value's tangent, reading each capture and collection that has a tangent beside
/// it. Returns the new `Loop` node and whether `body` carried one value alone.
fn tangent_loop(
    body: &LoopBody,
    b: &mut Builder,
    operands: &[NodeId],
    tangents: &[Option<NodeId>],
    span: Span,
) -> Option<(NodeId, bool)> {
    let (k, caps) = (body.carried_count(), body.captures.len());
    let mut nb = Builder::new(Graph::with_leaves_of(&body.graph), body.rewrites);
    // The body's inputs keep their places; the tangents' come after them.
    let carry_dots: Vec<NodeId> = (body.carried.iter())
        .map(|c| nb.input(&format!("{c}·")))
        .collect();
    let capture_dots: Vec<Option<NodeId>> = (0..caps)
        .map(|c| tangents[body.capture_operand(c)].map(|_| nb.input(&format!("capture{c}·"))))
        .collect();
    // Tangent collections, numbered after the body's own.
    let mut collection_dot = vec![None; body.collections.len()];
    let mut next = body.collections.len();
    for (c, slot) in collection_dot.iter_mut().enumerate() {
        if tangents[body.collection_operand(c)].is_some() {
            *slot = Some(next);
            next += 1;
        }
    }
    let mut element_dots: Vec<Option<NodeId>> = Vec::new();
    for (e, element) in body.elements.iter().enumerate() {
        element_dots
            .push(collection_dot[element.collection].map(|_| nb.input(&format!("element{e}·"))));
    }
    let carries = body.carries.clone();
    let captures = body.captures.clone();
    let elements: Vec<NodeId> = body.elements.iter().map(|e| e.input).collect();
    let mut input = |nb: &mut Builder, id: NodeId| -> (NodeId, Option<NodeId>) {
        let n = body.graph.node(id);
        let v = nb.copy(n.op.clone(), Vec::new(), n.span);
        let t = if let Some(j) = carries.iter().position(|&c| c == id) {
            Some(carry_dots[j])
        } else if let Some(c) = captures.iter().position(|&c| c == id) {
            capture_dots[c]
        } else if let Some(e) = elements.iter().position(|&e| e == id) {
            element_dots[e]
        } else {
            None
        };
        (v, t)
    };
    let mut roots = body.outputs.clone();
    roots.extend(&body.pushes);
    let copied = copy_with_tangents(&body.graph, &mut nb, &roots, &mut input, body.tensor)?;
    let value = |id: NodeId| copied.value[id.index()];
    // Each carried and pushed value, then each one's tangent (zeros where it has none).
    let mut outputs: Vec<NodeId> = body
        .outputs
        .iter()
        .map(|&o| value(o))
        .collect::<Option<_>>()?;
    let mut pushes: Vec<NodeId> = body
        .pushes
        .iter()
        .map(|&p| value(p))
        .collect::<Option<_>>()?;
    for (list, of) in [(&mut outputs, &body.outputs), (&mut pushes, &body.pushes)] {
        for &o in of.iter() {
            let dot = match copied.tangent[o.index()] {
                Some(t) => t,
                None => zeros_of(&mut nb, value(o)?, body.tensor),
            };
            list.push(dot);
        }
    }
    // Inputs no output reads are not copied: their own nodes stand for them.
    let input_node = |nb: &mut Builder, id: NodeId| {
        value(id)
            .unwrap_or_else(|| nb.copy(body.graph.op(id).clone(), Vec::new(), Span::call_site()))
    };
    let mut new_carries: Vec<NodeId> = carries.iter().map(|&c| input_node(&mut nb, c)).collect();
    new_carries.extend(&carry_dots);
    let mut new_captures: Vec<NodeId> = captures.iter().map(|&c| input_node(&mut nb, c)).collect();
    new_captures.extend(capture_dots.iter().flatten());
    let mut new_elements: Vec<Element> = body
        .elements
        .iter()
        .map(|e| Element {
            input: input_node(&mut nb, e.input),
            ..e.clone()
        })
        .collect();
    for (e, dot) in body.elements.iter().zip(&element_dots) {
        if let (Some(input), Some(collection)) = (dot, collection_dot[e.collection]) {
            new_elements.push(Element {
                input: *input,
                collection,
                path: e.path.clone(),
            });
        }
    }
    let mut collections = body.collections.clone();
    let mut collection_names = body.collection_names.clone();
    for (c, dot) in collection_dot.iter().enumerate() {
        if dot.is_some() {
            collections.push(body.collections[c].clone());
            collection_names.push(format!("{}·", body.collection_names[c]));
        }
    }
    let mut carried = body.carried.clone();
    carried.extend(body.carried.iter().map(|c| format!("{c}·")));
    let mut pushed = body.pushed.clone();
    pushed.extend(body.pushed.iter().map(|c| format!("{c}·")));
    let new_body = LoopBody {
        graph: nb.into_graph(),
        outputs,
        carries: new_carries,
        pushes,
        pushed,
        captures: new_captures,
        elements: new_elements,
        collections,
        range: body.range.clone(),
        source: body.source.clone(),
        collection_names,
        carried,
        index: body.index.clone(),
        rewrites: body.rewrites,
        tensor: body.tensor,
    };
    // Operands in the body's order: the starts and their tangents, the captures and
    // theirs, the collections and theirs.
    let mut args: Vec<NodeId> = operands[..k].to_vec();
    for (j, t) in tangents[..k].iter().enumerate() {
        let dot = match t {
            Some(t) => *t,
            None => zeros_of(b, operands[j], body.tensor),
        };
        args.push(dot);
    }
    args.extend(&operands[k..k + caps]);
    args.extend(tangents[k..k + caps].iter().flatten());
    args.extend(&operands[k + caps..]);
    args.extend(tangents[k + caps..].iter().flatten());
    let index = b.add_loop(new_body);
    Some((b.node(Op::Loop(index), args, span), !body.is_multi()))
}

/// A tangent of 0 for `x`: the float 0 in scalar code, zeros of `x`'s shape in array
/// code (a carried array's tangent must be an array from the first iteration on).
fn zeros_of(b: &mut Builder, x: NodeId, tensor: bool) -> NodeId {
    let zero = b.constant(0.0);
    if !tensor {
        return zero;
    }
    let like = b.like(x, Span::call_site());
    b.node(Op::BroadcastTo, vec![zero, like], Span::call_site())
}
