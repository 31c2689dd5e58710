//! `for` loops. The body of a loop is lowered like straight-line code, then cut out of
//! the function's graph into a graph of its own, a [`LoopBody`]: one iteration, from the
//! carried value before it (`h[i-1]`) and the elements it reads (`p.layers[i].w`) to the
//! carried value after it (`h[i]`). Values the body reads that do not change between
//! iterations (a shared weight, an outer `let`) become its *captures*. In the function's
//! graph the whole loop is one node, `Op::Loop`, whose derivative is the body's
//! derivative run backwards over the iterations (see `emit::loops`).
//!
//! The depth is a run-time value: nothing is unrolled, so a body is derived once however
//! many times it runs.

use proc_macro2::TokenStream;

use crate::ir::Rewrites;
use crate::ir::Step;
use crate::ir::{Graph, NodeId, Op};

/// One iteration of a loop, as a graph.
#[derive(Debug)]
pub struct LoopBody {
    pub graph: Graph,
    /// The carried values after the iteration, one per `let mut` the loop re-assigns.
    pub outputs: Vec<NodeId>,
    /// The inputs standing for the carried values before the iteration.
    pub carries: Vec<NodeId>,
    /// The values the iteration pushes onto a `Vec` declared before the loop
    /// (`outs.push(h.clone())`), one per `Vec`; after the loop each `Vec` holds one per
    /// iteration.
    pub pushes: Vec<NodeId>,
    /// The pushed `Vec`s' names, for derivations.
    pub pushed: Vec<String>,
    /// Inputs standing for loop-invariant values, in the order of the `Loop` node's
    /// operands after the carried values' starts.
    pub captures: Vec<NodeId>,
    /// Inputs read from the iterated collections.
    pub elements: Vec<Element>,
    /// What is iterated: each a `Loop` operand after the captures.
    pub collections: Vec<Collection>,
    /// The index range as generated code writes it (`0..p.layers.len()`, `(0..N).rev()`).
    pub range: TokenStream,
    /// The loop's head as the user wrote it (`l in &p.layers`, `i in (0..N).rev()`).
    pub source: String,
    /// How derivations name each collection (`p.layers`).
    pub collection_names: Vec<String>,
    /// The carried variables' names, for derivations.
    pub carried: Vec<String>,
    /// The index's name in derivations (`i`, or the loop's own index variable).
    pub index: String,
    pub rewrites: Rewrites,
    pub tensor: bool,
}

/// The body's graph with its adjoints, and how its forward and backward halves divide.
#[derive(Debug)]
pub struct LoopDerivative {
    /// The `Loop` operands whose adjoints the backward run computes.
    pub wanted: Vec<bool>,
    pub graph: Graph,
    pub outputs: Vec<NodeId>,
    /// The pushed values, in `graph`.
    pub pushes: Vec<NodeId>,
    /// Per `LoopBody::inputs` position: the input's adjoint, when it is wanted.
    pub grads: Vec<Option<NodeId>>,
    /// Forward values the backward reads, stored per iteration.
    pub residuals: Vec<NodeId>,
    /// The backward reads each carried value before the iteration.
    pub needs_carry: Vec<bool>,
    /// The backward reads the (one) carried value after the iteration; with several
    /// carried values, those the backward reads are residuals.
    pub needs_output: bool,
    /// The backward half as a graph of its own: the body's inputs, then the seeds' and the
    /// residuals' stand-ins (`residual_inputs`, `output_input`).
    pub back: Graph,
    pub back_grads: Vec<Option<NodeId>>,
    /// The carried values' cotangents after the iteration (`δh[i]`), one per carried value,
    /// then the pushed values' (`δouts[i]`).
    pub seeds: Vec<NodeId>,
    /// Whether anything after the loop reads each pushed `Vec` (a pushed value nothing
    /// reads has no cotangent, and its seed stays unread).
    pub live_pushes: Vec<bool>,
    pub residual_inputs: Vec<NodeId>,
    pub output_input: Option<NodeId>,
    /// Loops inside the body whose backward runs read their tapes: each as it is in
    /// `graph` and as `back` copies it. The forward iteration runs them with a tape and
    /// stores it beside the residuals, so the backward iteration reads the tape instead of
    /// running the inner loop's forward again (a stacked LSTM's layers, once each). Only
    /// loops carrying several values (their tapes hold owned values only, so they outlive
    /// the iteration) whose copy in `back` was derived the same way (the same tape
    /// layout); any other inner loop is run again in the backward iteration.
    pub stored: Vec<(NodeId, NodeId)>,
}

/// The `Loop` operands whose adjoints a backward run of `the_loop` computes: those a
/// `LoopPart` of one of its `LoopBack` nodes reads. `None` when the loop is not run
/// backwards in `g`.
pub fn wanted_parts(g: &Graph, the_loop: NodeId) -> Option<Vec<bool>> {
    let backs: Vec<NodeId> = g
        .ids()
        .filter(|b| matches!(g.op(*b), Op::LoopBack(_)) && g.args(*b)[0] == the_loop)
        .collect();
    if backs.is_empty() {
        return None;
    }
    let mut wanted = vec![false; g.args(the_loop).len()];
    for p in g.ids() {
        if let (Op::LoopPart(j), [back]) = (g.op(p), g.args(p))
            && backs.contains(back)
        {
            wanted[*j as usize] = true;
        }
    }
    Some(wanted)
}

/// A value one iteration reads from a collection: `p.layers[i].w` (path `.w`), `c[i]`,
/// `x.index_axis(Axis(1), i)` (path empty).
#[derive(Debug, Clone)]
pub struct Element {
    pub input: NodeId,
    pub collection: usize,
    pub path: Vec<Step>,
}

/// A collection a loop iterates, by index.
#[derive(Debug, Clone, PartialEq)]
pub enum Collection {
    /// A `Vec` or array of parameter structs (`p.layers`) or of floats (`c`): element
    /// `i` is `coll[i]`, its gradient a value of the same type.
    Indexed,
    /// The sub-arrays of an array along an axis (`x.axis_iter(Axis(1))`).
    Axis(usize),
}

impl LoopBody {
    /// How derivations name input `id` of the body (`h[i-1]`, `p.layers[i].w`).
    pub fn input_name(&self, id: NodeId) -> &str {
        match self.graph.op(id) {
            Op::Input(i) => &self.graph.inputs[*i as usize].name,
            _ => "",
        }
    }

    /// Every input of the body in `Loop`-operand order: the carried values, the captures,
    /// then the elements.
    pub fn inputs(&self) -> Vec<NodeId> {
        let mut all = self.carries.clone();
        all.extend(&self.captures);
        all.extend(self.elements.iter().map(|e| e.input));
        all
    }

    /// How many values the loop carries (the `Loop` node's first operands are their
    /// starts).
    pub fn carried_count(&self) -> usize {
        self.carries.len()
    }

    /// Whether the loop carries several values or pushes any: then the `Loop` node is
    /// their tuple (the carried values, then the pushed `Vec`s), read apart by `LoopOut`
    /// nodes; with one carried value and no push it is the value itself.
    pub fn is_multi(&self) -> bool {
        self.carries.len() != 1 || !self.pushes.is_empty()
    }

    /// The `Loop` operand (and the `inputs` position) of capture `c`.
    pub fn capture_operand(&self, c: usize) -> usize {
        self.carries.len() + c
    }

    /// The `Loop` operand of collection `c`.
    pub fn collection_operand(&self, c: usize) -> usize {
        self.carries.len() + self.captures.len() + c
    }

    /// What an `inputs` position stands for.
    pub fn role(&self, input_position: usize) -> Role {
        let (k, caps) = (self.carries.len(), self.captures.len());
        if input_position < k {
            Role::Carry(input_position)
        } else if input_position < k + caps {
            Role::Capture(input_position - k)
        } else {
            Role::Element(input_position - k - caps)
        }
    }

    /// Whether capture `c` is a stack of layers (or float array) that a loop inside the
    /// body iterates, as in a helper looping over `&p.layers` called in the body, or
    /// hands on to a loop inside it that does (loops three deep): its adjoint is a value
    /// of the stack's own type, not an array.
    pub fn captures_stack(&self, c: usize) -> bool {
        let (g, input) = (&self.graph, self.captures[c]);
        g.ids().any(|id| {
            let Op::Loop(k) = g.op(id) else { return false };
            let inner = &g.loops[*k as usize];
            let args = g.args(id);
            let iterated = args[inner.collection_operand(0)..]
                .iter()
                .zip(&inner.collections)
                .any(|(&a, kind)| a == input && *kind == Collection::Indexed);
            iterated
                || (0..inner.captures.len())
                    .any(|ic| args[inner.capture_operand(ic)] == input && inner.captures_stack(ic))
        })
    }

    /// The `Loop` operand an input stands for: the carried values' starts, then
    /// captures, then (for elements) their collection.
    pub fn operand_of(&self, input_position: usize) -> usize {
        match self.role(input_position) {
            Role::Carry(_) | Role::Capture(_) => input_position,
            Role::Element(e) => self.collection_operand(self.elements[e].collection),
        }
    }
}

/// What an input of a loop body stands for, by position in [`LoopBody::inputs`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    /// Carried value `j` before the iteration.
    Carry(usize),
    /// Loop-invariant value `c`.
    Capture(usize),
    /// Element `e` of [`LoopBody::elements`].
    Element(usize),
}

impl LoopBody {
    /// The `LoopOut` nodes of `g` reading loop `the_loop`'s carried values, by carried
    /// value (several loops share no `LoopOut`).
    pub fn outs_in(&self, g: &Graph, the_loop: NodeId) -> Vec<Option<NodeId>> {
        let mut outs = vec![None; self.carries.len() + self.pushes.len()];
        for id in g.ids() {
            if let (Op::LoopOut(j), [l]) = (g.op(id), g.args(id))
                && *l == the_loop
            {
                outs[*j as usize] = Some(id);
            }
        }
        outs
    }
}

/// Copies the nodes of `src` that `keep` marks and `roots` need into `dst`, in arena
/// order, except those `map` already places. An operand that is not kept is a leaf copied
/// as it is (constants, and inputs when `dst` shares `src`'s inputs), or else handed to
/// `boundary`, which returns the node of `dst` standing for it. Returns where each node
/// went.
pub fn extract(
    src: &Graph,
    dst: &mut Graph,
    roots: &[NodeId],
    keep: &[bool],
    same_inputs: bool,
    mut map: Vec<Option<NodeId>>,
    mut boundary: impl FnMut(&mut Graph, NodeId) -> NodeId,
) -> Vec<Option<NodeId>> {
    let live = src.live(roots);
    let mut outside = |dst: &mut Graph, map: &mut Vec<Option<NodeId>>, a: NodeId| -> NodeId {
        if let Some(m) = map[a.index()] {
            return m;
        }
        let n = src.node(a);
        let copied = match &n.op {
            Op::Const(_) | Op::Named(_) => dst.intern(n.op.clone(), Vec::new(), n.span),
            Op::Input(_) if same_inputs => dst.intern(n.op.clone(), Vec::new(), n.span),
            _ => boundary(dst, a),
        };
        map[a.index()] = Some(copied);
        copied
    };
    let premapped: Vec<bool> = map.iter().map(Option::is_some).collect();
    for id in src
        .ids()
        .filter(|id| live[id.index()] && keep[id.index()] && !premapped[id.index()])
    {
        let n = src.node(id);
        let args: Vec<NodeId> = n
            .args
            .iter()
            .map(|&a| match map[a.index()] {
                Some(m) if keep[a.index()] => m,
                _ => outside(dst, &mut map, a),
            })
            .collect();
        let copied = dst.intern(n.op.clone(), args, n.span);
        if let Some(name) = src.name(id) {
            dst.set_name(copied, name);
        }
        map[id.index()] = Some(copied);
    }
    for &r in roots {
        if !keep[r.index()] && map[r.index()].is_none() {
            outside(dst, &mut map, r);
        }
    }
    map
}
