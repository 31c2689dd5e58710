//! A loop in generated code. The body's derivative is derived once, like a function's:
//! its graph is simplified and swept backwards from the carried value's cotangent
//! (`δh[i]`) to every input the caller needs. The result is split in two:
//!
//! - the **forward** part (what does not depend on the cotangent) runs in the forward
//!   loop, which pushes onto a tape, per iteration, only what the backward part reads:
//!   the carried value before the iteration when it is needed, and the other forward
//!   values the backward reads (`residuals`). Cheap elementwise values (`1 - h²`, a
//!   transpose view) are recomputed instead of stored; the carried value after an
//!   iteration is the next one's before, so it is never stored twice;
//! - the **backward** part runs in a loop over the tape in reverse, threading the
//!   cotangent of the carried value, summing the captures' adjoints and writing each
//!   element's gradient at its index.
//!
//! The forward function and every caller that needs no gradient run the loop without a
//! tape.

mod access;
mod backward;
mod derive;
mod forward;
mod stacks;
#[cfg(test)]
mod tests;
mod text;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::ir::function::Lowered;
use crate::ir::{Graph, NodeId, Op};
use access::{run_backwards, tape_local};
use backward::{Run, backward};
use forward::forward;
pub use stacks::stack_mask;
use stacks::{in_sink, sinks_of, unit_stack};
pub use text::derivation;

/// How an emitter reads the operands of a loop's nodes.
pub struct Reads<'a> {
    /// The local each statement is bound to.
    pub names: &'a [Option<Ident>],
    /// Which nodes are gradients of whole stacks ([`stack_mask`]).
    pub stacks: &'a [bool],
    /// Whether a node is a float.
    pub scalar: &'a dyn Fn(NodeId) -> bool,
    /// A read that leaves the value in place: a float by value, an array by reference.
    pub borrowed: &'a dyn Fn(NodeId) -> TokenStream,
    /// A read as the statement's operand, moved on its last use where the emitter may.
    pub operand: &'a dyn Fn(NodeId) -> TokenStream,
}

/// The `let`s for a loop, its backward run, a part of that or a sum of stacks'
/// gradients, if `id` is one; `None` for any other node. Both emitters call this,
/// reading operands their own way.
pub fn statement(
    g: &Graph,
    lowered: &Lowered,
    id: NodeId,
    ident: &Ident,
    live: &[bool],
    reads: &Reads,
) -> Option<TokenStream> {
    let args = g.args(id);
    let local_of = |x: NodeId, what: &str| reads.names[x.index()].clone().expect(what);
    if reads.stacks[id.index()] && *g.op(id) == Op::Add {
        if unit_stack(g, id, &lowered.usage.sinks) {
            // Written in place into the gradient being built.
            return Some(quote!(let #ident = ();));
        }
        // Two loops' gradients of one stack, summed tensor by tensor.
        let a: Vec<Ident> = args
            .iter()
            .map(|&a| local_of(a, "a stack's gradient is a statement"))
            .collect();
        return Some(quote!(let #ident = ::cadena::__private::t::accumulate_parameters(#(&#a),*);));
    }
    match g.op(id) {
        Op::Loop(k) => {
            let body = &g.loops[*k as usize];
            // An array start is borrowed: the first iteration reads it in place.
            let start = match (reads.scalar)(args[0]) {
                true => (reads.operand)(args[0]),
                false => (reads.borrowed)(args[0]),
            };
            let mut bind = vec![start];
            bind.extend(args[1..].iter().map(|&a| (reads.borrowed)(a)));
            let scalar: Vec<bool> = args.iter().map(|&a| (reads.scalar)(a)).collect();
            Some(match run_backwards(g, live, id) {
                Some(derivative) => {
                    let tape = tape_local(ident);
                    let value = forward(body, lowered, &bind, &scalar, Some((&tape, derivative)));
                    quote!(let #tape; let #ident = #value;)
                }
                None => {
                    let value = forward(body, lowered, &bind, &scalar, None);
                    quote!(let #ident = #value;)
                }
            })
        }
        Op::LoopBack(k) => {
            let body = &g.loops[*k as usize];
            let the_loop = args[0];
            let tape = tape_local(&local_of(the_loop, "a loop is a statement"));
            let mut bind = vec![(reads.operand)(args[1])];
            bind.extend(args[2..].iter().map(|&a| (reads.borrowed)(a)));
            let scalar: Vec<bool> = g
                .args(the_loop)
                .iter()
                .map(|&a| (reads.scalar)(a))
                .collect();
            let derivative = run_backwards(g, live, the_loop).expect("this backward run is live");
            let sinks = sinks_of(g, live, the_loop, &lowered.usage.sinks);
            let run = Run {
                tape: &tape,
                derivative,
                sinks: &sinks,
            };
            let value = backward(
                body,
                lowered,
                &(reads.borrowed)(the_loop),
                &bind,
                &scalar,
                run,
            );
            Some(quote!(let #ident = #value;))
        }
        Op::LoopPart(_) if in_sink(g, id, &lowered.usage.sinks) => Some(quote!(let #ident = ();)),
        Op::LoopPart(j) => {
            let back = local_of(args[0], "a backward run is a statement");
            let j = syn::Index::from(*j as usize);
            Some(quote!(let #ident = #back.#j;))
        }
        _ => None,
    }
}
