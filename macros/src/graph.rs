//! The IR: a flat arena of nodes, operands before users, hash-consed on insertion so that
//! equal subexpressions are one node (common-subexpression elimination for free).
//!
//! Nodes are created through [`Graph::node`], which first offers the new node to the
//! rewrite rules of `simplify.rs` (when the graph's [`Rules`] enable them) and only then
//! interns it. The forward graph the user wrote, its simplified rebuild and the adjoint
//! nodes of the reverse sweep all live in arenas of this one type.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};

/// Index of a node in its graph's arena.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Elementwise functions of one argument.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Fun {
    Exp,
    Ln,
    Log10,
    Log2,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Tanh,
    Abs,
    Ln1p,
    ExpM1,
    Recip,
    Sigmoid,
    Relu,
    Softplus,
    /// `1` where the argument is `> 0`, else `0`: the derivative of `relu`.
    Step,
    /// `-1`, `0` or `1`: the derivative of `abs`.
    Sign,
}

impl Fun {
    #[cfg(test)]
    pub const ALL: [Fun; 18] = [
        Fun::Exp,
        Fun::Ln,
        Fun::Log10,
        Fun::Log2,
        Fun::Sqrt,
        Fun::Sin,
        Fun::Cos,
        Fun::Tan,
        Fun::Tanh,
        Fun::Abs,
        Fun::Ln1p,
        Fun::ExpM1,
        Fun::Recip,
        Fun::Sigmoid,
        Fun::Relu,
        Fun::Softplus,
        Fun::Step,
        Fun::Sign,
    ];

    /// The name used in derivations, s-expressions and (for methods) Rust source.
    pub fn name(self) -> &'static str {
        match self {
            Fun::Exp => "exp",
            Fun::Ln => "ln",
            Fun::Log10 => "log10",
            Fun::Log2 => "log2",
            Fun::Sqrt => "sqrt",
            Fun::Sin => "sin",
            Fun::Cos => "cos",
            Fun::Tan => "tan",
            Fun::Tanh => "tanh",
            Fun::Abs => "abs",
            Fun::Ln1p => "ln_1p",
            Fun::ExpM1 => "exp_m1",
            Fun::Recip => "recip",
            Fun::Sigmoid => "sigmoid",
            Fun::Relu => "relu",
            Fun::Softplus => "softplus",
            Fun::Step => "step",
            Fun::Sign => "sign",
        }
    }
}

/// What a node computes. Leaves carry an index into the graph's side tables.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Op {
    /// A function argument (index into [`Graph::inputs`]).
    Input(u32),
    /// A float literal, stored as `f64` bits so the op can be hashed.
    Const(u64),
    /// A constant from scope (`PI`, `SCALE`): opaque, never differentiated.
    Named(u32),
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    Fun(Fun),
    /// `x.powi(n)` with a literal exponent.
    Powi(i32),
    /// `x.powf(p)`.
    Powf,
    Max,
    Min,
    /// `1` where the first operand is `>=` the second, else `0`: routes `max`/`min`.
    Ge,
    /// `bce(a, y)` on a probability.
    Bce,
    /// `bce(sigmoid(z), y)` computed from the logit `z`.
    BceLogits,
    /// `(a - y)^2`.
    Mse,

    // Tensor operations (ndarray code). Losses above average over elements there.
    /// Matrix product `a.dot(&b)`.
    Dot,
    /// Transpose `x.t()`.
    T,
    /// Sum of all elements.
    Sum,
    /// Mean of all elements.
    Mean,
    /// Sum along an axis.
    SumAxis(usize),
    /// Mean along an axis.
    MeanAxis(usize),
    /// Softmax along the last axis.
    Softmax,
    /// Log-softmax along the last axis.
    LogSoftmax,
    /// `softmax_cross_entropy(z, y)`, from logits, mean over rows.
    SoftmaxCe,
    /// `cross_entropy(p, y)` on probabilities, mean over rows.
    CrossEntropy,

    // Backward-only tensor operations, created by the derivative table.
    /// The shape of a value, kept so the value itself can be consumed in place.
    ShapeOf,
    /// `sum_to(g, like)`: sums a gradient back to the shape of a broadcast operand.
    SumTo,
    /// `broadcast_to(g, like)`: the adjoint of `sum`.
    BroadcastTo,
    /// The adjoint of `sum_axis`.
    BroadcastAxisTo(usize),
    /// The adjoint of `mean`.
    MeanVjp,
    /// The adjoint of `mean_axis`.
    MeanAxisVjp(usize),
    /// `g · bᵀ`: the adjoint of `a` in `a · b`.
    DotVjpLhs,
    /// `aᵀ · g`: the adjoint of `b` in `a · b`.
    DotVjpRhs,
    /// `p * (g - sum(g * p))` along the last axis.
    SoftmaxVjp,
    /// `g - softmax * sum(g)` along the last axis.
    LogSoftmaxVjp,
    /// `g (softmax(z) - y) / n`.
    SoftmaxCeVjp,
    /// `-g y / (p n)`.
    CrossEntropyVjp,
    /// `g (a - y) / (a (1 - a) n)`.
    BceVjp,
    /// `g (sigmoid(z) - y) / n`.
    BceLogitsVjp,
    /// `2 g (a - y) / n`.
    MseVjp,
}

impl Op {
    pub fn constant(v: f64) -> Op {
        // One zero: `-0.0` and `0.0` must intern as the same node for folding rules.
        let v = if v == 0.0 { 0.0 } else { v };
        Op::Const(v.to_bits())
    }

    pub fn const_value(&self) -> Option<f64> {
        match self {
            Op::Const(bits) => Some(f64::from_bits(*bits)),
            _ => None,
        }
    }

    pub fn is_leaf(&self) -> bool {
        matches!(self, Op::Input(_) | Op::Const(_) | Op::Named(_))
    }

    /// The s-expression head; also what the DOT graph shows inside a node.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Input(_) => "input",
            Op::Const(_) => "const",
            Op::Named(_) => "named",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Neg => "neg",
            Op::Fun(f) => f.name(),
            Op::Powi(_) => "powi",
            Op::Powf => "powf",
            Op::Max => "max",
            Op::Min => "min",
            Op::Ge => "ge",
            Op::Bce => "bce",
            Op::BceLogits => "bce_logits",
            Op::Mse => "mse",
            Op::Dot => "dot",
            Op::T => "t",
            Op::Sum => "sum",
            Op::Mean => "mean",
            Op::SumAxis(_) => "sum_axis",
            Op::MeanAxis(_) => "mean_axis",
            Op::Softmax => "softmax",
            Op::LogSoftmax => "log_softmax",
            Op::SoftmaxCe => "softmax_cross_entropy",
            Op::CrossEntropy => "cross_entropy",
            Op::ShapeOf => "shape_of",
            Op::SumTo => "sum_to",
            Op::BroadcastTo => "broadcast_to",
            Op::BroadcastAxisTo(_) => "broadcast_axis_to",
            Op::MeanVjp => "mean_vjp",
            Op::MeanAxisVjp(_) => "mean_axis_vjp",
            Op::DotVjpLhs => "dot_vjp_lhs",
            Op::DotVjpRhs => "dot_vjp_rhs",
            Op::SoftmaxVjp => "softmax_vjp",
            Op::LogSoftmaxVjp => "log_softmax_vjp",
            Op::SoftmaxCeVjp => "softmax_cross_entropy_vjp",
            Op::CrossEntropyVjp => "cross_entropy_vjp_p",
            Op::BceVjp => "bce_vjp_a",
            Op::BceLogitsVjp => "bce_logits_vjp",
            Op::MseVjp => "mse_vjp",
        }
    }

    /// Applies the same scalar function to every element (or to a scalar): these ops fuse
    /// into one pass over memory.
    pub fn is_elementwise(&self) -> bool {
        matches!(
            self,
            Op::Add
                | Op::Sub
                | Op::Mul
                | Op::Div
                | Op::Neg
                | Op::Fun(_)
                | Op::Powi(_)
                | Op::Powf
                | Op::Max
                | Op::Min
                | Op::Ge
        )
    }

    /// Produces a value whose type is always a float, whatever its operands.
    pub fn is_reduction(&self) -> bool {
        matches!(
            self,
            Op::Sum
                | Op::Mean
                | Op::Bce
                | Op::BceLogits
                | Op::Mse
                | Op::SoftmaxCe
                | Op::CrossEntropy
        )
    }
}

/// One node: an op, its operands (all earlier in the arena) and where the user wrote it.
#[derive(Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub args: Vec<NodeId>,
    pub span: Span,
}

/// A function argument the graph reads.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
}

/// A constant from scope, kept as the tokens the user wrote.
#[derive(Clone, Debug)]
pub struct NamedConst {
    pub text: String,
    pub tokens: TokenStream,
}

/// Which rewrites run when nodes are created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Algebraic clean-up: constant folding, identities, double negation.
    pub algebra: bool,
    /// Stable forms: `bce(sigmoid(z), y)` from logits, `ln(sigmoid(z))` as softplus.
    pub fuse: bool,
    /// Rewrites that are exact only for finite values (`x * 0 == 0`); opt-in.
    pub assume_finite: bool,
}

impl Rules {
    /// No rewriting: the graph is exactly what the user wrote.
    pub const NONE: Rules = Rules {
        algebra: false,
        fuse: false,
        assume_finite: false,
    };
    /// Clean-up without changing which functions are computed (for the chain-rule view).
    pub const ALGEBRA: Rules = Rules {
        algebra: true,
        fuse: false,
        assume_finite: false,
    };
    /// Everything that is exact in IEEE arithmetic.
    pub const ALL: Rules = Rules {
        algebra: true,
        fuse: true,
        assume_finite: false,
    };
}

/// The arena.
#[derive(Clone, Debug)]
pub struct Graph {
    nodes: Vec<Node>,
    interned: HashMap<(Op, Vec<NodeId>), NodeId>,
    /// A display name per node: an argument's or a `let` binding's.
    names: Vec<Option<String>>,
    pub inputs: Vec<Input>,
    pub consts: Vec<NamedConst>,
    pub rules: Rules,
    /// ndarray code: elementwise adjoints are summed back to broadcast shapes and losses
    /// average over elements.
    pub tensor: bool,
}

impl Graph {
    pub fn new(rules: Rules) -> Graph {
        Graph {
            nodes: Vec::new(),
            interned: HashMap::new(),
            names: Vec::new(),
            inputs: Vec::new(),
            consts: Vec::new(),
            rules,
            tensor: false,
        }
    }

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

    pub fn const_value(&self, id: NodeId) -> Option<f64> {
        self.op(id).const_value()
    }

    pub fn input(&mut self, name: &str, span: Span) -> NodeId {
        let index = self.inputs.len() as u32;
        self.inputs.push(Input {
            name: name.to_string(),
        });
        let id = self.intern(Op::Input(index), Vec::new(), span);
        self.set_name(id, name);
        id
    }

    pub fn named_const(&mut self, text: String, tokens: TokenStream, span: Span) -> NodeId {
        let index = match self.consts.iter().position(|c| c.text == text) {
            Some(i) => i as u32,
            None => {
                self.consts.push(NamedConst { text, tokens });
                (self.consts.len() - 1) as u32
            }
        };
        self.intern(Op::Named(index), Vec::new(), span)
    }

    pub fn constant(&mut self, v: f64) -> NodeId {
        self.intern(Op::constant(v), Vec::new(), Span::call_site())
    }

    /// Creates (or finds) a node, letting the enabled rewrite rules replace it first.
    pub fn node_at(&mut self, op: Op, args: Vec<NodeId>, span: Span) -> NodeId {
        if self.rules != Rules::NONE
            && let Some(id) = crate::simplify::rewrite(self, &op, &args, span)
        {
            return id;
        }
        self.intern(op, args, span)
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

    // Shorthands for rules: derivative nodes carry the span of the node they differentiate.

    pub fn add(&mut self, a: NodeId, b: NodeId, span: Span) -> NodeId {
        self.node_at(Op::Add, vec![a, b], span)
    }

    pub fn sub(&mut self, a: NodeId, b: NodeId, span: Span) -> NodeId {
        self.node_at(Op::Sub, vec![a, b], span)
    }

    pub fn mul(&mut self, a: NodeId, b: NodeId, span: Span) -> NodeId {
        self.node_at(Op::Mul, vec![a, b], span)
    }

    pub fn div(&mut self, a: NodeId, b: NodeId, span: Span) -> NodeId {
        self.node_at(Op::Div, vec![a, b], span)
    }

    pub fn neg(&mut self, a: NodeId, span: Span) -> NodeId {
        self.node_at(Op::Neg, vec![a], span)
    }

    pub fn fun(&mut self, f: Fun, a: NodeId, span: Span) -> NodeId {
        self.node_at(Op::Fun(f), vec![a], span)
    }

    pub fn powi(&mut self, a: NodeId, n: i32, span: Span) -> NodeId {
        self.node_at(Op::Powi(n), vec![a], span)
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

    /// Copies `src` into a graph with `rules`, node by node in arena order, so every
    /// rewrite gets its chance. Returns the new graph and where each old node went.
    pub fn rebuild(src: &Graph, rules: Rules) -> (Graph, Vec<NodeId>) {
        let mut g = Graph::new(rules);
        g.inputs = src.inputs.clone();
        g.consts = src.consts.clone();
        g.tensor = src.tensor;
        let mut map: Vec<NodeId> = Vec::with_capacity(src.len());
        for id in src.ids() {
            let n = src.node(id);
            let args = n.args.iter().map(|a| map[a.index()]).collect();
            let new = match n.op {
                Op::Input(_) | Op::Const(_) | Op::Named(_) => g.intern(n.op.clone(), args, n.span),
                _ => g.node_at(n.op.clone(), args, n.span),
            };
            if let Some(name) = src.name(id) {
                g.set_name(new, name);
            }
            map.push(new);
        }
        (g, map)
    }
}
