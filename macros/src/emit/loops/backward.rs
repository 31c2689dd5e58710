//! The backward run of a loop: the `LoopBack` node's value, the adjoint of every wanted
//! operand, from the tape, last iteration first.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::access::{
    Names, bind_operands, body_access, lowered_for, read, residual, statements, stored_reads,
};
use super::derive::reads_of;
use super::stacks::Sink;
use super::sums::{Adjoints, Sums};
use crate::emit::expr::local;
use crate::emit::tensor::residual_is_float;
use crate::ir::function::Lowered;
use crate::ir::loops::{LoopBody, LoopDerivative};
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
    let cot = local("cadena_cot");
    let mut extra = vec![(cot.clone(), bind[0].clone())];
    // An array carried value was not copied from the start (see `forward_peeled`): the
    // first iteration's backward reads the start, the others their tape entry's value.
    let start = &s.start;
    if !s.carry_scalar {
        extra.push((start.clone(), bind[1].clone()));
    }
    let operands = bind_operands(body, &bind[1..], extra);
    let (init, result) = s.adjoint_sums();

    let mut every = s.iteration(true, false);
    if !s.carry_scalar && d.needs_carry[0] {
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

    let residual_names = (0..d.residuals.len() + d.stored.len()).map(residual);
    let carried = d.needs_carry[0].then(|| quote!(#h_in,));
    let Passing {
        start_later,
        take_later,
        pass_on,
    } = s.passing(final_value);
    quote!({
        #operands
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
    sums: Sums<'a>,
    scalar: &'a [bool],
    n: Names,
    t: TokenStream,
    carry_scalar: bool,
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

impl<'a> Sweep<'a> {
    fn new(body: &'a LoopBody, outer: &'a Lowered, scalar: &'a [bool], run: &Run<'a>) -> Self {
        let d = run.derivative;
        let n = Names::new();
        let carry_scalar = scalar[0];
        let residual_scalar = crate::emit::tensor::scalar_mask_of(&d.graph, &{
            let (access, floats) =
                body_access(body, &d.graph, &[read(&n.h, carry_scalar)], scalar, &[]);
            lowered_for(outer, access, floats)
        });
        let index = |g: &Graph, id: NodeId| match g.op(id) {
            Op::Input(k) => *k as usize,
            _ => unreachable!("stand-ins are inputs"),
        };
        let seed_index = index(&d.graph, d.seeds[0]);
        let mut extra = Vec::new();
        for (k, (&r, &input)) in d.residuals.iter().zip(&d.residual_inputs).enumerate() {
            let s = !outer.tensor || residual_is_float(&d.graph, &residual_scalar, r);
            extra.push((index(&d.back, input), read(&residual(k), s), s));
        }
        // The value after the iteration is a reference to the next one's tape entry (or to
        // the loop's result), for an array.
        if let Some(o) = d.output_input {
            let h_out = &n.h_out;
            extra.push((index(&d.back, o), quote!(#h_out), carry_scalar));
        }
        let back_seed = d.back.find(d.graph.op(d.seeds[0]).clone(), Vec::new());
        Sweep {
            body,
            outer,
            d,
            sums: Sums {
                body,
                d,
                sinks: run.sinks,
            },
            scalar,
            n,
            t: quote!(::cadena::__private::t),
            carry_scalar,
            extra,
            seed_index,
            back_seed,
            start: local("cadena_start"),
            h_in_ref: local("cadena_h_in_ref"),
        }
    }

    fn is_zero(&self, p: usize) -> bool {
        self.sums.is_zero(p)
    }

    /// The zeros each wanted adjoint sums into, and the run's value.
    fn adjoint_sums(&self) -> (TokenStream, Vec<TokenStream>) {
        let g = &self.n.g;
        self.sums.init_and_result(vec![quote!(#g)])
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
        let (access, floats) =
            body_access(self.body, &d.back, &[carry_in], self.scalar, &all_extra);
        let mut lowered = lowered_for(self.outer, access, floats);
        lowered.usage.stored_loops = stored_reads(&d.stored, d.residuals.len());
        let (stmts, exprs) = statements(&lowered, &d.back, &roots);
        (stmts, Adjoints { positions, exprs })
    }

    fn sum_captures(&self, code: &mut TokenStream, adjoints: &Adjoints) {
        self.sums.sum_captures(code, adjoints);
    }

    fn element_gradients(&self, code: &mut TokenStream, adjoints: &Adjoints) {
        self.sums.element_gradients(code, adjoints, &self.n.i);
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
