//! The backward run of a loop: the `LoopBack` node's value, the adjoint of every wanted
//! operand, from the tape, last iteration first.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::access::{
    Names, adjoint, bind_operands, body_access, capture, lowered_for, read, residual, statements,
};
use super::derive::reads_of;
use super::stacks::Sink;
use crate::emit::expr::{accumulate_into_slot, local};
use crate::ir::function::Lowered;
use crate::ir::loops::{Collection, LoopBody, LoopDerivative};
use crate::ir::names::collection_local;
use crate::ir::{Graph, NodeId, Op};

/// What a loop's backward run reads besides its operands: the forward run's tape, the
/// operands whose adjoints are wanted, and where stacks' gradients are written.
pub struct Run<'a> {
    pub tape: &'a Ident,
    /// The loop's derivative: which operands' adjoints it computes, and how.
    pub derivative: &'a LoopDerivative,
    pub sinks: &'a [Option<Sink>],
}

/// The backward loop: the value of the `LoopBack` node, a tuple with the adjoint of every
/// wanted `Loop` operand (`()` for the others). `bind` holds how each `LoopBack` operand
/// is read: the cotangent (moved or borrowed), then the loop's captures and collections;
/// `final_value` reads the loop's own value (by reference for an array), which is the carried
/// value after the last iteration.
pub fn backward(
    body: &LoopBody,
    outer: &Lowered,
    final_value: &TokenStream,
    bind: &[TokenStream],
    scalar: &[bool],
    run: Run,
) -> TokenStream {
    let s = Sweep::new(body, outer, scalar, &run);
    let (d, n, t) = (s.d, &s.n, &s.t);
    let (i, g, h_in, tape) = (&n.i, &n.g, &n.h_in, &n.tape);
    let tape_in = run.tape;

    // `bind` is the LoopBack's operands from the cotangent on; the loop's operand `j > 0`
    // is `bind[j]`.
    let cot = &bind[0];
    let operands = bind_operands(body, &bind[1..]);
    // An array carried value was not copied from the start (see `forward_peeled`): the
    // first iteration's backward reads the start, the others their tape entry's value.
    let start = &s.start;
    let start_bind = if s.carry_scalar {
        TokenStream::new()
    } else {
        let init = &bind[1];
        quote!(let #start = #init;)
    };
    let (init, result) = s.adjoint_sums();

    let mut every = s.iteration(true, false);
    if !s.carry_scalar && d.needs_carry {
        let h_in_ref = &s.h_in_ref;
        every = quote!(
            let #h_in_ref = match &#h_in {
                ::core::option::Option::Some(v) => v,
                ::core::option::Option::None => ::core::unreachable!("only the first iteration starts from the loop's start"),
            };
            #every
        );
    }
    // The loop's start needs its adjoint only when the caller reads it.
    let first = s.iteration(d.wanted[0], true);

    let residual_names = (0..d.residuals.len()).map(residual);
    let carried = d.needs_carry.then(|| quote!(#h_in,));
    let Passing {
        start_later,
        take_later,
        pass_on,
    } = s.passing(final_value);
    quote!({
        #operands
        #start_bind
        let mut #tape = #tape_in;
        #start_later
        let mut #g = #t::owned(#cot);
        #init
        while let ::core::option::Option::Some((#i, #carried #(#residual_names,)*)) = #tape.pop() {
            let _ = #i;
            #take_later
            if #tape.is_empty() {
                #first
            } else {
                #every
            }
            #pass_on
        }
        (#(#result,)*)
    })
}

/// What the steps of a backward run share: the loop, its derivative, and how the
/// backward graph's inputs are read.
struct Sweep<'a> {
    body: &'a LoopBody,
    outer: &'a Lowered,
    d: &'a LoopDerivative,
    sinks: &'a [Option<Sink>],
    scalar: &'a [bool],
    n: Names,
    t: TokenStream,
    carry_scalar: bool,
    caps: usize,
    /// The backward graph's inputs beyond the body's own: the residuals and the value
    /// after the iteration (input index, how it is read, whether it is a float).
    extra: Vec<(usize, TokenStream, bool)>,
    /// The backward graph's input standing for the carried value's adjoint.
    seed_index: usize,
    back_seed: Option<NodeId>,
    /// The carried value's start, read by the first iteration (an array's).
    start: Ident,
    /// The value before the iteration, borrowed from the tape (an array's).
    h_in_ref: Ident,
}

/// The carried value after an iteration is the one before the next: read from the
/// tape entry popped last, or for the last iteration from the loop's result.
struct Passing {
    start_later: TokenStream,
    take_later: TokenStream,
    pass_on: TokenStream,
}

/// The adjoints one iteration's backward statements give, by position among the
/// backward graph's gradients.
struct Adjoints {
    positions: Vec<usize>,
    exprs: Vec<TokenStream>,
}

impl Adjoints {
    fn of(&self, p: usize) -> &TokenStream {
        &self.exprs[self.positions.iter().position(|&q| q == p).expect("wanted")]
    }
}

impl<'a> Sweep<'a> {
    fn new(body: &'a LoopBody, outer: &'a Lowered, scalar: &'a [bool], run: &Run<'a>) -> Self {
        let d = run.derivative;
        let n = Names::new();
        let carry_scalar = scalar[0];
        let residual_scalar = crate::emit::tensor::scalar_mask_of(&d.graph, &{
            let (access, floats) =
                body_access(body, &d.graph, read(&n.h, carry_scalar), scalar, &[]);
            lowered_for(outer, access, floats)
        });
        let index = |g: &Graph, id: NodeId| match g.op(id) {
            Op::Input(k) => *k as usize,
            _ => unreachable!("stand-ins are inputs"),
        };
        let seed_index = index(&d.graph, d.seed);
        let mut extra = Vec::new();
        for (k, (&r, &input)) in d.residuals.iter().zip(&d.residual_inputs).enumerate() {
            let s = !outer.tensor || residual_scalar[r.index()];
            extra.push((index(&d.back, input), read(&residual(k), s), s));
        }
        // The value after the iteration is a reference to the next one's tape entry (or to
        // the loop's result), for an array.
        if let Some(o) = d.output_input {
            let h_out = &n.h_out;
            extra.push((index(&d.back, o), quote!(#h_out), carry_scalar));
        }
        let back_seed = d.back.find(d.graph.op(d.seed).clone(), Vec::new());
        Sweep {
            body,
            outer,
            d,
            sinks: run.sinks,
            scalar,
            n,
            t: quote!(::cadena::__private::t),
            carry_scalar,
            caps: body.captures.len(),
            extra,
            seed_index,
            back_seed,
            start: local("cadena_start"),
            h_in_ref: local("cadena_h_in_ref"),
        }
    }

    fn is_zero(&self, p: usize) -> bool {
        let d = self.d;
        d.back_grads[p].is_none_or(|g| d.back.const_value(g) == Some(0.0))
    }

    /// The zeros each wanted adjoint sums into, and the run's value: the adjoints by
    /// operand (`()` for those not wanted, or written in place into a sink).
    fn adjoint_sums(&self) -> (TokenStream, Vec<TokenStream>) {
        let (body, wanted, sinks, t) = (self.body, &self.d.wanted[..], self.sinks, &self.t);
        let g = &self.n.g;
        let caps = self.caps;
        let mut init = TokenStream::new();
        let mut result = vec![quote!(#g)];
        for (j, &want) in wanted.iter().enumerate().take(caps + 1).skip(1) {
            if !want {
                result.push(quote!(()));
                continue;
            }
            let (dj, c) = (adjoint(j), capture(j));
            init.extend(quote!(let mut #dj = #t::zeros_as(#c);));
            result.push(quote!(#dj));
        }
        for (c, kind) in body.collections.iter().enumerate() {
            let j = 1 + caps + c;
            if !wanted[j] {
                result.push(quote!(()));
                continue;
            }
            let (dj, coll) = (adjoint(j), collection_local(c));
            if sinks[c].is_some() {
                // Written in place into the gradient being built; nothing to return.
                result.push(quote!(()));
                continue;
            }
            init.extend(match kind {
                Collection::Indexed => {
                    quote!(let mut #dj = ::cadena::Parameters::zeros_like(#coll);)
                }
                Collection::Axis(_) => quote!(let mut #dj = #t::zeros_as(#coll);),
            });
            result.push(quote!(#dj));
        }
        (init, result)
    }

    /// One iteration's code: the backward statements for the adjoints wanted, then the
    /// sums, the elements' gradients and (unless this is the first iteration, whose
    /// carried value's adjoint nobody reads) the carried value's adjoint for the next.
    fn iteration(&self, thread_carry: bool, first_iteration: bool) -> TokenStream {
        let (mut code, adjoints) = self.backward_statements(thread_carry, first_iteration);
        self.sum_captures(&mut code, &adjoints);
        self.element_gradients(&mut code, &adjoints);
        if thread_carry {
            let (d, t, g) = (self.d, &self.t, &self.n.g);
            code.extend(match d.back_grads[0] {
                Some(gr) if Some(gr) == self.back_seed => TokenStream::new(),
                _ if self.is_zero(0) => quote!(#g = #t::zeros_as(&#g);),
                _ => {
                    let e = adjoints.of(0);
                    quote!(#t::put(&mut #g, #e);)
                }
            });
        }
        code
    }

    /// The backward graph's statements for one iteration, and the adjoints they give.
    fn backward_statements(
        &self,
        thread_carry: bool,
        first_iteration: bool,
    ) -> (TokenStream, Adjoints) {
        let (d, carry_scalar) = (self.d, self.carry_scalar);
        let (g, h_in) = (&self.n.g, &self.n.h_in);
        let positions: Vec<usize> = (0..d.back_grads.len())
            .filter(|&p| d.back_grads[p].is_some() && (p > 0 || thread_carry))
            .collect();
        let roots: Vec<NodeId> = positions
            .iter()
            .map(|&p| d.back_grads[p].expect("some"))
            .collect();
        // The cotangent read once, as an array, is moved into the one helper that reads
        // it, which may then write its result in place.
        let reads = self.back_seed.map_or(0, |s| reads_of(&d.back, &roots, s));
        let seed_access = if reads == 1 && !carry_scalar {
            quote!(::core::mem::take(&mut #g))
        } else {
            read(g, carry_scalar)
        };
        let mut all_extra = self.extra.clone();
        all_extra.push((self.seed_index, seed_access, carry_scalar));
        let carry_in = match (carry_scalar, first_iteration) {
            (true, _) => quote!(#h_in),
            (false, true) => {
                let start = &self.start;
                quote!(#start)
            }
            (false, false) => {
                let h_in_ref = &self.h_in_ref;
                quote!(#h_in_ref)
            }
        };
        let (access, floats) = body_access(self.body, &d.back, carry_in, self.scalar, &all_extra);
        let lowered = lowered_for(self.outer, access, floats);
        let (stmts, exprs) = statements(&lowered, &d.back, &roots);
        (stmts, Adjoints { positions, exprs })
    }

    /// The captures' adjoints, summed over the iterations.
    fn sum_captures(&self, code: &mut TokenStream, adjoints: &Adjoints) {
        let t = &self.t;
        for (j, &want) in self.d.wanted.iter().enumerate().take(self.caps + 1).skip(1) {
            if want && !self.is_zero(j) {
                let (dj, e) = (adjoint(j), adjoints.of(j));
                code.extend(quote!(#dj = #t::accumulate(#dj, #e);));
            }
        }
    }

    /// Each element's gradient, written at the iteration's index of its collection's
    /// adjoint (or of the sink the collection's gradient is built in).
    fn element_gradients(&self, code: &mut TokenStream, adjoints: &Adjoints) {
        let (body, sinks, caps, t, i) = (self.body, self.sinks, self.caps, &self.t, &self.n.i);
        for (c, kind) in body.collections.iter().enumerate() {
            let dj = match &sinks[c] {
                Some(sink) => sink.place.clone(),
                None => {
                    let dj = adjoint(1 + caps + c);
                    quote!(#dj)
                }
            };
            let shared = sinks[c].as_ref().is_some_and(|s| s.shared);
            if !self.d.wanted[1 + caps + c] {
                continue;
            }
            for (p, e) in body.elements.iter().enumerate() {
                let p = 1 + caps + p;
                if e.collection != c || self.is_zero(p) {
                    continue;
                }
                let value = adjoints.of(p);
                let path = &e.path;
                code.extend(match kind {
                    // Another loop over the same stack has written there too.
                    // `put` gives the value it replaces back to the buffer pool.
                    Collection::Indexed if shared => {
                        accumulate_into_slot(&quote!(#dj[#i] #(#path)*), value)
                    }
                    Collection::Indexed => quote!(#t::put(&mut #dj[#i] #(#path)*, #value);),
                    Collection::Axis(axis) => {
                        let axis = proc_macro2::Literal::usize_unsuffixed(*axis);
                        quote!(#t::assign_index_axis(&mut #dj, ::cadena::ndarray::Axis(#axis), #i, #value);)
                    }
                });
            }
        }
    }

    /// How the carried value after each iteration is read, when the backward graph
    /// reads it.
    fn passing(&self, final_value: &TokenStream) -> Passing {
        let (carry_scalar, t) = (self.carry_scalar, &self.t);
        let (h_in, h_out, later) = (&self.n.h_in, &self.n.h_out, &self.n.later);
        let last = local("cadena_last");
        if !self.d.needs_output {
            return Passing {
                start_later: TokenStream::new(),
                take_later: TokenStream::new(),
                pass_on: TokenStream::new(),
            };
        }
        let take = if carry_scalar {
            quote!(let #h_out = match #later { ::core::option::Option::Some(v) => v, ::core::option::Option::None => #last };)
        } else {
            quote!(let #h_out = match &#later { ::core::option::Option::Some(v) => v, ::core::option::Option::None => #last };)
        };
        Passing {
            start_later: quote!(let #last = #final_value; let mut #later = ::core::option::Option::None;),
            take_later: take,
            pass_on: match carry_scalar {
                true => quote!(#later = ::core::option::Option::Some(#h_in);),
                // The tape entry already holds an `Option`; the value it replaces is
                // done with, and its buffer goes back to the pool.
                false => quote!(#t::replace(&mut #later, #h_in);),
            },
        }
    }
}
