//! The Hessian times a direction. The gradient the macro derived is itself a graph, so
//! the second derivative is the same reverse sweep run again, on
//! `s = Σ dL/dw_i · v_i` (`Σ sum(dL/dw_i * v_i)` for arrays): `d s / d w = H v`. Every
//! scalar op's derivative is in the op table, including those of the ops the first sweep
//! creates (`step`, `sign`, `ge`: 0). In tensor code so are those of the backward ops
//! (products, broadcasts, reductions, slices, gathers and concatenations, convolutions,
//! pools, softmaxes, the losses).
//!
//! A loop's gradient is a forward run with a tape and a backward run over it, which
//! would have to be reversed in turn; a function with loops takes the other order
//! instead: `H v` is the gradient of the directional derivative `Df(w)[v]`, built in
//! forward mode (see [`tangents`](crate::reverse::tangents)), its loops carrying their
//! values' tangents, then swept in reverse like any function. A gradient built from an
//! op without a rule (a hand-written derivative) has no `hvp` rather than a wrong one.

use proc_macro2::Span;

use crate::ir::derived::Hvp;
use crate::ir::{Graph, NodeId, Op, Rewrites};
use crate::reverse::gradients;
use crate::reverse::tangents::copy_with_tangents;
use crate::simplify::Builder;

/// `None` for a hand-written derivative (first derivatives only), or tensor code whose
/// gradient uses a backward op without a derivative of its own.
pub fn hvp(
    graph: &Graph,
    output: NodeId,
    wrt: &[NodeId],
    grads: &[NodeId],
    rewrites: Rewrites,
    tensor: bool,
) -> Option<Hvp> {
    let custom = graph.ids().any(|id| matches!(graph.op(id), Op::Custom(_)));
    if wrt.is_empty() || custom {
        return None;
    }
    if !graph.loops.is_empty() {
        return through_loops(graph, output, wrt, rewrites, tensor);
    }
    if tensor && first_without_derivative(graph, wrt, grads).is_some() {
        return None;
    }
    let mut b = Builder::new(graph.clone(), rewrites);
    let mut directions = Vec::new();
    let mut s = None;
    for (&w, &g) in wrt.iter().zip(grads) {
        let (name, index) = direction_of(b.graph(), w)?;
        let vi = b.input(&format!("v.{name}"));
        directions.push((name, index));
        let mut term = b.node(Op::Mul, vec![g, vi], Span::call_site());
        if tensor {
            term = b.node(Op::Sum, vec![term], Span::call_site());
        }
        s = Some(match s {
            None => term,
            Some(acc) => b.node(Op::Add, vec![acc, term], Span::call_site()),
        });
    }
    let hv = gradients(&mut b, s?, wrt, tensor);
    Some(Hvp {
        graph: b.into_graph(),
        directions,
        hv,
    })
}

/// The name and input index of differentiated input `w`, for its direction `v.name`:
/// an argument, a field of a struct argument by its path of names, an element read by
/// a literal index (`c[0]`, `p.layers[1].w`).
fn direction_of(g: &Graph, w: NodeId) -> Option<(String, usize)> {
    let Op::Input(i) = g.op(w) else { return None };
    let name = g.inputs[*i as usize].name.clone();
    let place = |part: &str| {
        let (field, indices) = part.split_once('[').unwrap_or((part, ""));
        syn::parse_str::<syn::Ident>(field).is_ok()
            && (indices.is_empty()
                || indices.split('[').all(|x| {
                    x.strip_suffix(']')
                        .is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
                }))
    };
    name.split('.').all(place).then_some((name, *i as usize))
}

/// `H v` of a function with loops, as the gradient of its directional derivative
/// (see [`tangents`](crate::reverse::tangents)): the loops carry their values' tangents,
/// and the reverse sweep differentiates those loops like any other.
fn through_loops(
    graph: &Graph,
    output: NodeId,
    wrt: &[NodeId],
    rewrites: Rewrites,
    tensor: bool,
) -> Option<Hvp> {
    let mut b = Builder::new(Graph::with_leaves_of(graph), rewrites);
    let mut directions = Vec::new();
    let mut dots = Vec::new();
    for &w in wrt {
        let (name, index) = direction_of(graph, w)?;
        dots.push((w, b.input(&format!("v.{name}"))));
        directions.push((name, index));
    }
    let mut input = |b: &mut Builder, id: NodeId| {
        let value = b.copy(graph.op(id).clone(), Vec::new(), graph.node(id).span);
        (value, dots.iter().find(|(w, _)| *w == id).map(|(_, v)| *v))
    };
    let copied = copy_with_tangents(graph, &mut b, &[output], &mut input, tensor)?;
    let along = copied.tangent[output.index()]?;
    if lacks_derivative(b.graph(), &[along]).is_some() {
        return None;
    }
    let wrt: Vec<NodeId> = wrt
        .iter()
        .map(|&w| match copied.value[w.index()] {
            Some(v) => v,
            None => b.copy(graph.op(w).clone(), Vec::new(), Span::call_site()),
        })
        .collect();
    let hv = gradients(&mut b, along, &wrt, tensor);
    let mut graph = b.into_graph();
    crate::reverse::loops::derive_loops(&mut graph);
    Some(Hvp {
        graph,
        directions,
        hv,
    })
}

/// A node the reverse sweep over `roots` will meet, at the top or in a loop's body,
/// without a derivative: the tangent graph is differentiated once, and an op without a
/// rule there would pass a silent 0.
fn lacks_derivative(graph: &Graph, roots: &[NodeId]) -> Option<NodeId> {
    let live = graph.live(roots);
    graph.ids().filter(|id| live[id.index()]).find(|&id| {
        let op = graph.op(id);
        match op {
            Op::Loop(k) => {
                let body = &graph.loops[*k as usize];
                let mut inner = body.outputs.clone();
                inner.extend(&body.pushes);
                lacks_derivative(&body.graph, &inner).is_some()
            }
            Op::LoopOut(_) | Op::ShapeOf => false,
            _ => !op.is_leaf() && !op.spec().has_derivative(),
        }
    })
}

/// The first node between the arguments and their gradients without a tensor derivative
/// (a leaf, a rule of its own, or an elementwise op's scalar rule): `None` when every one
/// can be differentiated again.
fn first_without_derivative(graph: &Graph, wrt: &[NodeId], grads: &[NodeId]) -> Option<NodeId> {
    let depends = crate::ir::graph::depends_on(graph, wrt);
    let live = graph.live(grads);
    graph.ids().find(|&id| {
        let op = graph.op(id);
        let spec = op.spec();
        // A shape does not change with the values: its derivative is truly 0.
        depends[id.index()]
            && live[id.index()]
            && !op.is_leaf()
            && !matches!(op, Op::ShapeOf)
            && !spec.has_derivative()
    })
}

/// Why a tensor function has no `hvp`, in the words of its body: the operation whose
/// gradient the macro cannot differentiate again (`logsumexp`, a loop), and where it is
/// in the body when the graph knows.
pub fn unavailable_because(
    graph: &Graph,
    wrt: &[NodeId],
    grads: &[NodeId],
) -> (String, Option<Span>) {
    if graph.ids().any(|id| matches!(graph.op(id), Op::Custom(_))) {
        return (
            "a function with a hand-written derivative".to_string(),
            None,
        );
    }
    let Some(id) = first_without_derivative(graph, wrt, grads) else {
        return (
            "an argument that is not a float, an array or a struct field".to_string(),
            None,
        );
    };
    let name = graph.op(id).spec().name;
    let forward = match name {
        "extremum_axis_vjp" => "max_axis`/`min_axis",
        "concatenate_part" | "unconcatenate_seq" => "concatenate",
        "unstack_seq" => "stack",
        "cross_entropy_vjp_p" => "cross_entropy",
        "bce_vjp_a" => "bce",
        "bce_logits_vjp" => "bce_logits",
        other => other.strip_suffix("_vjp").unwrap_or(other),
    };
    (format!("`{forward}`"), Some(graph.node(id).span))
}
