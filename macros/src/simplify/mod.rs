//! Simplification on insertion: a [`Builder`] adds nodes to a graph, first offering each
//! to constant folding and then to the rewrite table ([`rewrites`]), so that a graph is
//! born simplified and hash-consing shares what the rewrites make equal.
//!
//! Termination does not rest on the rules being well-behaved: a rewrite's right side is
//! built through the builder again (so `ln(1 + exp(x))` reaches `softplus(x)` in two
//! steps), and nesting deeper than [`MAX_REWRITE_DEPTH`] interns nodes as they are.

mod rewrites;

use std::rc::Rc;

use proc_macro2::Span;

pub use crate::ir::Rewrites;
use crate::ir::pattern::Pattern;
use crate::ir::{Graph, NodeId, Op};
pub use rewrites::{REWRITES, Rewrite};

/// How deeply rewrites may nest inside one insertion. The table's chains are a few
/// steps deep (a test checks that none of its laws' examples needs more than half of
/// this); a cycle stops here instead of overflowing the stack.
pub const MAX_REWRITE_DEPTH: u32 = 8;

/// A rewrite with its sides parsed.
pub struct Compiled {
    pub rule: &'static Rewrite,
    pub lhs: Pattern,
    pub rhs: Pattern,
}

thread_local! {
    static TABLE: Rc<[Compiled]> = compile(REWRITES);
}

/// Parses every law of `rules`.
///
/// # Panics
/// On a malformed law: the table is static, and a test parses all of it.
pub fn compile(rules: &'static [Rewrite]) -> Rc<[Compiled]> {
    rules
        .iter()
        .map(|rule| Compiled {
            rule,
            lhs: Pattern::parse(rule.lhs).expect("rewrite laws parse (checked by tests)"),
            rhs: Pattern::parse(rule.rhs).expect("rewrite laws parse (checked by tests)"),
        })
        .collect()
}

/// Adds nodes to a graph, simplifying each on the way in.
pub struct Builder {
    graph: Graph,
    rewrites: Rewrites,
    table: Rc<[Compiled]>,
    depth: u32,
    /// The deepest nesting reached so far.
    deepest: u32,
    /// The rules that fired, in order (tests read it to see which law did the work).
    fired: Vec<&'static str>,
}

impl Builder {
    /// A builder over `graph` running the default table's `rewrites`.
    pub fn new(graph: Graph, rewrites: Rewrites) -> Builder {
        Builder::with_table(graph, rewrites, TABLE.with(Rc::clone))
    }

    pub fn with_table(graph: Graph, rewrites: Rewrites, table: Rc<[Compiled]>) -> Builder {
        Builder {
            graph,
            rewrites,
            table,
            depth: 0,
            deepest: 0,
            fired: Vec::new(),
        }
    }

    /// Copies `src` node by node in arena order, so every rewrite gets its chance.
    /// Returns the builder and where each old node went.
    pub fn rebuild(src: &Graph, rewrites: Rewrites) -> (Builder, Vec<NodeId>) {
        let mut b = Builder::new(Graph::with_leaves_of(src), rewrites);
        let mut map: Vec<NodeId> = Vec::with_capacity(src.len());
        for id in src.ids() {
            let n = src.node(id);
            let args = n.args.iter().map(|a| map[a.index()]).collect();
            let new = b.node(n.op.clone(), args, n.span);
            if let Some(name) = src.name(id) {
                b.graph.set_name(new, name);
            }
            map.push(new);
        }
        (b, map)
    }

    /// Changes which rewrites apply to the nodes added from now on.
    pub fn set_rewrites(&mut self, rewrites: Rewrites) {
        self.rewrites = rewrites;
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn into_graph(self) -> Graph {
        self.graph
    }

    /// `op(args)` exactly as given, neither folded nor rewritten: a copy of a node of a
    /// graph already simplified, whose operands must keep their places (forward mode
    /// pairs each operand with its tangent by position).
    pub fn copy(&mut self, op: Op, args: Vec<NodeId>, span: Span) -> NodeId {
        self.graph.intern(op, args, span)
    }

    /// Adds a loop body to the graph, for an `Op::Loop` node to name.
    pub fn add_loop(&mut self, body: crate::ir::loops::LoopBody) -> u32 {
        self.graph.loops.push(Rc::new(body));
        (self.graph.loops.len() - 1) as u32
    }

    #[cfg(test)]
    pub fn fired(&self) -> &[&'static str] {
        &self.fired
    }

    #[cfg(test)]
    pub fn deepest(&self) -> u32 {
        self.deepest
    }

    pub fn constant(&mut self, v: f64) -> NodeId {
        self.graph.constant(v)
    }

    /// The integer literal `k` as an integer operand (a position in a stack or a
    /// concatenation).
    pub fn integer(&mut self, k: usize) -> NodeId {
        let lit = proc_macro2::Literal::usize_unsuffixed(k);
        self.graph
            .named_const(k.to_string(), quote::quote!(#lit), Span::call_site())
    }

    /// A new input called `name`: a value the generated code receives from outside the
    /// graph (a direction for a Hessian-vector product; tests build graphs from text).
    pub fn input(&mut self, name: &str) -> NodeId {
        self.graph.input(name, Span::call_site())
    }

    /// Creates (or finds) `op(args)`, letting folding and the enabled rewrites replace it.
    pub fn node(&mut self, op: Op, args: Vec<NodeId>, span: Span) -> NodeId {
        if op.is_leaf() || self.depth >= MAX_REWRITE_DEPTH {
            return self.graph.intern(op, args, span);
        }
        if self.rewrites.algebra
            && let Some(v) = self.fold(&op, &args)
        {
            self.fired.push("fold_constants");
            return self.graph.constant(v);
        }
        let table = Rc::clone(&self.table);
        for c in table.iter().filter(|c| self.rewrites.runs(c.rule.group)) {
            if c.lhs.root_op() != Some(&op) {
                continue;
            }
            let Some(bindings) = c.lhs.match_root(&self.graph, &op, &args) else {
                continue;
            };
            self.fired.push(c.rule.name);
            self.depth += 1;
            self.deepest = self.deepest.max(self.depth);
            let id = c.rhs.build(self, &bindings, None, span);
            self.depth -= 1;
            return id;
        }
        self.graph.intern(op, args, span)
    }

    /// Something with the shape of `x` that survives `x` being consumed in place: `x`
    /// itself for a leaf, else its recorded shape.
    pub fn like(&mut self, x: NodeId, span: Span) -> NodeId {
        if self.graph.op(x).is_leaf() {
            x
        } else {
            self.node(Op::ShapeOf, vec![x], span)
        }
    }

    // f(c1, c2, ...) == the constant it evaluates to
    fn fold(&self, op: &Op, args: &[NodeId]) -> Option<f64> {
        if args.is_empty() {
            return None;
        }
        let values: Option<Vec<f64>> = args.iter().map(|&a| self.graph.const_value(a)).collect();
        op.eval(&values?)
    }
}

impl crate::ir::Build for Builder {
    fn node(&mut self, op: Op, args: Vec<NodeId>, span: Span) -> NodeId {
        Builder::node(self, op, args, span)
    }
    fn constant(&mut self, v: f64) -> NodeId {
        Builder::constant(self, v)
    }
    fn like(&mut self, x: NodeId, span: Span) -> NodeId {
        Builder::like(self, x, span)
    }
    fn integer(&mut self, k: usize) -> NodeId {
        Builder::integer(self, k)
    }
    fn integer_value(&self, id: NodeId) -> Option<usize> {
        match self.graph.op(id) {
            Op::Named(i) => self.graph.consts[*i as usize].text.parse().ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
