//! How derivative rules and patterns add nodes without knowing who adds them: the
//! optimiser's builder (which folds and rewrites as nodes arrive) implements this, and a
//! rule written against it imports no stage.

use proc_macro2::Span;

use super::graph::NodeId;
use super::ops::Op;

pub trait Build {
    /// Creates (or finds) `op(args)`; the builder may fold or rewrite it.
    fn node(&mut self, op: Op, args: Vec<NodeId>, span: Span) -> NodeId;
    /// The float constant `v`.
    fn constant(&mut self, v: f64) -> NodeId;
    /// Something with the shape of `x` that survives `x` being consumed in place.
    fn like(&mut self, x: NodeId, span: Span) -> NodeId;
    /// The integer literal `k` as an integer operand.
    fn integer(&mut self, k: usize) -> NodeId;
    /// The value of an integer literal [`integer`](Build::integer) made.
    fn integer_value(&self, id: NodeId) -> Option<usize>;
}
