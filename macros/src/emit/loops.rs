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

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::emit::expr::local;
use crate::graph::{Graph, NodeId, Op};
use crate::loops::{Collection, LoopBody, extract};
use crate::lower::{Lowered, Usage, collection_local};
use crate::reverse::{depends_on, vjps};
use crate::simplify::Builder;

/// The body's graph with its adjoints, and how its forward and backward halves divide.
struct Derivative {
    graph: Graph,
    output: NodeId,
    /// Per `LoopBody::inputs` position: the input's adjoint, when it is wanted.
    grads: Vec<Option<NodeId>>,
    /// Forward values the backward reads, stored per iteration.
    residuals: Vec<NodeId>,
    /// The backward reads the carried value before the iteration / after it.
    needs_carry: bool,
    needs_output: bool,
    /// The backward half as a graph of its own: the body's inputs, then the seed's and the
    /// residuals' stand-ins (`residual_inputs`, `output_input`).
    back: Graph,
    back_grads: Vec<Option<NodeId>>,
    seed: NodeId,
    residual_inputs: Vec<NodeId>,
    output_input: Option<NodeId>,
}

/// Ops recomputed by the backward half rather than stored by the forward one. An inner
/// loop (a helper's, inlined) is rerun with its tape there rather than storing its tape
/// in this loop's: its activations are kept one outer iteration at a time.
fn recomputed(op: &Op) -> bool {
    matches!(
        op,
        Op::Add
            | Op::Sub
            | Op::Mul
            | Op::Neg
            | Op::Powi(_)
            | Op::GreaterEq
            | Op::Transpose
            | Op::Loop(_)
    )
}

fn derive(body: &LoopBody, wanted: &[bool]) -> Derivative {
    let (mut b, map) = Builder::rebuild(&body.graph, body.rewrites);
    let output = map[body.output.index()];
    let inputs: Vec<NodeId> = body.inputs().iter().map(|i| map[i.index()]).collect();
    let seed = b.input(&format!("δ{}[{}]", body.carried, body.index));
    // The carried value's adjoint threads the iterations: always wanted.
    let positions: Vec<usize> = (0..inputs.len())
        .filter(|&p| p == 0 || wanted[body.operand_of(p)])
        .collect();
    let wrt: Vec<NodeId> = positions.iter().map(|&p| inputs[p]).collect();
    let adjoints = vjps(&mut b, output, seed, &wrt, body.tensor);
    let graph = b.into_graph();
    let mut grads = vec![None; inputs.len()];
    for (&p, &a) in positions.iter().zip(&adjoints) {
        grads[p] = Some(a);
    }

    // The backward half: what depends on the seed, and the cheap values it reads.
    let roots: Vec<NodeId> = grads.iter().flatten().copied().collect();
    let dep = depends_on(&graph, &[seed]);
    let live = super::scalar::live(&graph, &roots);
    let mut back_set: Vec<bool> = graph
        .ids()
        .map(|id| dep[id.index()] && live[id.index()] && !graph.op(id).is_leaf())
        .collect();
    let mut needed = vec![false; graph.len()];
    for r in &roots {
        needed[r.index()] = true;
    }
    for id in graph.ids().rev() {
        let op = graph.op(id);
        if needed[id.index()] && !back_set[id.index()] && !op.is_leaf() && recomputed(op) {
            back_set[id.index()] = true;
        }
        // The graph's own operands: the copy keeps `1 - x^2` whole, for the emitter to
        // evaluate in its better form there.
        if back_set[id.index()] {
            for &a in graph.args(id) {
                needed[a.index()] = true;
            }
        }
    }
    let carry = inputs[0];
    let needs_carry = needed[carry.index()];
    let frontier: Vec<NodeId> = graph
        .ids()
        .filter(|id| needed[id.index()] && !back_set[id.index()] && !graph.op(*id).is_leaf())
        .collect();
    let needs_output = frontier.contains(&output);
    let residuals: Vec<NodeId> = frontier.iter().copied().filter(|r| *r != output).collect();

    let mut back = Graph::with_leaves_of(&graph);
    let mut residual_inputs = vec![None; graph.len()];
    let mut output_input = None;
    let map = extract(
        &graph,
        &mut back,
        &roots,
        &back_set,
        true,
        vec![None; graph.len()],
        |dst, outer| {
            let name = graph.name(outer).unwrap_or("r").to_string();
            let id = dst.input(&name, graph.node(outer).span);
            if outer == output {
                output_input = Some(id);
            } else {
                residual_inputs[outer.index()] = Some(id);
            }
            id
        },
    );
    let back_grads = grads
        .iter()
        .map(|g| g.map(|g| map[g.index()].expect("every adjoint is copied")))
        .collect();
    let residual_inputs: Vec<NodeId> = residuals
        .iter()
        .map(|r| residual_inputs[r.index()].expect("every residual is read"))
        .collect();
    Derivative {
        graph,
        output,
        grads,
        residuals,
        needs_carry: needs_carry || needs_output,
        needs_output,
        back,
        back_grads,
        seed,
        residual_inputs,
        output_input,
    }
}

/// Where a loop's backward run writes the gradients of a stack's elements: a place in
/// the gradient being built (`grad_struct0.layers`), and whether another loop over the
/// same stack writes there too (then it adds instead of assigning).
#[derive(Clone)]
pub struct Sink {
    pub place: TokenStream,
    pub shared: bool,
}

/// The sink of each collection of the loop `id` of `g`, from the emitter's `sinks` (by
/// input index).
pub fn sinks_of(
    g: &Graph,
    live: &[bool],
    id: NodeId,
    sinks: &[(usize, TokenStream)],
) -> Vec<Option<Sink>> {
    let Op::Loop(k) = g.op(id) else {
        return Vec::new();
    };
    let body = &g.loops[*k as usize];
    let first = 1 + body.captures.len();
    g.args(id)[first..]
        .iter()
        .map(|&operand| {
            let Op::Input(input) = g.op(operand) else {
                return None;
            };
            let place = sinks.iter().find(|(k, _)| *k == *input as usize)?.1.clone();
            // Live loops run backwards that iterate the same stack.
            let runs = g
                .ids()
                .filter(|b| live[b.index()] && matches!(g.op(*b), Op::LoopBack(_)))
                .filter(|b| g.args(*b)[2..].contains(&operand))
                .count();
            Some(Sink {
                place,
                shared: runs > 1,
            })
        })
        .collect()
}

/// Whether `LoopPart` node `id` is a stack's gradient written in place (its value `()`).
pub fn in_sink(g: &Graph, id: NodeId, sinks: &[(usize, TokenStream)]) -> bool {
    let Op::LoopPart(j) = g.op(id) else {
        return false;
    };
    let the_loop = g.args(g.args(id)[0])[0];
    let operand = g.args(the_loop)[*j as usize];
    matches!(g.op(operand), Op::Input(k) if sinks.iter().any(|(s, _)| *s == *k as usize))
}

/// Whether a stack-valued node (see [`stack_mask`]) is only gradients written in place:
/// a `LoopPart` [`in_sink`], or a sum of such.
pub fn unit_stack(g: &Graph, id: NodeId, sinks: &[(usize, TokenStream)]) -> bool {
    match g.op(id) {
        Op::LoopPart(_) => in_sink(g, id, sinks),
        Op::Add => g.args(id).iter().all(|&a| unit_stack(g, a, sinks)),
        _ => false,
    }
}

/// What a loop's backward run reads besides its operands: the forward run's tape, the
/// operands whose adjoints are wanted, and where stacks' gradients are written.
pub struct Run<'a> {
    pub tape: &'a Ident,
    pub wanted: &'a [bool],
    pub sinks: &'a [Option<Sink>],
}

/// Names in the generated loop.
struct Names {
    h: Ident,
    i: Ident,
    tape: Ident,
    g: Ident,
    h_in: Ident,
    h_out: Ident,
    later: Ident,
}

impl Names {
    fn new() -> Names {
        Names {
            h: local("cadena_h"),
            i: local("cadena_i"),
            tape: local("cadena_tape"),
            g: local("cadena_g"),
            h_in: local("cadena_h_in"),
            h_out: local("cadena_h_out"),
            later: local("cadena_later"),
        }
    }
}

fn capture(j: usize) -> Ident {
    local(&format!("cadena_cap{j}"))
}

fn residual(k: usize) -> Ident {
    local(&format!("cadena_r{k}"))
}

fn adjoint(j: usize) -> Ident {
    local(&format!("cadena_d{j}"))
}

/// The loop operands' adjoints wanted by live `LoopPart`s: `None` when no `LoopBack` of
/// `id` is live (the loop runs without a tape).
pub fn wanted(g: &Graph, live: &[bool], id: NodeId) -> Option<Vec<bool>> {
    let back = g
        .ids()
        .find(|b| live[b.index()] && matches!(g.op(*b), Op::LoopBack(_)) && g.args(*b)[0] == id)?;
    let mut wanted = vec![false; g.args(id).len()];
    for p in g.ids().filter(|p| live[p.index()] && g.args(*p) == [back]) {
        if let Op::LoopPart(j) = g.op(p) {
            wanted[*j as usize] = true;
        }
    }
    Some(wanted)
}

/// The local holding a loop's tape, beside the loop's own value.
pub fn tape_local(value: &Ident) -> Ident {
    local(&format!("{value}_tape"))
}

/// An `Lowered` through which the emitters read a body graph: its inputs' access and
/// which of them are floats.
fn lowered_for(outer: &Lowered, access: Vec<TokenStream>, scalar: Vec<usize>) -> Lowered {
    Lowered {
        float: outer.float,
        float_ty: outer.float_ty.clone(),
        params: Vec::new(),
        wrt: Vec::new(),
        graph: Graph::default(),
        output: NodeId(0),
        tensor: outer.tensor,
        fields: Vec::new(),
        usage: Usage {
            access,
            scalar_inputs: scalar,
            ..Usage::default()
        },
        array_output: false,
    }
}

fn statements(lowered: &Lowered, g: &Graph, roots: &[NodeId]) -> (TokenStream, Vec<TokenStream>) {
    if lowered.tensor {
        super::tensor::statements(g, lowered, roots)
    } else {
        super::scalar::statements(g, lowered, roots)
    }
}

/// How an input is read where `value` names it: by reference if it is an array.
fn read(value: &Ident, scalar: bool) -> TokenStream {
    if scalar {
        quote!(#value)
    } else {
        quote!(&#value)
    }
}

/// Access tokens and float inputs of the body graph (`g`'s inputs, `g` being the body or
/// a graph sharing its inputs), the carried value read through `carry`.
fn body_access(
    body: &LoopBody,
    g: &Graph,
    carry: TokenStream,
    scalar: &[bool],
    extra: &[(usize, TokenStream, bool)],
) -> (Vec<TokenStream>, Vec<usize>) {
    let n = Names::new();
    let i = &n.i;
    let inputs = body.inputs();
    let mut access = vec![quote!(()); g.inputs.len()];
    let mut floats = Vec::new();
    let index_of = |g: &Graph, id: NodeId| match g.op(id) {
        Op::Input(k) => *k as usize,
        _ => unreachable!("body inputs are inputs"),
    };
    // `g` shares the body's inputs, index for index.
    for (p, &input) in inputs.iter().enumerate() {
        let k = index_of(&body.graph, input);
        let operand = body.operand_of(p);
        access[k] = if p == 0 {
            carry.clone()
        } else if p <= body.captures.len() {
            let c = capture(p);
            quote!(#c)
        } else {
            let e = &body.elements[p - 1 - body.captures.len()];
            let coll = collection_local(e.collection);
            let path = &e.path;
            match body.collections[e.collection] {
                Collection::Indexed if !body.tensor => quote!(#coll[#i] #(#path)*),
                Collection::Indexed => quote!(&#coll[#i] #(#path)*),
                Collection::Axis(axis) => {
                    let axis = proc_macro2::Literal::usize_unsuffixed(axis);
                    quote!(#coll.index_axis(::cadena::ndarray::Axis(#axis), #i))
                }
            }
        };
        if p <= body.captures.len() && scalar[operand] {
            floats.push(k);
        }
    }
    for (k, tokens, is_float) in extra {
        let k = *k;
        access[k] = tokens.clone();
        if *is_float {
            floats.push(k);
        }
    }
    (access, floats)
}

/// `let cadena_capJ = ..; let cadena_collC = ..;` from the loop's operand bindings.
fn bind_operands(body: &LoopBody, bind: &[TokenStream]) -> TokenStream {
    let caps = (1..=body.captures.len()).map(|j| {
        let c = capture(j);
        let v = &bind[j];
        quote!(let #c = #v;)
    });
    let colls = (0..body.collections.len()).map(|c| {
        let l = collection_local(c);
        let v = &bind[1 + body.captures.len() + c];
        quote!(let #l = #v;)
    });
    quote!(#(#caps)* #(#colls)*)
}

/// The forward loop: the value of the `Loop` node, pushing its tape into `tape` when a
/// backward pass needs it. `bind` holds how each operand is read (the start moved or
/// borrowed, the others borrowed), `scalar` whether each is a float.
pub fn forward(
    body: &LoopBody,
    outer: &Lowered,
    bind: &[TokenStream],
    scalar: &[bool],
    tape: Option<(&Ident, &[bool])>,
) -> TokenStream {
    let n = Names::new();
    let (h, i) = (&n.h, &n.i);
    let init = &bind[0];
    let operands = bind_operands(body, bind);
    let range = &body.range;
    let carry_scalar = scalar[0];
    let t = quote!(::cadena::__private::t);
    if !carry_scalar {
        return forward_peeled(body, outer, bind, scalar, tape);
    }
    let Some((tape_out, wanted)) = tape else {
        let (access, floats) = body_access(body, &body.graph, read(h, carry_scalar), scalar, &[]);
        let lowered = lowered_for(outer, access, floats);
        let (stmts, out) = statements(&lowered, &body.graph, &[body.output]);
        let out = &out[0];
        return quote!({
            #operands
            let mut #h = #t::owned(#init);
            for #i in #range {
                let _ = #i;
                #stmts
                #h = #t::owned(#out);
            }
            #h
        });
    };
    let d = derive(body, wanted);
    let (access, floats) = body_access(body, &d.graph, read(h, carry_scalar), scalar, &[]);
    let lowered = lowered_for(outer, access, floats);
    let mut roots = vec![d.output];
    roots.extend(&d.residuals);
    let (stmts, exprs) = statements(&lowered, &d.graph, &roots);
    let out = &exprs[0];
    let residuals = &exprs[1..];
    let tape = &n.tape;
    let next = local("cadena_next");
    let carried = d.needs_carry.then(|| quote!(#h,));
    let range_local = local("cadena_range");
    quote!({
        #operands
        let mut #h = #t::owned(#init);
        let #range_local = #range;
        let mut #tape = ::std::vec::Vec::with_capacity(::core::iter::Iterator::size_hint(&#range_local).0);
        for #i in #range_local {
            #stmts
            let #next = #t::owned(#out);
            #tape.push((#i, #carried #(#residuals,)*));
            #h = #next;
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
    tape: Option<(&Ident, &[bool])>,
) -> TokenStream {
    let n = Names::new();
    let (i, start) = (&n.i, local("cadena_start"));
    let (state, current) = (local("cadena_state"), local("cadena_current"));
    let init = &bind[0];
    let operands = bind_operands(body, bind);
    let range = &body.range;
    let t = quote!(::cadena::__private::t);
    // The statements twice: reading the start, and reading the carried value.
    let emit = |g: &Graph, roots: &[NodeId]| -> Vec<(TokenStream, Vec<TokenStream>)> {
        [quote!(#start), quote!(#current)]
            .into_iter()
            .map(|carry| {
                let (access, floats) = body_access(body, g, carry, scalar, &[]);
                statements(&lowered_for(outer, access, floats), g, roots)
            })
            .collect()
    };
    let finish = quote!(match #state {
        ::core::option::Option::Some(v) => v,
        ::core::option::Option::None => #t::owned(#start),
    });
    let next = local("cadena_next");
    let Some((tape_out, wanted)) = tape else {
        let arms = emit(&body.graph, &[body.output]);
        let (first, first_out) = (&arms[0].0, &arms[0].1[0]);
        let (every, every_out) = (&arms[1].0, &arms[1].1[0]);
        return quote!({
            #operands
            let #start = #init;
            let mut #state = ::core::option::Option::None;
            for #i in #range {
                let _ = #i;
                let #next = match &#state {
                    ::core::option::Option::None => { #first #t::owned(#first_out) }
                    ::core::option::Option::Some(#current) => { #every #t::owned(#every_out) }
                };
                #state = ::core::option::Option::Some(#next);
            }
            #finish
        });
    };
    let d = derive(body, wanted);
    let mut roots = vec![d.output];
    roots.extend(&d.residuals);
    let arms = emit(&d.graph, &roots);
    let tuple = |exprs: &[TokenStream]| {
        let (out, residuals) = (&exprs[0], &exprs[1..]);
        quote!((#t::owned(#out), #(#residuals,)*))
    };
    let (first, first_tuple) = (&arms[0].0, tuple(&arms[0].1));
    let (every, every_tuple) = (&arms[1].0, tuple(&arms[1].1));
    let names: Vec<Ident> = (0..d.residuals.len()).map(residual).collect();
    let tape = &n.tape;
    let carried = d
        .needs_carry
        .then(|| quote!(::core::mem::take(&mut #state),));
    let range_local = local("cadena_range");
    quote!({
        #operands
        let #start = #init;
        let mut #state = ::core::option::Option::None;
        let #range_local = #range;
        let mut #tape = ::std::vec::Vec::with_capacity(::core::iter::Iterator::size_hint(&#range_local).0);
        for #i in #range_local {
            let (#next, #(#names,)*) = match &#state {
                ::core::option::Option::None => { #first #first_tuple }
                ::core::option::Option::Some(#current) => { #every #every_tuple }
            };
            #tape.push((#i, #carried #(#names,)*));
            #state = ::core::option::Option::Some(#next);
        }
        #tape_out = #tape;
        #finish
    })
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
    let Run {
        tape: tape_in,
        wanted,
        sinks,
    } = run;
    let n = Names::new();
    let d = derive(body, wanted);
    let t = quote!(::cadena::__private::t);
    let (i, g, h_in, h_out, later, tape) = (&n.i, &n.g, &n.h_in, &n.h_out, &n.later, &n.tape);
    let carry_scalar = scalar[0];
    let residual_scalar = super::tensor::scalar_mask_of(&d.graph, &{
        let (access, floats) = body_access(body, &d.graph, read(&n.h, carry_scalar), scalar, &[]);
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
        extra.push((index(&d.back, o), quote!(#h_out), carry_scalar));
    }
    let is_zero = |p: usize| d.back_grads[p].is_none_or(|g| d.back.const_value(g) == Some(0.0));
    let back_seed = d.back.find(d.graph.op(d.seed).clone(), Vec::new());

    // `bind` is the LoopBack's operands from the cotangent on; the loop's operand `j > 0`
    // is `bind[j]`.
    let cot = &bind[0];
    let operands = bind_operands(body, &bind[1..]);
    // An array carried value was not copied from the start (see `forward_peeled`): the
    // first iteration's backward reads the start, the others their tape entry's value.
    let start = local("cadena_start");
    let start_bind = if carry_scalar {
        TokenStream::new()
    } else {
        let init = &bind[1];
        quote!(let #start = #init;)
    };
    let h_in_ref = local("cadena_h_in_ref");
    let caps = body.captures.len();
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
            Collection::Indexed => quote!(let mut #dj = ::cadena::Parameters::zeros_like(#coll);),
            Collection::Axis(_) => quote!(let mut #dj = #t::zeros_as(#coll);),
        });
        result.push(quote!(#dj));
    }

    // One iteration's code: the backward statements for the adjoints wanted, then the
    // sums, the elements' gradients and (unless this is the first iteration, whose
    // carried value's adjoint nobody reads) the carried value's adjoint for the next.
    let iteration = |thread_carry: bool, first_iteration: bool| -> TokenStream {
        let positions: Vec<usize> = (0..d.back_grads.len())
            .filter(|&p| d.back_grads[p].is_some() && (p > 0 || thread_carry))
            .collect();
        let roots: Vec<NodeId> = positions
            .iter()
            .map(|&p| d.back_grads[p].expect("some"))
            .collect();
        // The cotangent read once, as an array, is moved into the one helper that reads
        // it, which may then write its result in place.
        let reads = back_seed.map_or(0, |s| reads_of(&d.back, &roots, s));
        let seed_access = if reads == 1 && !carry_scalar {
            quote!(::core::mem::take(&mut #g))
        } else {
            read(g, carry_scalar)
        };
        let mut all_extra = extra.clone();
        all_extra.push((seed_index, seed_access, carry_scalar));
        let carry_in = match (carry_scalar, first_iteration) {
            (true, _) => quote!(#h_in),
            (false, true) => quote!(#start),
            (false, false) => quote!(#h_in_ref),
        };
        let (access, floats) = body_access(body, &d.back, carry_in, scalar, &all_extra);
        let lowered = lowered_for(outer, access, floats);
        let (stmts, exprs) = statements(&lowered, &d.back, &roots);
        let expr_of = |p: usize| &exprs[positions.iter().position(|&q| q == p).expect("wanted")];
        let mut code = stmts;
        for (j, &want) in wanted.iter().enumerate().take(caps + 1).skip(1) {
            if want && !is_zero(j) {
                let (dj, e) = (adjoint(j), expr_of(j));
                code.extend(quote!(#dj = #t::accumulate(#dj, #e);));
            }
        }
        for (c, kind) in body.collections.iter().enumerate() {
            let dj = match &sinks[c] {
                Some(sink) => sink.place.clone(),
                None => {
                    let dj = adjoint(1 + caps + c);
                    quote!(#dj)
                }
            };
            let shared = sinks[c].as_ref().is_some_and(|s| s.shared);
            if !wanted[1 + caps + c] {
                continue;
            }
            for (p, e) in body.elements.iter().enumerate() {
                let p = 1 + caps + p;
                if e.collection != c || is_zero(p) {
                    continue;
                }
                let value = expr_of(p);
                let path = &e.path;
                code.extend(match kind {
                    // Another loop over the same stack has written there too.
                    Collection::Indexed if shared => quote!(
                        #dj[#i] #(#path)* = #t::owned(#t::accumulate(&#dj[#i] #(#path)*, #value));
                    ),
                    Collection::Indexed => quote!(#dj[#i] #(#path)* = #t::owned(#value);),
                    Collection::Axis(axis) => {
                        let axis = proc_macro2::Literal::usize_unsuffixed(*axis);
                        quote!(#t::assign_index_axis(&mut #dj, ::cadena::ndarray::Axis(#axis), #i, #value);)
                    }
                });
            }
        }
        if thread_carry {
            code.extend(match d.back_grads[0] {
                Some(gr) if Some(gr) == back_seed => TokenStream::new(),
                _ if is_zero(0) => quote!(#g = #t::zeros_as(&#g);),
                _ => {
                    let e = expr_of(0);
                    quote!(#g = #t::owned(#e);)
                }
            });
        }
        code
    };
    let mut every = iteration(true, false);
    if !carry_scalar && d.needs_carry {
        every = quote!(
            let #h_in_ref = match &#h_in {
                ::core::option::Option::Some(v) => v,
                ::core::option::Option::None => ::core::unreachable!("only the first iteration starts from the loop's start"),
            };
            #every
        );
    }
    // The loop's start needs its adjoint only when the caller reads it.
    let first = iteration(wanted[0], true);

    let residual_names = (0..d.residuals.len()).map(residual);
    let carried = d.needs_carry.then(|| quote!(#h_in,));
    // The carried value after an iteration is the one before the next: read from the
    // tape entry popped last, or for the last iteration from the loop's result.
    let last = local("cadena_last");
    let (start_later, take_later, pass_on) = if d.needs_output {
        let take = if carry_scalar {
            quote!(let #h_out = match #later { ::core::option::Option::Some(v) => v, ::core::option::Option::None => #last };)
        } else {
            quote!(let #h_out = match &#later { ::core::option::Option::Some(v) => v, ::core::option::Option::None => #last };)
        };
        (
            quote!(let #last = #final_value; let mut #later = ::core::option::Option::None;),
            take,
            match carry_scalar {
                true => quote!(#later = ::core::option::Option::Some(#h_in);),
                // The tape entry already holds an `Option`.
                false => quote!(#later = #h_in;),
            },
        )
    } else {
        (TokenStream::new(), TokenStream::new(), TokenStream::new())
    };
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

/// How many times the code computing `roots` reads `x`: operands of the nodes it
/// emits, and the roots themselves.
fn reads_of(g: &Graph, roots: &[NodeId], x: NodeId) -> usize {
    let live = super::scalar::live(g, roots);
    let operands: usize = g
        .ids()
        .filter(|id| live[id.index()] && !g.op(*id).is_leaf())
        .map(|id| {
            super::expr::emitted_args(g, id)
                .iter()
                .filter(|a| **a == x)
                .count()
        })
        .sum();
    operands + roots.iter().filter(|r| **r == x).count()
}

/// The derivation of every loop whose backward run computes part of `roots`: the
/// cotangent entering it, then its body's lines once, with the iteration as an index:
///
/// ```text
/// δh[end] = ((p - y) / n) · p.out.w^T
/// for l in &p.layers, last to first:
///   δh[i-1] = (δh[i] * (1 - h[i]^2)) · p.layers[i].w^T
///   dL/dp.layers[i].w = h[i-1]^T · (δh[i] * (1 - h[i]^2))
/// ```
pub fn derivation(g: &Graph, roots: &[NodeId]) -> Vec<String> {
    let live = g.live(roots);
    let names = std::collections::HashMap::new();
    let printer = super::infix::Printer {
        g,
        names: &names,
        normalize: true,
    };
    let mut lines = Vec::new();
    for back in g.ids().filter(|b| live[b.index()]) {
        let Op::LoopBack(k) = g.op(back) else {
            continue;
        };
        let body = &g.loops[*k as usize];
        let the_loop = g.args(back)[0];
        let wanted = wanted(g, &live, the_loop).expect("its backward run is live");
        let d = derive(body, &wanted);
        let carried = &body.carried;
        lines.push(format!(
            "δ{carried}[end] = {}",
            printer.print(g.args(back)[1]).0
        ));
        lines.push(format!("for {}, last to first:", body.source));
        let mut heads = Vec::new();
        let mut grads = Vec::new();
        for (p, input) in body.inputs().into_iter().enumerate() {
            let Some(grad) = d.grads[p] else { continue };
            let name = body.input_name(input);
            heads.push(if p == 0 {
                format!("δ{name}")
            } else if p <= body.captures.len() {
                format!("δ{name}[{}]", body.index)
            } else {
                format!("dL/d{name}")
            });
            grads.push(grad);
        }
        let text = super::derivation::derivation_of(&d.graph, &heads, &grads).text();
        lines.extend(text.lines().map(|l| format!("  {l}")));
    }
    lines
}

/// Gradients of a whole stack of layers or float array (from loops over it), and their
/// sums when two loops iterate the same stack: `Parameters` values, not arrays.
pub fn stack_mask(g: &Graph) -> Vec<bool> {
    let mut stacks = vec![false; g.len()];
    for id in g.ids() {
        stacks[id.index()] = match g.op(id) {
            Op::LoopPart(j) => {
                let the_loop = g.args(g.args(id)[0])[0];
                match g.op(the_loop) {
                    Op::Loop(k) => *j as usize > g.loops[*k as usize].captures.len(),
                    _ => false,
                }
            }
            Op::Add => g.args(id).iter().all(|a| stacks[a.index()]),
            _ => false,
        };
    }
    stacks
}
