//! Integer operands: a convolution's stride and padding, a pool's window, an index, the
//! `s![..]` of a slice, the ids of a gather, and `n as f64`. None of them is
//! differentiated or computed by the graph; each becomes an opaque leaf holding the tokens
//! the user wrote ([`Op::Named`](crate::ir::graph::Op::Named)), emitted where the op needs it.
//! The tokens may read the function's non-float arguments and constants from scope; a
//! value of the graph (a `let` or a float argument) has no integer meaning there, so it is
//! reported.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::Expr;
use syn::spanned::Spanned;

use super::body::Body;
use super::inline::Binding;
use crate::ir::graph::NodeId;
use crate::types::Float;

impl Body<'_> {
    /// An integer operand of an op (`stride`, `(1, 1)`, `s![0..t, ..]`, `&ids`), as a leaf.
    pub fn integer_operand(&mut self, e: &Expr, what: &str) -> Option<NodeId> {
        self.check_integer_tokens(e.to_token_stream(), what)?;
        Some(self.opaque(e))
    }

    /// `n as f64`: an integer argument (or an expression of them) read as a float
    /// constant, which the derivative treats like any other constant.
    pub fn cast(&mut self, c: &syn::ExprCast) -> Option<NodeId> {
        let ty = c.ty.to_token_stream().to_string();
        const INTEGERS: &[&str] = &[
            "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
            "bool",
        ];
        if INTEGERS.contains(&ty.as_str()) {
            self.cx.error(&c.ty, "`as` casts in #[differentiable] functions turn integers into the function's float type (`n as f64`); a cast to an integer has no derivative");
            return None;
        }
        // `x as f64` of an array or struct argument: rustc would refuse the cast, and
        // where the graph never reads it, it would never see it.
        let mut operand = &*c.expr;
        loop {
            operand = match operand {
                Expr::Paren(p) => &p.expr,
                Expr::Group(g) => &g.expr,
                Expr::Cast(c) => &c.expr,
                _ => break,
            };
        }
        if let Expr::Path(p) = operand
            && let Some(ident) = p.path.get_ident()
            && let Some(param) = self.params.iter().find(|q| q.ident == *ident)
            && !self.calls.inlined()
            && matches!(
                param.kind,
                crate::types::Kind::Struct | crate::types::Kind::Array { .. }
            )
        {
            let what = match param.kind {
                crate::types::Kind::Struct => "a parameter struct".to_string(),
                _ => format!("an array (its size is `{ident}.len() as f64`)"),
            };
            self.cx.error(c, format!("`{ident}` is {what}, not a number: `as` turns an integer into a float (`n as f64`)"));
            return None;
        }
        // `n as f64` in a function computing in `f32`: a value of the other float type,
        // which rustc refuses beside the function's (the macro would read it as one).
        if let Some(written) = Float::of(&c.ty)
            && let Some(computes) = self.float_ty.as_ref().and_then(Float::of)
            && written != computes
        {
            self.cx.error(
                &c.ty,
                format!(
                    "this function computes in `{}`: cast to it (`as {0}`), not to `{}`",
                    computes.name(),
                    written.name()
                ),
            );
            return None;
        }
        self.check_integer_tokens(c.expr.to_token_stream(), "the operand of `as`")?;
        Some(self.opaque(&Expr::Cast(c.clone())))
    }

    /// Integer tokens as the emitted code reads them: checked, and with an inlined
    /// helper's integer parameters replaced by what its caller passed.
    pub fn integer_tokens(&mut self, e: &Expr, what: &str) -> Option<TokenStream> {
        self.check_integer_tokens(e.to_token_stream(), what)?;
        Some(self.substitute(e.to_token_stream()))
    }

    /// `tokens` with each integer parameter of an inlined helper replaced by the
    /// caller's tokens for it, in parentheses, and the index of the loop being lowered by
    /// the generated loop's own (`cadena_i`, bound where the body's forward and backward
    /// run).
    fn substitute(&self, tokens: TokenStream) -> TokenStream {
        self.substitute_index(tokens, self.visible_index())
    }

    /// `substitute` with `index` the name the generated loop's `cadena_i` stands for.
    pub(in crate::lower) fn substitute_index(
        &self,
        tokens: TokenStream,
        index: Option<String>,
    ) -> TokenStream {
        let integers = self
            .calls
            .aliases
            .values()
            .any(|b| matches!(b, Binding::Integer(_)));
        if index.is_none() && !integers {
            return tokens;
        }
        let reads: Vec<proc_macro2::Ident> = idents(tokens.clone());
        tokens
            .into_iter()
            .map(|tt| match tt {
                TokenTree::Group(g) => {
                    let mut copy = proc_macro2::Group::new(
                        g.delimiter(),
                        self.substitute_index(g.stream(), index.clone()),
                    );
                    copy.set_span(g.span());
                    TokenTree::Group(copy)
                }
                // Only names read as values (`n` in `0..n`), not `x.n` or `a::n`.
                TokenTree::Ident(i)
                    if index.as_deref() == Some(&*i.to_string()) && reads.contains(&i) =>
                {
                    TokenTree::Ident(crate::ir::names::local("cadena_i"))
                }
                TokenTree::Ident(i) if reads.contains(&i) => {
                    match self.calls.aliases.get(&i.to_string()) {
                        Some(Binding::Integer(with)) => TokenTree::Group(proc_macro2::Group::new(
                            proc_macro2::Delimiter::Parenthesis,
                            with.clone(),
                        )),
                        _ => TokenTree::Ident(i),
                    }
                }
                other => other,
            })
            .collect()
    }

    /// The name of the index of the loop being lowered, where this body sees it.
    fn visible_index(&self) -> Option<String> {
        let ctx = self.looping.as_ref()?;
        ctx.index.clone().filter(|_| !ctx.hidden)
    }

    fn opaque(&mut self, e: &Expr) -> NodeId {
        let written = e.to_token_stream();
        let tokens = self.substitute(written.clone());
        let index = self.visible_index();
        let reads_index = index.is_some_and(|n| idents(written).iter().any(|i| *i == n));
        // Derivations show the loop's index as written (`t+1`); anything else as emitted.
        let text = match reads_index {
            true => e.to_token_stream().to_string().replace(' ', ""),
            false => tokens.to_string().replace(' ', ""),
        };
        self.graph
            .named_const(text, quote::quote!((#tokens)), e.span())
    }

    /// Reports a read of a graph value in integer tokens; notes the arguments read.
    fn check_integer_tokens(&mut self, tokens: TokenStream, what: &str) -> Option<()> {
        let mut ok = true;
        let with_member = member_owners(tokens.clone());
        for ident in idents(tokens) {
            let name = ident.to_string();
            // Arguments keep their names in the emitted code (a float one is the
            // type checker's to judge); `let`s do not.
            // The loop's index is bound in the generated loop (see `substitute`).
            let in_loop = self.visible_index().as_deref() == Some(name.as_str());
            let param =
                self.params.iter().any(|p| p.ident == ident) && !self.calls.inlined() && !in_loop;
            let float = self
                .params
                .iter()
                .any(|p| p.ident == ident && p.kind == crate::types::Kind::Float);
            let enclosing = self
                .outer_loops
                .iter()
                .any(|l| !l.hidden && l.index.as_deref() == Some(name.as_str()));
            // `h0..t` of a float array or a struct argument: no integer (its size is).
            let whole = self.params.iter().any(|p| {
                p.ident == ident
                    && matches!(
                        p.kind,
                        crate::types::Kind::Array { elem: Some(_), .. }
                            | crate::types::Kind::Struct
                    )
            }) && !with_member.contains(&ident);
            let problem = if in_loop {
                None
            } else if whole && param {
                Some(format!(
                    "{what} must be an integer, and `{name}` is an array or a struct: read a size of it (`{name}.nrows()`, `{name}.len_of(Axis(k))`) or an integer argument"
                ))
            } else if enclosing {
                Some(format!(
                    "{what} reads `{name}`, the index of an enclosing loop: take what it selects in that loop's body, before this loop (`let xt = x.index_axis(Axis(1), {name});`), and read that here"
                ))
            } else if self.scope.contains(&name) || float {
                let advice = match float && what.contains("`as`") {
                    true => " (a float needs no cast)",
                    false => "",
                };
                Some(format!(
                    "{what} must be an integer, and `{name}` is a value of the differentiated graph{advice}; integers here may read the function's integer arguments (`usize`), sizes of arguments (`x.nrows()`) and constants"
                ))
            } else if self
                .calls
                .aliases
                .get(&name)
                .is_some_and(|b| !matches!(b, Binding::Integer(_)))
            {
                Some(format!(
                    "{what} reads `{name}`, a parameter of a helper inlined into its caller; pass it as a literal or a constant"
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                self.cx.error(&ident, message);
                ok = false;
            } else if param {
                self.usage.read_param(&ident);
            }
        }
        ok.then_some(())
    }
}

/// The first token of integer tokens that is no integer: a literal of another kind
/// (`0.5`, `"s"`, `'c'`) or a path through a float type (`f64::MIN_POSITIVE`).
pub fn non_integer_token(tokens: TokenStream) -> Option<TokenTree> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    trees.iter().enumerate().find_map(|(i, tt)| match tt {
        TokenTree::Group(g) => non_integer_token(g.stream()),
        // `3_f64` is an integer token with a float suffix: a float.
        TokenTree::Literal(l) => (!matches!(
            syn::parse_str::<syn::Lit>(&l.to_string()),
            Ok(syn::Lit::Int(i)) if !matches!(i.suffix(), "f32" | "f64")
        ))
        .then(|| tt.clone()),
        TokenTree::Ident(id) if id == "f32" || id == "f64" => {
            matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':')
                .then(|| tt.clone())
        }
        _ => None,
    })
}

/// An integer literal with a suffix other than `usize` (`3u8`, `2i32`) among `tokens`.
pub fn integer_of_another_type(tokens: TokenStream) -> Option<syn::LitInt> {
    tokens.into_iter().find_map(|tt| match tt {
        TokenTree::Group(g) => integer_of_another_type(g.stream()),
        TokenTree::Literal(l) => match syn::Lit::new(l) {
            syn::Lit::Int(i) if !matches!(i.suffix(), "" | "usize" | "f32" | "f64") => Some(i),
            _ => None,
        },
        _ => None,
    })
}

/// Whether integer tokens read the generated loop's index (`cadena_i`): such a leaf
/// belongs to the loop's body, not to the code around it.
pub fn reads_loop_index(tokens: &TokenStream) -> bool {
    idents(tokens.clone())
        .iter()
        .any(|i| *i == crate::ir::names::local("cadena_i"))
}

/// Every identifier in `tokens` that is not a field, method or macro name (those follow
/// a `.` or precede a `!`) or a path segment after `::`.
/// The idents of `tokens` followed by a member (`x.nrows()`, `p.n`): a lone `.`, not the
/// `..` of a range.
fn member_owners(tokens: TokenStream) -> Vec<proc_macro2::Ident> {
    let mut out = Vec::new();
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tt) in trees.iter().enumerate() {
        match tt {
            TokenTree::Group(g) => out.extend(member_owners(g.stream())),
            TokenTree::Ident(ident) => {
                let dot = |k: usize| matches!(trees.get(k), Some(TokenTree::Punct(p)) if p.as_char() == '.');
                if dot(i + 1) && !dot(i + 2) {
                    out.push(ident.clone());
                }
            }
            _ => {}
        }
    }
    out
}

pub(crate) fn idents(tokens: TokenStream) -> Vec<proc_macro2::Ident> {
    let mut out = Vec::new();
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let punct = |i: Option<usize>, c: char| matches!(i.and_then(|i| trees.get(i)), Some(TokenTree::Punct(p)) if p.as_char() == c);
    for (i, tt) in trees.iter().enumerate() {
        match tt {
            TokenTree::Group(g) => out.extend(idents(g.stream())),
            TokenTree::Ident(ident) => {
                // `x.nrows()` and `a::b` name members; `0..n` reads `n`.
                let (one, two) = (i.checked_sub(1), i.checked_sub(2));
                let after_dot = (punct(one, '.') && !punct(two, '.')) || punct(one, ':');
                // A macro's `!` stands alone (`s![..]`); the `!` of `!=` is joined to its `=`.
                let before_bang_or_path = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if (p.as_char() == '!' && p.spacing() == proc_macro2::Spacing::Alone) || p.as_char() == ':');
                let is_self = ident == "self";
                if !after_dot && !before_bang_or_path && !is_self {
                    out.push(ident.clone());
                }
            }
            _ => {}
        }
    }
    out
}
