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
mod several;
mod stacks;
mod sums;
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
use stacks::{in_sink, sink_of_operand, sinks_of, unit_stack};
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
        Op::LoopOut(j) => {
            let the_loop = local_of(args[0], "a loop is a statement");
            let j = syn::Index::from(*j as usize);
            Some(quote!(let #ident = #the_loop.#j;))
        }
        Op::Loop(k) => {
            let body = &g.loops[*k as usize];
            let tape = tape_local(ident);
            if let Some((_, stored)) = lowered
                .usage
                .stored_loops
                .iter()
                .find(|(n, _)| *n == id.index())
            {
                // Its backward run reads the tape; nothing else in a backward iteration
                // reads a loop carrying several values (the parts it needs are residuals).
                debug_assert!(
                    body.is_multi(),
                    "only loops carrying several values are stored"
                );
                return Some(quote!(let #tape = #stored; let #ident = ();));
            }
            let mut bind: Vec<TokenStream> = args.iter().map(|&a| (reads.borrowed)(a)).collect();
            // One carried value's start is moved in if it is a float; an array start is
            // borrowed, for the first iteration to read in place.
            if !body.is_multi() && (reads.scalar)(args[0]) {
                bind[0] = (reads.operand)(args[0]);
            }
            let scalar: Vec<bool> = args.iter().map(|&a| (reads.scalar)(a)).collect();
            let run = |tape| match body.is_multi() {
                true => several::forward(body, lowered, &bind, &scalar, tape),
                false => forward(body, lowered, &bind, &scalar, tape),
            };
            let stores = lowered.usage.taped_loops.contains(&id.index());
            let derivative =
                run_backwards(g, live, id).or_else(|| stores.then(|| g.derivative(id)));
            Some(match derivative {
                Some(derivative) => {
                    let value = run(Some((&tape, derivative)));
                    quote!(let #tape; let #ident = #value;)
                }
                None => {
                    let value = run(None);
                    quote!(let #ident = #value;)
                }
            })
        }
        Op::LoopBack(k) => {
            let body = &g.loops[*k as usize];
            let the_loop = args[0];
            let tape = tape_local(&local_of(the_loop, "a loop is a statement"));
            // The cotangents: one per carried value and pushed `Vec` when the loop is their
            // tuple, else the one carried value's.
            let seeds = match body.is_multi() {
                true => &args[1..=body.carried_count() + body.pushes.len()],
                false => &args[1..2],
            };
            let mut bind: Vec<TokenStream> = seeds.iter().map(|&a| (reads.operand)(a)).collect();
            bind.extend(args[1 + seeds.len()..].iter().map(|&a| (reads.borrowed)(a)));
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
            let value = match body.is_multi() {
                true => {
                    let zero_seed: Vec<bool> = seeds
                        .iter()
                        .map(|&s| g.const_value(s) == Some(0.0))
                        .collect();
                    several::backward(body, lowered, &bind, &zero_seed, &scalar, run)
                }
                false => backward(
                    body,
                    lowered,
                    &(reads.borrowed)(the_loop),
                    &bind,
                    &scalar,
                    run,
                ),
            };
            Some(quote!(let #ident = #value;))
        }
        Op::LoopPart(_) if in_sink(g, id, &lowered.usage.sinks) => Some(quote!(let #ident = ();)),
        // A stack a loop inside the body iterates: the loop's sum over its iterations is
        // added into the gradient being built.
        Op::LoopPart(j) if sink_of_operand(g, id, &lowered.usage.sinks).is_some() => {
            let place = sink_of_operand(g, id, &lowered.usage.sinks).expect("checked");
            let back = local_of(args[0], "a backward run is a statement");
            let j = syn::Index::from(*j as usize);
            Some(
                quote!(let #ident = (); ::cadena::__private::t::add_parameters(&mut #place, #back.#j);),
            )
        }
        Op::LoopPart(j) => {
            let back = local_of(args[0], "a backward run is a statement");
            let j = syn::Index::from(*j as usize);
            Some(quote!(let #ident = #back.#j;))
        }
        _ => None,
    }
}
