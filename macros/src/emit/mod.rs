//! Graph → the items `#[differentiable]` adds: the function with its fused forward body
//! ([`output`]), and the module of the same name beside it, its functions sharing the
//! arguments and `Grad` ([`signature`]) and reading the backward pass ([`gradient`]):
//! `grad`, `DERIVATION`, `EXPLAIN`, `GRAPH_DOT` and the rest for a function with a loss
//! ([`loss`]), `vjp` and `jacobian` for one returning arrays ([`pullback`]).

mod annotations;
mod batch;
mod derivation;
mod dot;
mod explain;
pub mod expr;
mod generics;
mod gradient;
mod hvp;
pub mod jacobian;
mod loops;
mod loss;
mod output;
mod pullback;
mod scalar;
mod signature;
mod tensor;
mod trace;

use proc_macro2::TokenStream;
use syn::ItemFn;

use crate::ir::function::Lowered;
use crate::ir::{Graph, NodeId};

/// Everything the emitter needs, computed by `expand`.
pub struct Derived<'a> {
    pub item: &'a ItemFn,
    pub lowered: &'a Lowered,
    /// The simplified, fused graph holding forward and adjoint nodes.
    pub graph: &'a Graph,
    pub output: NodeId,
    /// The inputs differentiated (a struct argument contributes one per field read) and
    /// their adjoints.
    pub wrt: Vec<NodeId>,
    pub grads: Vec<NodeId>,
    /// `wrt` in the graph as written, for the explanation and the DOT graph.
    pub wrt_raw: Vec<NodeId>,
    /// `H v`, for scalar functions of floats (see `reverse::hvp`).
    pub hvp: Option<crate::ir::derived::Hvp>,
    /// The chain rule before simplification, for `EXPLAIN` (functions with a loss).
    pub chain: Option<crate::ir::derived::ChainRule>,
    /// Every node's value and adjoint, for `trace` (scalar functions without loops).
    pub traced: Option<crate::ir::derived::Traced>,
    /// For a function returning a tuple: its parts (the forward returns them in order).
    pub parts: Vec<NodeId>,
    /// For a function returning an array or a tuple: the inputs standing for the
    /// cotangents its pullback receives (one per part), which seed the reverse sweep.
    pub cotangents: Vec<NodeId>,
    /// The annotated `let`s whose values the graph cannot hold against their types
    /// (their nodes here): [`annotations`] has rustc do it.
    pub annotated: Vec<(NodeId, &'a crate::ir::function::Annotated)>,
}

/// Which statements compute `roots`: scalar code inline, tensor code through helpers.
/// Each begins by reading the model through its float type's check
/// ([`crate::float_check`]).
fn statements(d: &Derived, lowered: &Lowered, roots: &[NodeId]) -> (TokenStream, Vec<TokenStream>) {
    let (stmts, exprs) = if lowered.tensor {
        tensor::statements(d.graph, lowered, roots)
    } else {
        scalar::statements(d.graph, lowered, roots)
    };
    let models = crate::float_check::rebind(d.item, lowered);
    (quote::quote!(#models #stmts), exprs)
}

pub fn emit(d: &Derived) -> TokenStream {
    let forward = output::forward(d);
    let backward = gradient::backward(d);
    let signature = signature::Signature::new(d);
    let annotations = annotations::check(d);
    let items = if d.lowered.array_output {
        pullback::module(d, &forward, &backward, &signature)
    } else {
        loss::module(d, &forward, &backward, &signature)
    };
    quote::quote!(#items #annotations)
}
