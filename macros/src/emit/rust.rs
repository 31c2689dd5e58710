//! Graph → Rust statements. Each live node becomes one `let`, in arena order (operands
//! before users); leaves are referenced in place. Every expression carries the span of the
//! source it came from, so a type error in generated code points at the user's tokens.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::graph::{Fun, Graph, NodeId, Op};
use crate::lower::{Float, Lowered, leaf_tokens};

/// Emits the statements computing `roots` and the expression naming each root.
pub fn statements(
    g: &Graph,
    lowered: &Lowered,
    roots: &[NodeId],
) -> (TokenStream, Vec<TokenStream>) {
    let live = live(g, roots);
    let mut names: Vec<Option<Ident>> = vec![None; g.len()];
    let mut taken = std::collections::HashSet::new();
    for id in g
        .ids()
        .filter(|id| live[id.index()] && !g.op(*id).is_leaf())
    {
        // Locals use mixed-site hygiene: they can neither capture nor shadow user names.
        names[id.index()] = Some(match g.name(id) {
            Some(n) if taken.insert(n.to_string()) => {
                format_ident!("{}", n, span = Span::mixed_site())
            }
            _ => format_ident!("t{}", id.0, span = Span::mixed_site()),
        });
    }
    let e = Emitter {
        g,
        lowered,
        names: &names,
    };
    let mut stmts = TokenStream::new();
    for id in g.ids() {
        if let Some(ident) = &names[id.index()] {
            let value = e.node(id);
            stmts.extend(quote!(let #ident = #value;));
        }
    }
    let exprs = roots.iter().map(|&r| e.operand(r)).collect();
    (stmts, exprs)
}

/// The operands a node's emitted code reads. Differs from the graph's operands where the
/// emitter evaluates a pattern in a better form (see [`Emitter::node`]).
fn emitted_args(g: &Graph, id: NodeId) -> Vec<NodeId> {
    match one_minus_square(g, id) {
        Some(x) => vec![x],
        None => g.args(id).to_vec(),
    }
}

/// `x` if `id` is `1 - x^2`.
fn one_minus_square(g: &Graph, id: NodeId) -> Option<NodeId> {
    if *g.op(id) != Op::Sub {
        return None;
    }
    let [one, sq] = g.args(id) else { return None };
    if g.const_value(*one) != Some(1.0) || *g.op(*sq) != Op::Powi(2) {
        return None;
    }
    Some(g.args(*sq)[0])
}

fn live(g: &Graph, roots: &[NodeId]) -> Vec<bool> {
    let mut live = vec![false; g.len()];
    for r in roots {
        live[r.index()] = true;
    }
    for id in g.ids().rev() {
        if live[id.index()] {
            for a in emitted_args(g, id) {
                live[a.index()] = true;
            }
        }
    }
    live
}

struct Emitter<'a> {
    g: &'a Graph,
    lowered: &'a Lowered,
    names: &'a [Option<Ident>],
}

impl Emitter<'_> {
    /// How a node is referenced from another node's expression.
    fn operand(&self, id: NodeId) -> TokenStream {
        if let Some(ident) = &self.names[id.index()] {
            return quote!(#ident);
        }
        let op = self.g.op(id);
        if let Some(v) = op.const_value() {
            return self.literal(v);
        }
        leaf_tokens(self.lowered, self.g, op).expect("non-leaf nodes are emitted before use")
    }

    fn literal(&self, v: f64) -> TokenStream {
        let ty = match self.lowered.float {
            Float::F32 => quote!(f32),
            Float::F64 => quote!(f64),
        };
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
        let lit = match self.lowered.float {
            Float::F32 => Literal::f32_suffixed(v.abs() as f32),
            Float::F64 => Literal::f64_suffixed(v.abs()),
        };
        if v.is_sign_negative() {
            quote!((-#lit))
        } else {
            quote!(#lit)
        }
    }

    fn node(&self, id: NodeId) -> TokenStream {
        let n = self.g.node(id);
        let span = n.span;
        let rt = quote!(::cadena::__private::scalar);
        // 1 - a^2 is evaluated as (1 - a)(1 + a): no cancellation when |a| is near 1,
        // where tanh saturates (the form JAX uses for tanh').
        if let Some(x) = one_minus_square(self.g, id) {
            let x = self.operand(x);
            let one = self.literal(1.0);
            return quote_spanned!(span=> (#one - #x) * (#one + #x));
        }
        let a: Vec<TokenStream> = n.args.iter().map(|&x| self.operand(x)).collect();
        let (x, y) = (a.first(), a.get(1));
        match &n.op {
            Op::Add => quote_spanned!(span=> #x + #y),
            Op::Sub => quote_spanned!(span=> #x - #y),
            Op::Mul => quote_spanned!(span=> #x * #y),
            Op::Div => quote_spanned!(span=> #x / #y),
            Op::Neg => quote_spanned!(span=> -#x),
            Op::Fun(f) => match f {
                Fun::Sigmoid | Fun::Relu | Fun::Softplus | Fun::Step | Fun::Sign => {
                    let name = format_ident!("{}", f.name(), span = span);
                    quote_spanned!(span=> #rt::#name(#x))
                }
                _ => {
                    let method = format_ident!("{}", f.name(), span = span);
                    quote_spanned!(span=> #x.#method())
                }
            },
            Op::Powi(k) => quote_spanned!(span=> #x.powi(#k)),
            Op::Powf => quote_spanned!(span=> #x.powf(#y)),
            Op::Max => quote_spanned!(span=> #x.max(#y)),
            Op::Min => quote_spanned!(span=> #x.min(#y)),
            Op::Ge => quote_spanned!(span=> #rt::ge(#x, #y)),
            Op::Bce => quote_spanned!(span=> #rt::bce(#x, #y)),
            Op::BceLogits => quote_spanned!(span=> #rt::bce_logits(#x, #y)),
            Op::Mse => quote_spanned!(span=> #rt::mse(#x, #y)),
            Op::Input(_) | Op::Const(_) | Op::Named(_) => {
                unreachable!("leaves are not emitted as statements")
            }
        }
    }
}
