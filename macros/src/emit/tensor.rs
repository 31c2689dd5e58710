//! Graph → Rust statements for ndarray code. Three decisions make it fast:
//!
//! - **Fusion.** A chain of elementwise nodes whose intermediate values nothing else needs
//!   becomes one `t::mapN(a, b, |a, b| ...)` call: one pass over memory, with `tanh`,
//!   `exp` and `sigmoid` in their vectorisable forms. Scalars (arguments, constants,
//!   reductions) are captured by the closure instead of being passed as operands.
//! - **In place.** A value's last use takes it by value, so a map can write its result
//!   into that buffer (`tanh(x.dot(w) + b)` is one matmul and one pass, no new array).
//!   Values a transpose view borrows are never moved.
//! - **Shapes, not values.** `sum_to` needs only the shape of a broadcast operand; that
//!   shape is taken right after the operand is computed (`ShapeOf`), so the operand itself
//!   can still be consumed in place.

use std::collections::{BTreeSet, HashMap};

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::emit::expr::{Kernels, elementwise, emitted_args, helper_call, local};
use crate::emit::scalar::{leaf, live, local_names};
use crate::ir::function::Lowered;
use crate::ir::{Graph, NodeId, Op};
use crate::types::Kind;

/// The most operands one fused map takes (the runtime has `map1` ..= `map4`).
const MAX_MAP_OPERANDS: usize = 4;

pub fn statements(
    g: &Graph,
    lowered: &Lowered,
    roots: &[NodeId],
) -> (TokenStream, Vec<TokenStream>) {
    let live = live(g, roots);
    let scalar = scalar_mask_of(g, lowered);
    let stacks = super::loops::stack_mask(g);
    let plan = Plan::new(g, &live, &scalar, &stacks, roots);
    let names = local_names(g, &live);
    let e = Emitter {
        g,
        lowered,
        scalar: &scalar,
        stacks: &stacks,
        names: &names,
        plan: &plan,
    };
    let mut stmts = TokenStream::new();
    for (pos, &id) in plan.order.iter().enumerate() {
        let ident = names[id.index()].as_ref().expect("statements are named");
        if let Some(s) = e.loop_statement(id, pos, ident, &live) {
            stmts.extend(s);
            continue;
        }
        let value = e.statement(id, pos);
        stmts.extend(quote!(let #ident = #value;));
    }
    let exprs = roots
        .iter()
        .map(|&r| match &names[r.index()] {
            Some(ident) => quote!(#ident),
            None => leaf(g, lowered, r),
        })
        .collect();
    (stmts, exprs)
}

/// Nodes known to be floats: float arguments, constants, reductions, elementwise nodes
/// of floats, and loops carrying a float. Everything else may be an array (a struct
/// field's type is unknown).
pub fn scalar_mask_of(g: &Graph, lowered: &Lowered) -> Vec<bool> {
    let mut scalar = vec![false; g.len()];
    for id in g.ids() {
        let op = g.op(id);
        scalar[id.index()] = match op {
            Op::Input(i) => {
                let name = &g.inputs[*i as usize].name;
                lowered.usage.scalar_inputs.contains(&(*i as usize))
                    || lowered
                        .params
                        .iter()
                        .any(|p| p.ident == name.as_str() && p.kind == Kind::Float)
            }
            // A loop carrying several values is their tuple, read apart by `LoopOut`.
            Op::Loop(k) => !g.loops[*k as usize].is_multi() && scalar[g.args(id)[0].index()],
            // A carried value is what its start is; a pushed `Vec` is not a float.
            Op::LoopOut(j) => {
                let the_loop = g.args(id)[0];
                let carried = match g.op(the_loop) {
                    Op::Loop(k) => g.loops[*k as usize].carried_count(),
                    _ => 0,
                };
                (*j as usize) < carried && scalar[g.args(the_loop)[*j as usize].index()]
            }
            Op::LoopPart(j) => {
                let the_loop = g.args(g.args(id)[0])[0];
                scalar[g.args(the_loop)[*j as usize].index()]
            }
            Op::Const(_) | Op::Named(_) => true,
            // A gradient summed to, or spread over, the shape of a float is one.
            Op::SumTo | Op::BroadcastTo => {
                let like = g.args(id)[1];
                match g.op(like) {
                    Op::ShapeOf => scalar[g.args(like)[0].index()],
                    _ => scalar[like.index()],
                }
            }
            _ if op.is_reduction() => true,
            _ if op.is_elementwise() => g.args(id).iter().all(|a| scalar[a.index()]),
            _ => false,
        };
    }
    scalar
}

/// Whether residual `r` of a loop's tape, an input of its backward run, reads as a float
/// there: a float, or the shape of one (a `Shape` of no axes, which is `Copy`, and which
/// makes the gradient summed to it a float). Knowing the shape's kind, the backward run
/// computes with that float as a float, by value, rather than through an array helper.
pub fn residual_is_float(g: &Graph, scalar: &[bool], r: NodeId) -> bool {
    match g.op(r) {
        Op::ShapeOf => scalar[g.args(r)[0].index()],
        _ => scalar[r.index()],
    }
}

/// What is emitted where: which elementwise nodes fold into their user's closure, the
/// statement order, and each operand's last use.
struct Plan {
    inlined: Vec<bool>,
    /// For a fused statement: its array operands, in closure-parameter order.
    frontier: HashMap<NodeId, Vec<NodeId>>,
    order: Vec<NodeId>,
    /// Position in `order` of the last statement reading each node (`usize::MAX` for
    /// roots, which the return expression reads last).
    last_use: Vec<usize>,
    /// Nodes a transpose view borrows: never moved.
    borrowed: Vec<bool>,
}

impl Plan {
    fn new(g: &Graph, live: &[bool], scalar: &[bool], stacks: &[bool], roots: &[NodeId]) -> Plan {
        let fusible =
            |id: NodeId| g.op(id).is_elementwise() && !scalar[id.index()] && !stacks[id.index()];
        let mut inlined = inlined(g, live, roots, &fusible);
        let front = frontiers(g, live, scalar, &mut inlined, &fusible);
        let order = order(g, live, &inlined);
        let frontier: HashMap<NodeId, Vec<NodeId>> = order
            .iter()
            .filter(|id| fusible(**id))
            .map(|&id| (id, front[id.index()].iter().copied().collect()))
            .collect();
        let (last_use, borrowed) = last_uses(g, &order, &frontier, roots);
        Plan {
            inlined,
            frontier,
            order,
            last_use,
            borrowed,
        }
    }
}

/// The fusible nodes read once, by a fusible node, and not a root: folded into their
/// user's closure.
fn inlined(
    g: &Graph,
    live: &[bool],
    roots: &[NodeId],
    fusible: &impl Fn(NodeId) -> bool,
) -> Vec<bool> {
    let n = g.len();
    let is_root = |id: NodeId| roots.contains(&id);
    let mut uses = vec![0usize; n];
    let mut user: Vec<Option<NodeId>> = vec![None; n];
    for id in g
        .ids()
        .filter(|id| live[id.index()] && !g.op(*id).is_leaf())
    {
        for a in emitted_args(g, id) {
            uses[a.index()] += 1;
            user[a.index()] = Some(id);
        }
    }
    let mut inlined: Vec<bool> = g
        .ids()
        .map(|id| {
            live[id.index()]
                && fusible(id)
                && uses[id.index()] == 1
                && !is_root(id)
                && user[id.index()].is_some_and(fusible)
        })
        .collect();
    bound_depth(g, &mut inlined);
    inlined
}

/// The deepest chain of elementwise nodes one fused closure nests.
const MAX_FUSED_DEPTH: u32 = 32;

/// A long chain of elementwise `let`s would fuse into one expression nested as deep as
/// the chain, and rustc's parser overflows its stack somewhere past a few hundred levels:
/// every `MAX_FUSED_DEPTH` links, the chain becomes a statement of its own.
fn bound_depth(g: &Graph, inlined: &mut [bool]) {
    let mut depth = vec![0u32; g.len()];
    for id in g.ids() {
        let below = emitted_args(g, id)
            .into_iter()
            .filter(|a| inlined[a.index()])
            .map(|a| depth[a.index()])
            .max()
            .unwrap_or(0);
        let d = below + 1;
        if inlined[id.index()] && d >= MAX_FUSED_DEPTH {
            inlined[id.index()] = false;
        } else {
            depth[id.index()] = d;
        }
    }
}

/// Array operands reached through inlined nodes; un-inline until each fits a map.
fn frontiers(
    g: &Graph,
    live: &[bool],
    scalar: &[bool],
    inlined: &mut [bool],
    fusible: &impl Fn(NodeId) -> bool,
) -> Vec<BTreeSet<NodeId>> {
    let mut front: Vec<BTreeSet<NodeId>> = vec![BTreeSet::new(); g.len()];
    for id in g.ids().filter(|id| live[id.index()] && fusible(*id)) {
        loop {
            let mut f = BTreeSet::new();
            for a in emitted_args(g, id) {
                if inlined[a.index()] {
                    f.extend(front[a.index()].iter().copied());
                } else if !scalar[a.index()] {
                    f.insert(a);
                }
            }
            if f.len() <= MAX_MAP_OPERANDS {
                front[id.index()] = f;
                break;
            }
            let widest = emitted_args(g, id)
                .into_iter()
                .filter(|a| inlined[a.index()])
                .max_by_key(|a| front[a.index()].len())
                .expect("too many operands without inlined children is impossible: at most two direct operands");
            // The child becomes a statement of its own and an operand of this map;
            // its own frontier (the operands of its statement) stays as computed.
            inlined[widest.index()] = false;
        }
    }
    front
}

/// The statements in graph order, each followed by the live shape records of its value.
fn order(g: &Graph, live: &[bool], inlined: &[bool]) -> Vec<NodeId> {
    let mut shapes: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for s in g
        .ids()
        .filter(|s| live[s.index()] && *g.op(*s) == Op::ShapeOf)
    {
        shapes.entry(g.args(s)[0]).or_default().push(s);
    }
    let mut order = Vec::new();
    for id in g.ids() {
        if !live[id.index()]
            || g.op(id).is_leaf()
            || inlined[id.index()]
            || *g.op(id) == Op::ShapeOf
        {
            continue;
        }
        order.push(id);
        // A shape is recorded as soon as its value exists.
        order.extend(shapes.get(&id).into_iter().flatten());
    }
    order
}

/// Each node's last use in `order` (roots are read last, by the return expression), and
/// the nodes a transpose view borrows.
fn last_uses(
    g: &Graph,
    order: &[NodeId],
    frontier: &HashMap<NodeId, Vec<NodeId>>,
    roots: &[NodeId],
) -> (Vec<usize>, Vec<bool>) {
    let n = g.len();
    let mut last_use = vec![0usize; n];
    let mut borrowed = vec![false; n];
    for (pos, &id) in order.iter().enumerate() {
        let reads: Vec<NodeId> = match frontier.get(&id) {
            Some(f) => f.clone(),
            None => emitted_args(g, id),
        };
        for a in reads {
            last_use[a.index()] = pos;
            if *g.op(id) == Op::Transpose {
                borrowed[a.index()] = true;
            }
        }
    }
    for r in roots {
        last_use[r.index()] = usize::MAX;
    }
    (last_use, borrowed)
}

struct Emitter<'a> {
    g: &'a Graph,
    lowered: &'a Lowered,
    scalar: &'a [bool],
    stacks: &'a [bool],
    names: &'a [Option<Ident>],
    plan: &'a Plan,
}

impl Emitter<'_> {
    /// A loop, its backward run or a part of that, if `id` is one: `let`s of their own.
    fn loop_statement(
        &self,
        id: NodeId,
        pos: usize,
        ident: &Ident,
        live: &[bool],
    ) -> Option<TokenStream> {
        let args = self.g.args(id);
        let reads = super::loops::Reads {
            names: self.names,
            stacks: self.stacks,
            scalar: &|x| self.scalar[x.index()],
            borrowed: &|x| self.borrowed(x),
            operand: &|x| self.operand(x, pos, args),
        };
        super::loops::statement(self.g, self.lowered, id, ident, live, &reads)
    }

    /// A read of `x` that leaves it in place: a float by value, an array by reference.
    fn borrowed(&self, x: NodeId) -> TokenStream {
        match &self.names[x.index()] {
            Some(ident) if self.scalar[x.index()] => quote!(#ident),
            Some(ident) => quote!(&#ident),
            None => leaf(self.g, self.lowered, x),
        }
    }

    fn statement(&self, id: NodeId, pos: usize) -> TokenStream {
        let g = self.g;
        if let Some(front) = self.plan.frontier.get(&id) {
            return self.fused(id, front, pos);
        }
        let args = emitted_args(g, id);
        if self.scalar[id.index()] && g.op(id).is_elementwise() {
            let a: Vec<TokenStream> = args.iter().map(|&x| self.value(x)).collect();
            return elementwise(g, id, &a, self.lowered, Kernels::Exact);
        }
        let a: Vec<TokenStream> = args.iter().map(|&x| self.operand(x, pos, &args)).collect();
        helper_call(g, id, &a)
    }

    /// One `mapN` call computing `id` and every node inlined into it.
    fn fused(&self, id: NodeId, front: &[NodeId], pos: usize) -> TokenStream {
        let params: Vec<Ident> = (0..front.len()).map(|i| local(&format!("e{i}"))).collect();
        let body = self.closure_expr(id, front, &params);
        let operands: Vec<TokenStream> =
            front.iter().map(|&x| self.operand(x, pos, front)).collect();
        let map = quote::format_ident!("map{}", front.len());
        quote!(::cadena::__private::t::#map(#(#operands,)* |#(#params),*| #body))
    }

    fn closure_expr(&self, id: NodeId, front: &[NodeId], params: &[Ident]) -> TokenStream {
        let a: Vec<TokenStream> = emitted_args(self.g, id)
            .into_iter()
            .map(|x| {
                if let Some(i) = front.iter().position(|f| *f == x) {
                    let p = &params[i];
                    quote!(#p)
                } else if self.plan.inlined[x.index()] {
                    let inner = self.closure_expr(x, front, params);
                    quote!((#inner))
                } else {
                    self.value(x)
                }
            })
            .collect();
        elementwise(self.g, id, &a, self.lowered, Kernels::Fast)
    }

    /// A float value (captured by closures, passed by copy).
    fn value(&self, x: NodeId) -> TokenStream {
        match &self.names[x.index()] {
            Some(ident) => quote!(#ident),
            None => leaf(self.g, self.lowered, x),
        }
    }

    /// An operand of a helper call at statement `pos`: moved on its last use (so the
    /// helper may reuse its buffer), borrowed otherwise.
    fn operand(&self, x: NodeId, pos: usize, siblings: &[NodeId]) -> TokenStream {
        let Some(ident) = &self.names[x.index()] else {
            return leaf(self.g, self.lowered, x);
        };
        if self.scalar[x.index()] || self.movable(x, pos, siblings) {
            quote!(#ident)
        } else {
            quote!(&#ident)
        }
    }

    /// Whether statement `pos` may consume local `x`: its last reader, reading it once,
    /// with no transpose view borrowing it.
    fn movable(&self, x: NodeId, pos: usize, siblings: &[NodeId]) -> bool {
        let once = siblings.iter().filter(|s| **s == x).count() == 1;
        self.names[x.index()].is_some()
            && !self.scalar[x.index()]
            && self.plan.last_use[x.index()] == pos
            && once
            && !self.plan.borrowed[x.index()]
    }
}
