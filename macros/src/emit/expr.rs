//! Rust expressions for single nodes, shared by the scalar and tensor emitters: float
//! literals, elementwise operations on scalar operands (also the bodies of fused tensor
//! closures), and calls of the runtime's tensor helpers.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

pub use crate::ir::emitted::{emitted_args, one_minus_square};
use crate::ir::function::{Float, Lowered};
pub use crate::ir::names::local;
use crate::ir::ops::Emit;
use crate::ir::{Graph, NodeId, Op};

pub fn float_type(lowered: &Lowered) -> TokenStream {
    match lowered.float {
        Float::F32 => quote!(f32),
        Float::F64 => quote!(f64),
        Float::Alias => {
            let ty = &lowered.float_ty;
            quote!(#ty)
        }
    }
}

/// The constant `v` in the function's float type: a suffixed literal, or for an alias
/// `cadena::Float::of` of one (which the optimiser folds).
pub fn literal(v: f64, lowered: &Lowered) -> TokenStream {
    if lowered.float == Float::Alias {
        // Spanned at the alias, which the user wrote: where it names no float (`-> Mode`,
        // an enum), rustc's error is on it, the same as for the signature, so one.
        let ty = &lowered.float_ty;
        let v = f64_literal(v);
        return quote_spanned!(syn::spanned::Spanned::span(ty)=> <#ty as ::cadena::Float>::of(#v));
    }
    let ty = float_type(lowered);
    if v.is_nan() {
        return quote!(#ty::NAN);
    }
    if v.is_infinite() {
        return if v > 0.0 {
            quote!(#ty::INFINITY)
        } else {
            quote!(#ty::NEG_INFINITY)
        };
    }
    // A constant the macro folded may overflow f32 though every literal written fits
    // (`(x * 1e20).powi(2)`): it is infinite there, as the unfolded arithmetic would be.
    if lowered.float == Float::F32 && !(v as f32).is_finite() {
        return literal(
            if v > 0.0 {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            },
            lowered,
        );
    }
    let lit = match lowered.float {
        Float::F32 => Literal::f32_suffixed(v.abs() as f32),
        _ => Literal::f64_suffixed(v.abs()),
    };
    if v.is_sign_negative() {
        quote!((-#lit))
    } else {
        quote!(#lit)
    }
}

fn f64_literal(v: f64) -> TokenStream {
    if v.is_nan() {
        quote!(f64::NAN)
    } else if v.is_infinite() {
        if v > 0.0 {
            quote!(f64::INFINITY)
        } else {
            quote!(f64::NEG_INFINITY)
        }
    } else {
        let lit = Literal::f64_suffixed(v.abs());
        if v.is_sign_negative() {
            quote!((-#lit))
        } else {
            quote!(#lit)
        }
    }
}

/// Which runtime kernels an elementwise op calls.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kernels {
    /// `cadena::ops::scalar` and std's float methods (libm): exact to rounding.
    Exact,
    /// Inside fused tensor maps: the vectorisable approximations of `t::fast` where an op
    /// has one (`exp`, `tanh`, `sigmoid`).
    Fast,
    /// Inside `grad_sum`'s chunks of samples: `cadena::ops::lanes`, branch-free
    /// polynomials within a few ulp of libm, so the chunk loop vectorises.
    Lanes,
}

/// Which operand of product `id` is a gate (0 or 1: a step or a `max`/`min` routing), if
/// one is.
fn gate_operand(g: &Graph, id: NodeId) -> Option<usize> {
    if *g.op(id) != Op::Mul {
        return None;
    }
    let gate = |x: &NodeId| matches!(g.op(*x), Op::Step | Op::GreaterEq | Op::LessEq);
    g.args(id).iter().position(gate)
}

/// An elementwise node (or a scalar loss) on scalar operand expressions `a`, calling the
/// `kernels` asked for.
pub fn elementwise(
    g: &Graph,
    id: NodeId,
    a: &[TokenStream],
    lowered: &Lowered,
    kernels: Kernels,
) -> TokenStream {
    let n = g.node(id);
    let span = n.span;
    if one_minus_square(g, id).is_some() {
        let (one, x) = (literal(1.0, lowered), &a[0]);
        return quote_spanned!(span=> (#one - #x) * (#one + #x));
    }
    let spec = n.op.spec();
    let args = with_payload(&n.op, a, |p| {
        let lit = Literal::i32_suffixed(p as i32);
        quote!(#lit)
    });
    if kernels == Kernels::Fast
        && let Some(name) = spec.fast
    {
        let name = format_ident!("{}", name, span = span);
        return quote_spanned!(span=> ::cadena::__private::t::fast::#name(#(#args),*));
    }
    if kernels == Kernels::Lanes {
        match spec.emit {
            Emit::Method(name) if spec.lanes => {
                let name = format_ident!("{}", name, span = span);
                return quote_spanned!(span=> ::cadena::__private::lanes::#name(#(#args),*));
            }
            Emit::Scalar(name) => {
                let name = format_ident!("{}", name, span = span);
                return quote_spanned!(span=> ::cadena::__private::lanes::#name(#(#args),*));
            }
            _ => {}
        }
    }
    match spec.emit {
        // A gradient through a gate (`relu`'s step, `max`'s routing) selects instead of
        // multiplying: where the gate is shut the adjoint is 0, also when what it gates is
        // infinite or NaN at a clamped value (`sqrt(relu(x))` at x < 0 gave 0 · ∞ = NaN).
        // A select, branch-free where vectorised (`grad_sum`'s lanes too).
        Emit::Infix("*") if let Some(k) = gate_operand(g, id) => {
            let (gate, other) = (&args[k], &args[1 - k]);
            let zero = literal(0.0, lowered);
            // Both bound first: an operand written as a block (`{ let c: f64 = K; c }`)
            // would end a statement at the head of `{ .. * gate }`. Hygienic names, not
            // to hide a user's `gate` read by the operands.
            let (g_, v_) = (
                crate::ir::names::local("cadena_gate"),
                crate::ir::names::local("cadena_gated"),
            );
            quote_spanned!(span=> {
                let #v_ = #other;
                let #g_ = #gate;
                if #g_ == #zero { #zero } else { #v_ * #g_ }
            })
        }
        Emit::Infix(symbol) => {
            let (x, y, op) = (&args[0], &args[1], spanned(symbol, span));
            quote_spanned!(span=> #x #op #y)
        }
        Emit::Prefix(symbol) => {
            let (x, op) = (&args[0], spanned(symbol, span));
            quote_spanned!(span=> #op #x)
        }
        // Inside a fused map's closure the element type may not be known yet where the
        // closure is type-checked (a loop's state is an `Option` inferred later): a call
        // through the float trait needs no receiver type, a method call does.
        Emit::Method(name) if kernels == Kernels::Fast => {
            let method = format_ident!("{}", name, span = span);
            quote_spanned!(span=> ::cadena::__private::num_traits::Float::#method(#(#args),*))
        }
        Emit::Method(name) => {
            let method = format_ident!("{}", name, span = span);
            let (x, rest) = (&args[0], &args[1..]);
            quote_spanned!(span=> #x.#method(#(#rest),*))
        }
        Emit::Scalar(name) => {
            let name = format_ident!("{}", name, span = span);
            quote_spanned!(span=> ::cadena::__private::scalar::#name(#(#args),*))
        }
        Emit::Custom => custom_call(g, &n.op, a, span),
        Emit::None => helper_call(g, id, a),
    }
}

/// A call of a function with a hand-written derivative: `path(a, ..)` for its value,
/// `path::derivative(a, ..)` (field `k` of its tuple when it has several arguments) for
/// partial `k`.
fn custom_call(g: &Graph, op: &Op, a: &[TokenStream], span: Span) -> TokenStream {
    let code = op.payload().unwrap_or(0) as usize;
    match op {
        Op::Custom(_) => {
            let path = &g.customs[code].path;
            quote_spanned!(span=> #path(#(#a),*))
        }
        _ => {
            let f = &g.customs[code / 16];
            let path = &f.path;
            let call = quote_spanned!(span=> #path::derivative(#(#a),*));
            if f.arity == 1 {
                call
            } else {
                let k = syn::Index::from(code % 16);
                quote_spanned!(span=> #call.#k)
            }
        }
    }
}

/// A call of the runtime tensor helper implementing a node: `t::dot(&x, &w)`, with an
/// axis payload as `Axis(k)` after the first operand.
pub fn helper_call(g: &Graph, id: NodeId, a: &[TokenStream]) -> TokenStream {
    let n = g.node(id);
    let span = n.span;
    let parts: Vec<Span> = g.args(id).iter().map(|p| g.node(*p).span).collect();
    if let Some(call) = join_call(&n.op, a, &parts, span) {
        return call;
    }
    let name = n.op.spec().tensor.unwrap_or(n.op.name());
    let name = format_ident!("{}", name, span = span);
    let args = with_payload(&n.op, a, |k| {
        let k = Literal::usize_unsuffixed(k as usize);
        quote!(::cadena::ndarray::Axis(#k))
    });
    quote_spanned!(span=> ::cadena::__private::t::#name(#(#args),*))
}

/// Joins take their parts as a slice of views (`t::concatenate(Axis(1), &[..])`), each
/// spanned at the part the user wrote (`parts`: parts of different ranks are a type error
/// on the part), and a part of a concatenation's adjoint the lengths of every part along
/// the axis.
fn join_call(op: &Op, a: &[TokenStream], parts: &[Span], span: Span) -> Option<TokenStream> {
    let t = quote!(::cadena::__private::t);
    let axis = |k: &usize| {
        let k = Literal::usize_unsuffixed(*k);
        quote!(::cadena::ndarray::Axis(#k))
    };
    Some(match op {
        Op::Concatenate(k) | Op::Stack(k) => {
            let name = format_ident!("{}", op.name(), span = span);
            let axis = axis(k);
            let views = a
                .iter()
                .zip(parts)
                .map(|(a, &at)| quote_spanned!(at=> ::cadena::__private::t::view(&#a)));
            quote_spanned!(span=> #t::#name(#axis, &[#(#views),*]))
        }
        Op::ConcatenatePart(k) => {
            let axis = axis(k);
            let (g, position, parts) = (&a[0], &a[1], &a[2..]);
            quote_spanned!(span=> #t::concatenate_part(#g, #axis, #position, &[#(#t::len_of(&#parts, #axis)),*]))
        }
        _ => return None,
    })
}

/// The operands with the op's payload, if it has one, written by `write` right after the
/// first operand (`x.powi(2)`, `sum_axis(x, Axis(1))`).
fn with_payload(
    op: &Op,
    a: &[TokenStream],
    write: impl Fn(i64) -> TokenStream,
) -> Vec<TokenStream> {
    let mut args = a.to_vec();
    if let Some(p) = op.payload() {
        args.insert(1.min(args.len()), write(p));
    }
    args
}

/// An operator symbol as tokens carrying the user's span, so that a type error in the
/// generated expression points at what they wrote.
fn spanned(symbol: &str, span: Span) -> TokenStream {
    symbol
        .parse::<TokenStream>()
        .unwrap_or_default()
        .into_iter()
        .map(|mut tt| {
            tt.set_span(span);
            tt
        })
        .collect()
}

/// `slot += value` for a gradient slot (a struct field, a stack element's field), emitted
/// as `accumulate` into a fresh value that `put` stores, giving the slot's old buffer back
/// to the pool. (`slot` is read by reference: `accumulate` cannot write into it.)
pub fn accumulate_into_slot(slot: &TokenStream, value: &TokenStream) -> TokenStream {
    let t = quote!(::cadena::__private::t);
    let sum = local("cadena_sum");
    quote!({
        let #sum = #t::accumulate(&#slot, #value);
        #t::put(&mut #slot, #sum);
    })
}
