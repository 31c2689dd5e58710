//! The span a node of the graph keeps: its expression's first token. syn's
//! `Spanned::span` finds it by printing the whole expression to tokens, so calling it at
//! every level of a deep expression (`tanh(tanh(..))`, `a + b + ..`, `if` in `if`) made
//! lowering quadratic in the depth; this walks down the leftmost operands instead. On
//! stable Rust a span cannot join two tokens, so the result is the same span.

use proc_macro2::Span;
use syn::Expr;
use syn::spanned::Spanned;

/// The span of `e`'s first token.
pub fn first(e: &Expr) -> Span {
    match e {
        Expr::Binary(b) => first(&b.left),
        Expr::Call(c) => first(&c.func),
        Expr::MethodCall(m) => first(&m.receiver),
        Expr::Field(f) => first(&f.base),
        Expr::Index(i) => first(&i.expr),
        Expr::Cast(c) => first(&c.expr),
        Expr::Range(r) => match &r.start {
            Some(start) => first(start),
            None => r.limits.span(),
        },
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
