//! Whether a value is a float or an array, where the graph alone says so: a reduction
//! (`mean`, `sum`, a loss) is a float, an elementwise op with an array operand, a
//! `softmax` or a matrix's product is an array. The macro does not type bodies (rustc
//! does, on the emitted code); this is for the few mistakes it should name itself first
//! (a float returned as an array, a float accumulator a loop makes an array). A loop's
//! carried value is its start's kind. Where the kind depends on what the graph cannot
//! see (a struct field, `dot` of two vectors, a call), it is `Unknown` and nothing is
//! said.

use crate::ir::function::Param;
use crate::ir::graph::{Graph, NodeId};
use crate::ir::ops::{Class, Op};
use crate::types::Kind;

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Shape {
    Float,
    Array,
    Unknown,
}

impl Shape {
    /// "a float", "an array"; `None` when unknown.
    pub fn described(self) -> Option<&'static str> {
        match self {
            Shape::Float => Some("a float"),
            Shape::Array => Some("an array"),
            Shape::Unknown => None,
        }
    }
}

/// Every node's shape; `leaf(input, shapes so far)` gives an input's, and `rank(input)`
/// the number of axes of an argument whose type says it (the product of a matrix is an
/// array, of two vectors a float).
pub fn infer(
    g: &Graph,
    leaf: impl Fn(NodeId, &[Shape]) -> Shape,
    rank: impl Fn(NodeId) -> Option<usize>,
) -> Vec<Shape> {
    let mut out: Vec<Shape> = Vec::with_capacity(g.len());
    for id in g.ids() {
        let shape = step(g, id, &out, &leaf, &rank);
        out.push(shape);
    }
    out
}

/// The shape of one node, as [`infer`] gives it, visiting only the nodes it is computed
/// from (each once): for checks while a body is being lowered.
pub fn of(
    g: &Graph,
    id: NodeId,
    leaf: impl Fn(NodeId) -> Shape,
    rank: impl Fn(NodeId) -> Option<usize>,
) -> Shape {
    // Operands come before the nodes that read them, so the reachable nodes in order of
    // their ids are an evaluation order.
    let mut reachable = vec![false; id.index() + 1];
    let mut stack = vec![id];
    reachable[id.index()] = true;
    while let Some(n) = stack.pop() {
        for a in g.args(n) {
            if !reachable[a.index()] {
                reachable[a.index()] = true;
                stack.push(*a);
            }
        }
    }
    let mut out = vec![Shape::Unknown; id.index() + 1];
    for n in g.ids().take(id.index() + 1) {
        if reachable[n.index()] {
            out[n.index()] = step(g, n, &out, &|n, _| leaf(n), &rank);
        }
    }
    out[id.index()]
}

/// Node `id`'s shape from its operands' in `known`.
fn step(
    g: &Graph,
    id: NodeId,
    known: &[Shape],
    leaf: &impl Fn(NodeId, &[Shape]) -> Shape,
    rank: &impl Fn(NodeId) -> Option<usize>,
) -> Shape {
    let args: Vec<Shape> = g.args(id).iter().map(|a| known[a.index()]).collect();
    match g.op(id) {
        Op::Const(_) => Shape::Float,
        Op::Named(k) if g.consts[*k as usize].float => Shape::Float,
        Op::Input(_) => leaf(id, known),
        // A matrix's product is an array; two vectors' is a float.
        Op::Dot if g.args(id).iter().any(|a| rank(*a).is_some_and(|r| r >= 2)) => Shape::Array,
        Op::Dot if g.args(id).iter().all(|a| rank(*a) == Some(1)) => Shape::Float,
        Op::Dot => Shape::Unknown,
        Op::IfElse => match (args[1], args[2]) {
            (a, b) if a == b => a,
            _ => Shape::Unknown,
        },
        Op::Guard => args[1],
        // A carried value keeps its start's kind (lowering checks it); a loop carrying
        // one value is that value, several are read apart by `LoopOut`.
        Op::Loop(k) if !g.loops[*k as usize].is_multi() => args[0],
        Op::LoopOut(j) => {
            let the_loop = g.args(id)[0];
            match g.op(the_loop) {
                Op::Loop(k) if (*j as usize) < g.loops[*k as usize].carried_count() => {
                    known[g.args(the_loop)[*j as usize].index()]
                }
                _ => Shape::Unknown,
            }
        }
        op => match op.spec().class {
            Class::Reduction | Class::Loss => Shape::Float,
            Class::Array => Shape::Array,
            Class::Elementwise if args.contains(&Shape::Array) => Shape::Array,
            Class::Elementwise if args.iter().all(|a| *a == Shape::Float) => Shape::Float,
            _ => Shape::Unknown,
        },
    }
}

/// A float or array argument's shape; a struct's fields and anything else are unknown.
pub fn argument(params: &[Param], id: NodeId) -> Shape {
    match params.iter().find(|p| p.input == Some(id)) {
        Some(p) if p.kind == Kind::Float => Shape::Float,
        Some(p) if matches!(p.kind, Kind::Array { .. }) => Shape::Array,
        _ => Shape::Unknown,
    }
}

/// The number of axes of argument `id`, where its type gives it (`Array2<f64>`).
pub fn argument_rank(params: &[Param], id: NodeId) -> Option<usize> {
    params
        .iter()
        .find(|p| p.input == Some(id))
        .and_then(|p| crate::types::array_rank(&p.ty))
}

/// Every array node's number of axes where the graph alone says it: an input's from
/// `rank(input, ranks so far)` (an argument's type; a loop's carried value, its start's),
/// a matrix product's from its operands', an elementwise op's the most of its array
/// operands' (broadcasting), an op along an axis one fewer or one more. `None` for
/// floats and wherever it depends on more (a slice, a field, a call).
pub fn ranks(
    g: &Graph,
    shapes: &[Shape],
    rank: impl Fn(NodeId, &[Option<usize>]) -> Option<usize>,
) -> Vec<Option<usize>> {
    let mut out: Vec<Option<usize>> = Vec::with_capacity(g.len());
    for id in g.ids() {
        let args: Vec<Option<usize>> = g.args(id).iter().map(|a| out[a.index()]).collect();
        let first = args.first().copied().flatten();
        let r = match g.op(id) {
            _ if shapes[id.index()] != Shape::Array => None,
            Op::Input(_) => rank(id, &out),
            Op::Dot => match (first, args.get(1).copied().flatten()) {
                (Some(2), Some(2)) => Some(2),
                (Some(2), Some(1)) | (Some(1), Some(2)) => Some(1),
                _ => None,
            },
            Op::Transpose | Op::Softmax | Op::LogSoftmax | Op::Select(_) => first,
            Op::SumAxis(_)
            | Op::MeanAxis(_)
            | Op::MaxAxis(_)
            | Op::MinAxis(_)
            | Op::IndexAxis(_) => first.and_then(|r| r.checked_sub(1)),
            Op::InsertAxis(_) => first.map(|r| r + 1),
            Op::IfElse => match (args[1], args[2]) {
                (a, b) if a == b => a,
                _ => None,
            },
            Op::Guard => args[1],
            op if op.spec().class == Class::Elementwise => {
                // Every array operand's rank known: the broadcast result has the most.
                let arrays = g
                    .args(id)
                    .iter()
                    .filter(|a| shapes[a.index()] != Shape::Float);
                arrays
                    .map(|a| out[a.index()])
                    .try_fold(0, |most, r| r.map(|r| most.max(r)))
            }
            _ => None,
        };
        out.push(r);
    }
    out
}
