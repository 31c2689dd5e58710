//! Loops that carry several values (`h`, `c` and a summed `loss` in an LSTM). The `Loop`
//! node's value is their tuple, read apart by `LoopOut` nodes; its backward run threads
//! one cotangent per carried value. Simpler than the one-value path
//! ([`super::forward`], [`super::backward`]): each start is copied once, and a carried
//! value after an iteration that the backward reads is stored on the tape like any other
//! forward value.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::access::{
    Names, bind_operands, body_access, lowered_for, read, residual, statements, stored_reads,
    taped_statements,
};
use super::backward::Run;
use super::sums::{Adjoints, Sums};
use crate::emit::expr::local;
use crate::emit::tensor::residual_is_float;
use crate::ir::function::Lowered;
use crate::ir::loops::{LoopBody, LoopDerivative};
use crate::ir::{Graph, NodeId, Op};

fn carried_locals(prefix: &str, k: usize) -> Vec<Ident> {
    (0..k).map(|j| local(&format!("{prefix}{j}"))).collect()
}

/// The roots' expressions, each root computed once: a root that repeats an earlier one
/// (two carried values that become one value) reads a copy of it.
fn statements_once(
    lowered: &Lowered,
    g: &Graph,
    roots: &[NodeId],
    scalar_root: &dyn Fn(usize) -> bool,
    stored: &[(NodeId, NodeId)],
) -> (TokenStream, Vec<TokenStream>, Vec<Option<usize>>) {
    let mut unique = Vec::new();
    let mut first_of: Vec<Option<usize>> = Vec::new();
    for (r, root) in roots.iter().enumerate() {
        let earlier = roots[..r].iter().position(|x| x == root);
        if earlier.is_none() {
            unique.push(*root);
        }
        first_of.push(earlier);
    }
    let (stmts, exprs) = taped_statements(lowered.clone(), g, &unique, stored);
    let tapes = exprs[unique.len()..].to_vec();
    let mut next = exprs.into_iter();
    let mut out: Vec<TokenStream> = Vec::new();
    let mut copies = TokenStream::new();
    let mut names = Vec::new();
    for (r, earlier) in first_of.iter().enumerate() {
        let name = local(&format!("cadena_root{r}"));
        // A recorded shape borrows nothing and is a few words: it is kept as it is, not
        // made into an array of zeros (an allocation per shape per iteration). A float's
        // shape is read by value, so it stays the float `owned` makes of it.
        let shape = *g.op(roots[r]) == Op::ShapeOf && !scalar_root(r);
        match earlier {
            None => {
                let e = next.next().expect("one expression per root");
                copies.extend(match shape {
                    true => quote!(let #name = #e;),
                    false => quote!(let #name = ::cadena::__private::t::owned(#e);),
                });
            }
            Some(e) => {
                let first: &Ident = &names[*e];
                copies.extend(match shape {
                    true => quote!(let #name = ::core::clone::Clone::clone(&#first);),
                    false => {
                        let value = read(first, scalar_root(r));
                        quote!(let #name = ::cadena::__private::t::owned(#value);)
                    }
                });
            }
        }
        out.push(quote!(#name));
        names.push(name);
    }
    // The stored inner loops' tapes, last.
    out.extend(tapes);
    (quote!(#stmts #copies), out, first_of)
}

/// The forward loop of a loop carrying several values: their tuple, pushing the tape
/// into `tape` when a backward run reads it. `bind` reads each `Loop` operand (the starts
/// borrowed), `scalar` whether each is a float.
pub fn forward(
    body: &LoopBody,
    outer: &Lowered,
    bind: &[TokenStream],
    scalar: &[bool],
    tape: Option<(&Ident, &LoopDerivative)>,
) -> TokenStream {
    let k = body.carried_count();
    let n = Names::new();
    let i = &n.i;
    let t = quote!(::cadena::__private::t);
    let hs = carried_locals("cadena_h", k);
    let nexts = carried_locals("cadena_next", k);
    let seqs = carried_locals("cadena_seq", body.pushes.len());
    let inits = carried_locals("cadena_init", k);
    let operands = bind_operands(
        body,
        bind,
        inits.iter().cloned().zip(bind.iter().cloned()).collect(),
    );
    // Each carried value's type from its start, for `checked_step`.
    let witnesses = carried_locals("cadena_carried", k);
    let starts = (0..k).map(|j| {
        let (h, init) = (&hs[j], &inits[j]);
        let carried_type = super::forward::carried_type(&witnesses[j], h, false);
        quote!(let mut #h = #t::owned(#init); #carried_type)
    });
    let carries: Vec<TokenStream> = (0..k).map(|j| read(&hs[j], scalar[j])).collect();
    let range = &body.range;
    let (g, mut roots) = match tape {
        Some((_, d)) => (&d.graph, d.outputs.clone()),
        None => (&body.graph, body.outputs.clone()),
    };
    // The pushed values, in the graph the statements come from.
    roots.extend(match tape {
        Some((_, d)) => d.pushes.clone(),
        None => body.pushes.clone(),
    });
    let pushes_at = k..k + body.pushes.len();
    if let Some((_, d)) = tape {
        roots.extend(&d.residuals);
    }
    let (access, floats) = body_access(body, g, &carries, scalar, &[]);
    let lowered = lowered_for(outer, access, floats);
    let residual_scalar = crate::emit::tensor::scalar_mask_of(g, &lowered);
    let root_scalar = |r: usize| {
        !outer.tensor || (r < k && scalar[r]) || (r >= k && residual_scalar[roots[r].index()])
    };
    let stored: &[(NodeId, NodeId)] = match tape {
        Some((_, d)) => &d.stored,
        None => &[],
    };
    let (stmts, exprs, _) = statements_once(&lowered, g, &roots, &root_scalar, stored);
    let outs: Vec<TokenStream> = (0..k)
        .map(|j| super::forward::checked_step(body, j, &witnesses[j], exprs[j].clone()))
        .collect();
    let pushed = &exprs[pushes_at.clone()];
    let residuals = &exprs[pushes_at.end..];
    let range_local = local("cadena_range");
    let seq_starts: Vec<TokenStream> = seqs
        .iter()
        .map(|s| {
            quote!(let mut #s = ::std::vec::Vec::with_capacity(::core::iter::Iterator::size_hint(&#range_local).0);)
        })
        .collect();
    let Some((tape_out, d)) = tape else {
        return quote!({
            #operands
            #(#starts)*
            let #range_local = #range;
            #(#seq_starts)*
            for #i in #range_local {
                let _ = #i;
                #stmts
                #(#seqs.push(#pushed);)*
                #(#t::put(&mut #hs, #outs);)*
            }
            (#(#hs,)* #(#seqs,)*)
        });
    };
    let tape = &n.tape;
    // The carried values before the iteration that the backward reads go on the tape;
    // the others' buffers go back to the pool.
    let kept = (0..k).filter(|&j| d.needs_carry[j]).map(|j| &hs[j]);
    let advance = (0..k).map(|j| {
        let (h, next) = (&hs[j], &nexts[j]);
        match d.needs_carry[j] {
            true => quote!(#h = #next;),
            false => quote!(#t::put(&mut #h, #next);),
        }
    });
    quote!({
        #operands
        #(#starts)*
        let #range_local = #range;
        let mut #tape = ::std::vec::Vec::with_capacity(::core::iter::Iterator::size_hint(&#range_local).0);
        #(#seq_starts)*
        for #i in #range_local {
            #stmts
            #(let #nexts = #outs;)*
            #(#seqs.push(#pushed);)*
            #tape.push((#i, #(#kept,)* #(#residuals,)*));
            #(#advance)*
        }
        #tape_out = #tape;
        (#(#hs,)* #(#seqs,)*)
    })
}

/// The backward run of a loop carrying several values: the `LoopBack` node's value, the
/// adjoint of every wanted `Loop` operand. `bind` reads the `LoopBack` operands after the
/// loop: one cotangent per carried value (a constant 0 where nothing after the loop read
/// it), then the loop's operands.
pub fn backward(
    body: &LoopBody,
    outer: &Lowered,
    bind: &[TokenStream],
    zero_seed: &[bool],
    scalar: &[bool],
    run: Run,
) -> TokenStream {
    let (tape_in, d, sinks) = (run.tape, run.derivative, run.sinks);
    let k = body.carried_count();
    let n = Names::new();
    let (i, tape) = (&n.i, &n.tape);
    let t = quote!(::cadena::__private::t);
    let gs = carried_locals("cadena_g", k);
    let h_ins = carried_locals("cadena_h_in", k);
    let news = carried_locals("cadena_new", k);
    let gseqs = carried_locals("cadena_gseq", body.pushes.len());
    let pos = local("cadena_pos");
    let operand_bind = &bind[k + body.pushes.len()..];
    // The cotangents, read once with the operands: one per carried value (zeros of its
    // start's shape where nothing after the loop read it), then each pushed `Vec`'s.
    let cots = carried_locals("cadena_cot", k);
    let mut extra = Vec::new();
    for j in 0..k {
        let value = match zero_seed[j] && !scalar[j] {
            true => {
                let start = &operand_bind[j];
                quote!(#t::zeros_as(#start))
            }
            false => bind[j].clone(),
        };
        extra.push((cots[j].clone(), value));
    }
    for p in (0..body.pushes.len()).filter(|&p| d.live_pushes[p]) {
        extra.push((gseqs[p].clone(), bind[k + p].clone()));
    }
    let operands = bind_operands(body, operand_bind, extra);
    let seeds = (0..k).map(|j| {
        let (g, cot) = (&gs[j], &cots[j]);
        quote!(let mut #g = #t::owned(#cot);)
    });
    let sums = Sums { body, d, sinks };
    let (init, result) = sums.init_and_result(gs.iter().map(|g| quote!(#g)).collect());

    // The backward graph's inputs beyond the body's: the seeds and the residuals.
    let index = |g: &Graph, id: NodeId| match g.op(id) {
        Op::Input(k) => *k as usize,
        _ => unreachable!("stand-ins are inputs"),
    };
    let (access, floats) = body_access(body, &d.graph, &carries_read(&h_ins, scalar), scalar, &[]);
    let residual_scalar =
        crate::emit::tensor::scalar_mask_of(&d.graph, &lowered_for(outer, access, floats));
    let mut extra = Vec::new();
    for (r, (&res, &input)) in d.residuals.iter().zip(&d.residual_inputs).enumerate() {
        let s = !outer.tensor || residual_is_float(&d.graph, &residual_scalar, res);
        extra.push((index(&d.back, input), read(&residual(r), s), s));
    }
    let back_seeds: Vec<Option<NodeId>> = d
        .seeds
        .iter()
        .map(|s| d.back.find(d.graph.op(*s).clone(), Vec::new()))
        .collect();
    for j in 0..k {
        extra.push((
            index(&d.graph, d.seeds[j]),
            read(&gs[j], scalar[j]),
            scalar[j],
        ));
    }
    for (p, g) in gseqs.iter().enumerate() {
        if d.live_pushes[p] {
            extra.push((index(&d.graph, d.seeds[k + p]), quote!(&#g[#pos]), false));
        }
    }
    let positions: Vec<usize> = (0..d.back_grads.len())
        .filter(|&p| d.back_grads[p].is_some())
        .collect();
    let roots: Vec<NodeId> = positions
        .iter()
        .map(|&p| d.back_grads[p].expect("some"))
        .collect();
    let (access, floats) =
        body_access(body, &d.back, &carries_read(&h_ins, scalar), scalar, &extra);
    let mut lowered = lowered_for(outer, access, floats);
    lowered.usage.stored_loops = stored_reads(&d.stored, d.residuals.len());
    let (stmts, exprs) = statements(&lowered, &d.back, &roots);
    let adjoints = Adjoints { positions, exprs };
    let mut every = TokenStream::new();
    sums.sum_captures(&mut every, &adjoints);
    sums.element_gradients(&mut every, &adjoints, i);
    // Every carried value's adjoint before the iteration, computed before any replaces
    // the cotangent it may read.
    let mut assign = TokenStream::new();
    for j in 0..k {
        let (g, new) = (&gs[j], &news[j]);
        match d.back_grads[j] {
            Some(gr) if Some(gr) == back_seeds[j] => {}
            _ if sums.is_zero(j) => assign.extend(quote!(#g = #t::zeros_as(&#g);)),
            _ => {
                let e = adjoints.of(j);
                every.extend(quote!(let #new = #t::owned(#e);));
                assign.extend(quote!(#t::put(&mut #g, #new);));
            }
        }
    }
    let kept = (0..k).filter(|&j| d.needs_carry[j]).map(|j| &h_ins[j]);
    let residual_names = (0..d.residuals.len() + d.stored.len()).map(residual);
    quote!({
        #operands
        let mut #tape = #tape_in;
        #(#seeds)*
        #init
        while let ::core::option::Option::Some((#i, #(#kept,)* #(#residual_names,)*)) = #tape.pop() {
            let _ = #i;
            // The step's position among the pushed values.
            let #pos = #tape.len();
            let _ = #pos;
            #stmts
            #every
            #assign
        }
        (#(#result,)*)
    })
}

/// How the backward reads each carried value before the iteration, from the tape.
fn carries_read(h_ins: &[Ident], scalar: &[bool]) -> Vec<TokenStream> {
    h_ins.iter().zip(scalar).map(|(h, &s)| read(h, s)).collect()
}
