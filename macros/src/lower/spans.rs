//! The span a node of the graph keeps: its expression's first token. syn's
//! `Spanned::span` finds it by printing the whole expression to tokens, so calling it at
//! every level of a deep expression (`tanh(tanh(..))`, `a + b + ..`, `if` in `if`) made
//! lowering quadratic in the depth; this walks down the leftmost operands instead. On
//! stable Rust a span cannot join two tokens, so the result is the same span.

use proc_macro2::Span;
use syn::Expr;
use syn::spanned::Spanned;

/// The operand an expression's first token belongs to, for the forms written after one
/// (`a + b`, `f(x)`, `x.m()`, `x?`, `a..b`): the expression's left spine.
pub fn left_operand(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Binary(b) => Some(&b.left),
        Expr::Assign(a) => Some(&a.left),
        Expr::Call(c) => Some(&c.func),
        Expr::MethodCall(m) => Some(&m.receiver),
        Expr::Field(f) => Some(&f.base),
        Expr::Index(i) => Some(&i.expr),
        Expr::Cast(c) => Some(&c.expr),
        Expr::Try(t) => Some(&t.expr),
        Expr::Await(a) => Some(&a.base),
        Expr::Range(r) => r.start.as_deref(),
        _ => None,
    }
}

/// The span of `e`'s first token.
pub fn first(e: &Expr) -> Span {
    if let Some(left) = left_operand(e) {
        return first(left);
    }
    match e {
        Expr::Range(r) => r.limits.span(),
        Expr::Paren(p) if p.attrs.is_empty() => p.paren_token.span.open(),
        Expr::Unary(u) if u.attrs.is_empty() => u.op.span(),
        Expr::Reference(r) if r.attrs.is_empty() => r.and_token.span,
        Expr::If(i) if i.attrs.is_empty() => i.if_token.span,
        Expr::Match(m) if m.attrs.is_empty() => m.match_token.span,
        Expr::Block(b) if b.attrs.is_empty() && b.label.is_none() => {
            b.block.brace_token.span.open()
        }
        Expr::Tuple(t) if t.attrs.is_empty() => t.paren_token.span.open(),
        Expr::Array(a) if a.attrs.is_empty() => a.bracket_token.span.open(),
        Expr::Path(p) if p.attrs.is_empty() && p.qself.is_none() => match &p.path.leading_colon {
            Some(colon) => colon.spans[0],
            None => p
                .path
                .segments
                .first()
                .map_or_else(|| p.span(), |s| s.ident.span()),
        },
        Expr::Lit(l) if l.attrs.is_empty() => l.lit.span(),
        // Anything with attributes, or rarer forms: syn's own (the attributes come first).
        other => other.span(),
    }
}
