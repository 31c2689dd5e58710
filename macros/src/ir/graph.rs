//! The IR: a flat arena of nodes, operands before users, hash-consed on insertion so that
//! equal subexpressions are one node (common-subexpression elimination for free).
//!
//! The arena only interns, looks up and walks; it knows nothing of rewriting.
//! [`simplify::Builder`](crate::simplify::Builder) applies the rewrite table as it adds
//! nodes. The forward graph the user wrote, its simplified rebuild and the adjoint nodes
//! of the reverse sweep all live in arenas of this one type.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};

pub use crate::ir::ops::Op;

/// Index of a node in its graph's arena.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One node: an op, its operands (all earlier in the arena) and where the user wrote it.
#[derive(Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub args: Vec<NodeId>,
    pub span: Span,
}

/// A function argument (or struct field) the graph reads.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
}

/// A constant from scope, kept as the tokens the user wrote.
#[derive(Clone, Debug)]
pub struct NamedConst {
    pub text: String,
    pub tokens: TokenStream,
    /// A constant from scope read as a float of the function's type (`PI`, `f64::MAX`),
    /// not an integer operand of an op (a stride, a slice) or another opaque leaf.
    pub float: bool,
}

/// A call of a function with a hand-written derivative: opaque to the macro, which
/// calls `path(args)` for its value and `path::derivative(args)` for its partials.
#[derive(Clone, Debug)]
pub struct CustomFn {
    /// The function's name, for derivations (`swish'(x)`).
    pub name: String,
    /// The path as written at the call; the function's module `path::` is beside it.
    pub path: TokenStream,
    pub arity: usize,
}

/// The arena.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    interned: HashMap<(Op, Vec<NodeId>), NodeId>,
    /// A display name per node: an argument's or a `let` binding's.
    names: Vec<Option<String>>,
    pub inputs: Vec<Input>,
    pub consts: Vec<NamedConst>,
    pub customs: Vec<CustomFn>,
    /// The bodies of `for` loops, each a graph of its own (see [`crate::ir::loops`]).
    pub loops: Vec<std::rc::Rc<crate::ir::loops::LoopBody>>,
    /// Each `Loop` node run backwards here: its derivative, from the reverse stage.
    pub derivatives: HashMap<NodeId, std::rc::Rc<crate::ir::loops::LoopDerivative>>,
}

impl Graph {
    /// The node `op(args)` if it exists (without creating it).
    pub fn find(&self, op: Op, args: Vec<NodeId>) -> Option<NodeId> {
        self.interned.get(&(op, args)).copied()
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn ids(&self) -> impl DoubleEndedIterator<Item = NodeId> + use<> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn op(&self, id: NodeId) -> &Op {
        &self.nodes[id.index()].op
    }

    pub fn args(&self, id: NodeId) -> &[NodeId] {
        &self.nodes[id.index()].args
    }

    pub fn name(&self, id: NodeId) -> Option<&str> {
        self.names[id.index()].as_deref()
    }

    /// Whether an argument or a `let` binding is called `name`.
    pub fn has_name(&self, name: &str) -> bool {
        self.inputs.iter().any(|i| i.name == name) || self.names.iter().flatten().any(|n| n == name)
    }

    /// Names a node unless it already has a name: the first binding of a value is the
    /// one a reader of the derivation knows it by.
    pub fn set_name(&mut self, id: NodeId, name: &str) {
        let slot = &mut self.names[id.index()];
        if slot.is_none() {
            *slot = Some(name.to_string());
        }
    }

    /// The derivative of loop `the_loop`, which the reverse stage stored.
    ///
    /// # Panics
    /// If the reverse stage did not derive it: every loop run backwards is derived.
    pub fn derivative(&self, the_loop: NodeId) -> &crate::ir::loops::LoopDerivative {
        self.derivatives
            .get(&the_loop)
            .expect("the reverse stage derives every loop run backwards")
    }

    pub fn const_value(&self, id: NodeId) -> Option<f64> {
        self.op(id).const_value()
    }

    /// A new input called `name`.
    pub fn input(&mut self, name: &str, span: Span) -> NodeId {
        let index = self.inputs.len() as u32;
        self.inputs.push(Input {
            name: name.to_string(),
        });
        let id = self.intern(Op::Input(index), Vec::new(), span);
        self.set_name(id, name);
        id
    }

    /// The constant `text` from scope, one node however often it is read.
    pub fn named_const(&mut self, text: String, tokens: TokenStream, span: Span) -> NodeId {
        self.named(text, tokens, span, false)
    }

    /// A constant from scope read as a float of the function's type.
    pub fn float_const(&mut self, text: String, tokens: TokenStream, span: Span) -> NodeId {
        self.named(text, tokens, span, true)
    }

    fn named(&mut self, text: String, tokens: TokenStream, span: Span, float: bool) -> NodeId {
        // The same text may stand for other tokens: `t + 1` of a loop's index and of an
        // argument `t` outside the loop.
        let same = |c: &NamedConst| {
            c.text == text && c.tokens.to_string() == tokens.to_string() && c.float == float
        };
        let index = match self.consts.iter().position(same) {
            Some(i) => i as u32,
            None => {
                self.consts.push(NamedConst {
                    text,
                    tokens,
                    float,
                });
                (self.consts.len() - 1) as u32
            }
        };
        self.intern(Op::Named(index), Vec::new(), span)
    }

    /// The index of the custom function called `name`, registered on first use.
    pub fn custom(&mut self, name: &str, path: TokenStream, arity: usize) -> u32 {
        let text = path.to_string();
        if let Some(i) = self.customs.iter().position(|c| c.path.to_string() == text) {
            return i as u32;
        }
        self.customs.push(CustomFn {
            name: name.to_string(),
            path,
            arity,
        });
        (self.customs.len() - 1) as u32
    }

    pub fn constant(&mut self, v: f64) -> NodeId {
        self.intern(Op::constant(v), Vec::new(), Span::call_site())
    }

    /// The value of a call waiting for its callee's body ([`Op::Pending`]).
    pub fn pending(&mut self) -> NodeId {
        self.intern(Op::Pending, Vec::new(), Span::call_site())
    }

    /// Interns a node exactly as given: the only place the arena grows.
    pub fn intern(&mut self, op: Op, args: Vec<NodeId>, span: Span) -> NodeId {
        debug_assert!(
            args.iter().all(|a| a.index() < self.nodes.len()),
            "operands must precede their users"
        );
        let key = (op, args);
        if let Some(&id) = self.interned.get(&key) {
            return id;
        }
        let id = NodeId(self.nodes.len() as u32);
        let (op, args) = key.clone();
        self.nodes.push(Node { op, args, span });
        self.names.push(None);
        self.interned.insert(key, id);
        id
    }

    /// The nodes `roots` depend on, as a mask over the arena.
    pub fn live(&self, roots: &[NodeId]) -> Vec<bool> {
        self.live_through(roots, |id| self.args(id).to_vec())
    }

    /// Like [`live`](Self::live), following the operands `reads(id)` reports instead of
    /// the graph's own (the emitter reads `1 - x^2` through `x` alone).
    pub fn live_through(
        &self,
        roots: &[NodeId],
        reads: impl Fn(NodeId) -> Vec<NodeId>,
    ) -> Vec<bool> {
        let mut live = vec![false; self.len()];
        for r in roots {
            live[r.index()] = true;
        }
        for id in self.ids().rev() {
            if live[id.index()] {
                for a in reads(id) {
                    live[a.index()] = true;
                }
            }
        }
        live
    }

    /// An empty arena with the same inputs and constants: what a rebuild starts from.
    pub fn with_leaves_of(src: &Graph) -> Graph {
        Graph {
            inputs: src.inputs.clone(),
            consts: src.consts.clone(),
            customs: src.customs.clone(),
            loops: src.loops.clone(),
            ..Graph::default()
        }
    }
}

/// Marks every node that depends on at least one of `sources`.
pub fn depends_on(g: &Graph, sources: &[NodeId]) -> Vec<bool> {
    let mut mask = vec![false; g.len()];
    for s in sources {
        mask[s.index()] = true;
    }
    for id in g.ids() {
        if g.args(id).iter().any(|a| mask[a.index()]) {
            mask[id.index()] = true;
        }
    }
    mask
}
