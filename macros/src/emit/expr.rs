//! Rust expressions for single nodes, shared by the scalar and tensor emitters: float
//! literals, elementwise operations on scalar operands (also the bodies of fused tensor
//! closures), and calls of the runtime's tensor helpers.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::graph::{Fun, Graph, NodeId, Op};
use crate::lower::Float;

/// The operands a node's emitted code reads. Differs from the graph's operands where the
/// emitter evaluates a pattern in a better form (see [`one_minus_square`]).
pub fn emitted_args(g: &Graph, id: NodeId) -> Vec<NodeId> {
    match one_minus_square(g, id) {
        Some(x) => vec![x],
        None => g.args(id).to_vec(),
    }
}

/// `x` if `id` is `1 - x^2`, which is evaluated as `(1 - x)(1 + x)`: no cancellation when
/// |x| is near 1, where tanh saturates (the form JAX uses for tanh').
pub fn one_minus_square(g: &Graph, id: NodeId) -> Option<NodeId> {
    if *g.op(id) != Op::Sub {
        return None;
    }
    let [one, sq] = g.args(id) else { return None };
    if g.const_value(*one) != Some(1.0) || *g.op(*sq) != Op::Powi(2) {
        return None;
    }
    Some(g.args(*sq)[0])
}

pub fn float_type(float: Float) -> TokenStream {
    match float {
        Float::F32 => quote!(f32),
        Float::F64 => quote!(f64),
    }
}

pub fn literal(v: f64, float: Float) -> TokenStream {
    let ty = float_type(float);
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
    let lit = match float {
        Float::F32 => Literal::f32_suffixed(v.abs() as f32),
        Float::F64 => Literal::f64_suffixed(v.abs()),
    };
    if v.is_sign_negative() {
        quote!((-#lit))
    } else {
        quote!(#lit)
    }
}

/// An elementwise node (or a scalar loss) on scalar operand expressions `a`. With `fast`,
/// `exp`, `tanh` and `sigmoid` use the runtime's vectorisable approximations.
pub fn elementwise(
    g: &Graph,
    id: NodeId,
    a: &[TokenStream],
    float: Float,
    fast: bool,
) -> TokenStream {
    let n = g.node(id);
    let span = n.span;
    let rt = quote!(::cadena::__private::scalar);
    let (x, y) = (a.first(), a.get(1));
    if one_minus_square(g, id).is_some() {
        let one = literal(1.0, float);
        return quote_spanned!(span=> (#one - #x) * (#one + #x));
    }
    match &n.op {
        Op::Add => quote_spanned!(span=> #x + #y),
        Op::Sub => quote_spanned!(span=> #x - #y),
        Op::Mul => quote_spanned!(span=> #x * #y),
        Op::Div => quote_spanned!(span=> #x / #y),
        Op::Neg => quote_spanned!(span=> -#x),
        Op::Fun(f @ (Fun::Exp | Fun::Tanh | Fun::Sigmoid)) if fast => {
            let name = format_ident!("{}", f.name(), span = span);
            quote_spanned!(span=> ::cadena::__private::t::fast::#name(#x))
        }
        Op::Fun(f @ (Fun::Sigmoid | Fun::Relu | Fun::Softplus | Fun::Step | Fun::Sign)) => {
            let name = format_ident!("{}", f.name(), span = span);
            quote_spanned!(span=> #rt::#name(#x))
        }
        Op::Fun(f) => {
            let method = format_ident!("{}", f.name(), span = span);
            quote_spanned!(span=> #x.#method())
        }
        Op::Powi(k) => quote_spanned!(span=> #x.powi(#k)),
        Op::Powf => quote_spanned!(span=> #x.powf(#y)),
        Op::Max => quote_spanned!(span=> #x.max(#y)),
        Op::Min => quote_spanned!(span=> #x.min(#y)),
        Op::Ge => quote_spanned!(span=> #rt::ge(#x, #y)),
        Op::Bce => quote_spanned!(span=> #rt::bce(#x, #y)),
        Op::BceLogits => quote_spanned!(span=> #rt::bce_logits(#x, #y)),
        Op::Mse => quote_spanned!(span=> #rt::mse(#x, #y)),
        _ => helper_call(g, id, a),
    }
}

/// A call of the runtime tensor helper implementing a node: `t::dot(&x, &w)`.
pub fn helper_call(g: &Graph, id: NodeId, a: &[TokenStream]) -> TokenStream {
    let n = g.node(id);
    let span = n.span;
    let t = quote!(::cadena::__private::t);
    let name = format_ident!("{}", n.op.name(), span = span);
    match &n.op {
        Op::SumAxis(k) | Op::MeanAxis(k) => {
            quote_spanned!(span=> #t::#name(#(#a),*, ::cadena::ndarray::Axis(#k)))
        }
        Op::BroadcastAxisTo(k) | Op::MeanAxisVjp(k) => {
            let (g0, like) = (&a[0], &a[1]);
            quote_spanned!(span=> #t::#name(#g0, ::cadena::ndarray::Axis(#k), #like))
        }
        _ => quote_spanned!(span=> #t::#name(#(#a),*)),
    }
}

/// A local's identifier: hygienic (mixed-site), so it can neither capture nor shadow the
/// user's names.
pub fn local(name: &str) -> proc_macro2::Ident {
    format_ident!("{}", name, span = Span::mixed_site())
}
