//! The forward run of a loop: the `Loop` node's value, and its tape when a backward run
//! reads it.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::access::{
    Names, bind_operands, body_access, lowered_for, read, residual, statements, taped_statements,
};
use crate::emit::expr::local;
use crate::ir::function::Lowered;
use crate::ir::loops::{LoopBody, LoopDerivative};
use crate::ir::{Graph, NodeId};

/// The forward loop: the value of the `Loop` node, pushing its tape into `tape` when a
/// backward pass needs it. `bind` holds how each operand is read (the start moved or
/// borrowed, the others borrowed), `scalar` whether each is a float.
pub fn forward(
    body: &LoopBody,
    outer: &Lowered,
    bind: &[TokenStream],
    scalar: &[bool],
    tape: Option<(&Ident, &LoopDerivative)>,
) -> TokenStream {
    let n = Names::new();
    let (h, i) = (&n.h, &n.i);
    let init = local("cadena_init");
    let operands = bind_operands(body, bind, vec![(init.clone(), bind[0].clone())]);
    let range = &body.range;
    let carry_scalar = scalar[0];
    let t = quote!(::cadena::__private::t);
    if !carry_scalar {
        return forward_peeled(body, outer, bind, scalar, tape);
    }
    let witness = local("cadena_carried");
    let carried_type = carried_type(&witness, h, false);
    let Some((tape_out, d)) = tape else {
        let (access, floats) =
            body_access(body, &body.graph, &[read(h, carry_scalar)], scalar, &[]);
        let lowered = lowered_for(outer, access, floats);
        let (stmts, out) = statements(&lowered, &body.graph, &[body.outputs[0]]);
        let out = checked_step(body, 0, &witness, out[0].clone());
        return quote!({
            #operands
            let mut #h = #t::owned(#init);
            #carried_type
            for #i in #range {
                let _ = #i;
                #stmts
                #t::put(&mut #h, #out);
            }
            #h
        });
    };
    let (access, floats) = body_access(body, &d.graph, &[read(h, carry_scalar)], scalar, &[]);
    let lowered = lowered_for(outer, access, floats);
    let mut roots = vec![d.outputs[0]];
    roots.extend(&d.residuals);
    // The residuals, then the inner loops' tapes.
    let (stmts, exprs) = taped_statements(lowered, &d.graph, &roots, &d.stored);
    let out = checked_step(body, 0, &witness, exprs[0].clone());
    let residuals = &exprs[1..];
    let tape = &n.tape;
    let next = local("cadena_next");
    let carried = d.needs_carry[0].then(|| quote!(#h,));
    let range_local = local("cadena_range");
    // Unless the tape took it, the value the next one replaces goes back to the pool.
    let advance = match d.needs_carry[0] {
        true => quote!(#h = #next;),
        false => quote!(#t::put(&mut #h, #next);),
    };
    quote!({
        #operands
        let mut #h = #t::owned(#init);
        #carried_type
        let #range_local = #range;
        let mut #tape = ::std::vec::Vec::with_capacity(::core::iter::Iterator::size_hint(&#range_local).0);
        for #i in #range_local {
            #stmts
            let #next = #out;
            #tape.push((#i, #carried #(#residuals,)*));
            #advance
        }
        #tape_out = #tape;
        #h
    })
}

/// [`forward`] for an array carried value: the first iteration reads the start where it
/// is (`bind[0]` borrows it), the others the value the previous one made, so the start
/// is never copied (the carried value is an `Option`, `None` before the first
/// iteration; the tape holds `None` for it).
fn forward_peeled(
    body: &LoopBody,
    outer: &Lowered,
    bind: &[TokenStream],
    scalar: &[bool],
    tape: Option<(&Ident, &LoopDerivative)>,
) -> TokenStream {
    let n = Names::new();
    let (i, start) = (&n.i, local("cadena_start"));
    let (state, current) = (local("cadena_state"), local("cadena_current"));
    let operands = bind_operands(body, bind, vec![(start.clone(), bind[0].clone())]);
    let range = &body.range;
    let t = quote!(::cadena::__private::t);
    // The statements once, reading the carried value as a view: of the start in the
    // first iteration, of the value the previous one made in the others (one copy of
    // the body's code, not two).
    let emit = |g: &Graph, roots: &[NodeId]| -> (TokenStream, Vec<TokenStream>) {
        let (access, floats) = body_access(body, g, &[quote!(&#current)], scalar, &[]);
        statements(&lowered_for(outer, access, floats), g, roots)
    };
    let current_view = quote!(let #current = match &#state {
        ::core::option::Option::None => #t::look(&#start),
        ::core::option::Option::Some(v) => #t::look(v),
    };);
    let finish = quote!(match #state {
        ::core::option::Option::Some(v) => v,
        ::core::option::Option::None => #t::owned(#start),
    });
    let next = local("cadena_next");
    let witness = local("cadena_carried");
    let carried_type = carried_type(&witness, &state, true);
    let Some((tape_out, d)) = tape else {
        let (stmts, outs) = emit(&body.graph, &[body.outputs[0]]);
        let out = checked_step(body, 0, &witness, outs[0].clone());
        return quote!({
            #operands
            let mut #state = #t::none_like(&#start);
            #carried_type
            for #i in #range {
                let _ = #i;
                let #next = {
                    #current_view
                    #stmts
                    #out
                };
                #t::replace(&mut #state, ::core::option::Option::Some(#next));
            }
            #finish
        });
    };
    let mut roots = vec![d.outputs[0]];
    roots.extend(&d.residuals);
    // The residuals, then the inner loops' tapes.
    let (access, floats) = body_access(body, &d.graph, &[quote!(&#current)], scalar, &[]);
    let lowered = lowered_for(outer, access, floats);
    let (stmts, exprs) = taped_statements(lowered, &d.graph, &roots, &d.stored);
    let (out, residual_exprs) = (
        checked_step(body, 0, &witness, exprs[0].clone()),
        &exprs[1..],
    );
    let names: Vec<Ident> = (0..residual_exprs.len()).map(residual).collect();
    let tape = &n.tape;
    let carried = d.needs_carry[0].then(|| quote!(::core::mem::take(&mut #state),));
    let range_local = local("cadena_range");
    // Unless the tape took it, the value the next one replaces goes back to the pool.
    let advance = match d.needs_carry[0] {
        true => quote!(#state = ::core::option::Option::Some(#next);),
        false => quote!(#t::replace(&mut #state, ::core::option::Option::Some(#next));),
    };
    quote!({
        #operands
        let mut #state = #t::none_like(&#start);
        #carried_type
        let #range_local = #range;
        let mut #tape = ::std::vec::Vec::with_capacity(::core::iter::Iterator::size_hint(&#range_local).0);
        for #i in #range_local {
            let (#next, #(#names,)*) = {
                #current_view
                #stmts
                (#out, #(#residual_exprs,)*)
            };
            #tape.push((#i, #carried #(#names,)*));
            #advance
        }
        #tape_out = #tape;
        #finish
    })
}

/// The carried value's type, taken from the local the loop keeps it in (`witness`, owned:
/// `slot`, or an `Option` of it: `in_option`), and each step's value `value` of carried
/// value `j`, made owned as the loop keeps it, held against it
/// (`cadena::checks::carried`), spanned at the user's assignment: a step giving the value
/// another number of axes than its start (unknown to the macro for a struct's field) is
/// one error there, not errors in the generated loop (a fuzzer finding).
pub(super) fn carried_type(witness: &Ident, slot: &Ident, in_option: bool) -> TokenStream {
    match in_option {
        false => quote!(let #witness = ::cadena::checks::carried_type(&#slot);),
        true => quote!(let #witness = ::cadena::checks::carried_type_in(&#slot);),
    }
}

/// `value` made owned and checked (see [`carried_type`]).
pub(super) fn checked_step(
    body: &LoopBody,
    j: usize,
    witness: &Ident,
    value: TokenStream,
) -> TokenStream {
    let span = body.graph.node(body.outputs[j]).span;
    crate::emit::output::respanned(
        quote!(::cadena::checks::carried(#witness, ::cadena::__private::t::owned(#value))),
        span,
    )
}
