//! How generated loop code names things: its locals, how the body's inputs are read in
//! each place, and the statements of a body graph.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::emit::expr::local;
use crate::ir::function::{Lowered, Usage};
use crate::ir::loops::LoopDerivative;
use crate::ir::loops::{Collection, LoopBody, Role};
use crate::ir::names::collection_local;
use crate::ir::{Graph, NodeId, Op};

/// Names in the generated loop.
pub(super) struct Names {
    pub(super) h: Ident,
    pub(super) i: Ident,
    pub(super) tape: Ident,
    pub(super) g: Ident,
    pub(super) h_in: Ident,
    pub(super) h_out: Ident,
    pub(super) later: Ident,
}

impl Names {
    pub(super) fn new() -> Names {
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

pub(super) fn capture(j: usize) -> Ident {
    local(&format!("cadena_cap{j}"))
}

pub(super) fn residual(k: usize) -> Ident {
    local(&format!("cadena_r{k}"))
}

pub(super) fn adjoint(j: usize) -> Ident {
    local(&format!("cadena_d{j}"))
}

/// The derivative of loop `id` when a backward run of it is live: `None` when none is
/// (the loop runs without a tape).
pub fn run_backwards<'g>(g: &'g Graph, live: &[bool], id: NodeId) -> Option<&'g LoopDerivative> {
    g.ids()
        .any(|b| live[b.index()] && matches!(g.op(b), Op::LoopBack(_)) && g.args(b)[0] == id)
        .then(|| g.derivative(id))
}

/// A forward iteration's statements for `roots` with the stored inner loops run with
/// tapes: the expressions of `roots`, then those of the stored tapes.
pub(super) fn taped_statements(
    mut lowered: Lowered,
    g: &Graph,
    roots: &[NodeId],
    stored: &[(NodeId, NodeId)],
) -> (TokenStream, Vec<TokenStream>) {
    lowered.usage.taped_loops = stored.iter().map(|(f, _)| f.index()).collect();
    let mut all = roots.to_vec();
    all.extend(stored.iter().map(|(f, _)| *f));
    let (stmts, mut exprs) = statements(&lowered, g, &all);
    for e in &mut exprs[roots.len()..] {
        let ident: Ident = syn::parse2(e.clone()).expect("a loop is a statement");
        let tape = tape_local(&ident);
        *e = quote!(#tape);
    }
    (stmts, exprs)
}

/// How a backward iteration reads the stored tapes: as residuals `first..`, each read
/// (moved) where the backward graph's copy of its loop would run.
pub(super) fn stored_reads(stored: &[(NodeId, NodeId)], first: usize) -> Vec<(usize, TokenStream)> {
    stored
        .iter()
        .enumerate()
        .map(|(s, (_, back))| {
            let r = residual(first + s);
            (back.index(), quote!(#r))
        })
        .collect()
}

/// The local holding a loop's tape, beside the loop's own value.
pub fn tape_local(value: &Ident) -> Ident {
    local(&format!("{value}_tape"))
}

/// An `Lowered` through which the emitters read a body graph: its inputs' access and
/// which of them are floats.
pub(super) fn lowered_for(
    outer: &Lowered,
    access: Vec<TokenStream>,
    scalar: Vec<usize>,
) -> Lowered {
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
        parts: Vec::new(),
    }
}

pub(super) fn statements(
    lowered: &Lowered,
    g: &Graph,
    roots: &[NodeId],
) -> (TokenStream, Vec<TokenStream>) {
    if lowered.tensor {
        crate::emit::tensor::statements(g, lowered, roots)
    } else {
        crate::emit::scalar::statements(g, lowered, roots)
    }
}

/// How an input is read where `value` names it: by reference if it is an array.
pub(super) fn read(value: &Ident, scalar: bool) -> TokenStream {
    if scalar {
        quote!(#value)
    } else {
        quote!(&#value)
    }
}

/// Access tokens and float inputs of the body graph (`g`'s inputs, `g` being the body or
/// a graph sharing its inputs), carried value `j` read through `carries[j]`.
pub(super) fn body_access(
    body: &LoopBody,
    g: &Graph,
    carries: &[TokenStream],
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
        access[k] = match body.role(p) {
            Role::Carry(j) => {
                if scalar[j] {
                    floats.push(k);
                }
                carries[j].clone()
            }
            Role::Capture(_) => {
                if scalar[operand] {
                    floats.push(k);
                }
                let c = capture(p);
                quote!(#c)
            }
            Role::Element(e) => {
                let e = &body.elements[e];
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
            }
        };
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

/// `let (cadena_capJ, cadena_collC, ..) = (..);` from the loop's operand bindings
/// (`bind[j]` for `Loop` operand `j`), after `extra` (a start, a cotangent).
pub(super) fn bind_operands(
    body: &LoopBody,
    bind: &[TokenStream],
    extra: Vec<(Ident, TokenStream)>,
) -> TokenStream {
    let (mut names, mut values): (Vec<Ident>, Vec<TokenStream>) = extra.into_iter().unzip();
    for c in 0..body.captures.len() {
        let j = body.capture_operand(c);
        names.push(capture(j));
        values.push(bind[j].clone());
    }
    for c in 0..body.collections.len() {
        names.push(collection_local(c));
        values.push(bind[body.collection_operand(c)].clone());
    }
    // All at once: in a loop inside a loop, a value may read the enclosing loop's
    // `cadena_cap0`, which a `let` of this loop's own would already have shadowed.
    match names.len() {
        0 => TokenStream::new(),
        _ => quote!(let (#(#names,)*) = (#(#values,)*);),
    }
}
