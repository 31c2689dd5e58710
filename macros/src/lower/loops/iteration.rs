//! What a loop iterates, read from the expression after `in`: a range, a stack of layers,
//! a float array or an array's axis (`LOOP_FORMS`), and the element the pattern binds.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{Expr, Pat};

use super::super::body::Body;
use super::super::calls::int_literal_of;
use super::super::inline::Binding;
use super::{ElementBinding, pattern_name};
use crate::ir::graph::NodeId;
use crate::ir::loops::Collection;
use crate::types::Kind;

/// What a loop iterates, read from the expression after `in`.
pub(super) enum Source {
    Range(TokenStream),
    /// A collection (index into `LoopCtx::collections` once registered) by kind, operand
    /// and name.
    Collection(Collection, NodeId, String),
}

pub const LOOP_FORMS: &str = "iterate over a range (`for i in 0..n`), a stack of layers (`for l in &p.layers`), a float array argument (`for &c in cs`) or an array argument's axis (`for xt in x.axis_iter(Axis(1))`), optionally with `.enumerate()` and then `.rev()`";

impl Body<'_> {
    /// The collection or range after `in`, and whether it is reversed or enumerated.
    pub(super) fn source(&mut self, e: &Expr) -> Option<(Source, bool, bool)> {
        let mut e = strip(e);
        let mut rev = false;
        let mut enumerate = false;
        if let Some(inner) = method0(e, "rev") {
            rev = true;
            e = strip(inner);
        }
        if let Some(inner) = method0(e, "enumerate") {
            enumerate = true;
            e = strip(inner);
            if method0(e, "rev").is_some() {
                self.cx.error(
                    e,
                    "write `.enumerate().rev()`: the index then stays the element's position",
                );
                return None;
            }
        }
        if let Some(inner) = method0(e, "iter") {
            e = strip(inner);
        }
        if let Expr::Reference(r) = e {
            e = strip(&r.expr);
        }
        let errors = self.cx.count();
        let source = match e {
            Expr::Range(r)
                if self.calls.inlined()
                    && crate::types::mentions_one_of(r.to_token_stream(), &|i| {
                        self.calls.aliases.contains_key(&i.to_string())
                    }) =>
            {
                self.cx.error(r, "this loop is in a helper inlined into its caller, where the helper's arguments have no names: iterate over an array argument's axis (`for xt in x.axis_iter(Axis(1))`) or a constant range (`0..N`)");
                return None;
            }
            Expr::Range(r) if r.start.is_none() || r.end.is_none() => {
                self.cx.error(r, "a loop's range has both bounds (`0..n`): the steps are counted before the loop runs, to be run again backwards");
                None
            }
            Expr::Range(r)
                if [&r.start, &r.end].into_iter().flatten().any(|b| {
                    matches!(
                        strip(b),
                        Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Bool(_),
                            ..
                        })
                    )
                }) =>
            {
                self.cx.error(r, "a loop's range counts with integers: its bounds are `usize` arguments, sizes (`x.nrows()`), constants or integer literals");
                None
            }
            Expr::Range(r) => {
                // `-1..2` or `0..3u8`: Rust's range of another integer type, which the
                // loop (counting in `usize`) would meet as a type error.
                let negative = [&r.start, &r.end].into_iter().flatten().find(
                    |b| matches!(strip(b), Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_))),
                );
                if let Some(b) = negative {
                    self.cx.error(b, "a loop's range counts steps in `usize`, which is never negative: start it at 0 or more");
                    return None;
                }
                if let Some(lit) = crate::lower::integers::integer_of_another_type(quote!(#r)) {
                    self.cx.error(
                        &lit,
                        format!(
                            "a loop's range counts steps in `usize`: write `{}` without the suffix",
                            lit.base10_digits()
                        ),
                    );
                    return None;
                }
                if let Some(token) = crate::lower::integers::non_integer_token(quote!(#r)) {
                    self.cx.error(&token, "a loop's range counts with integers: its bounds are `usize` arguments, sizes (`x.nrows()`), constants or integer literals");
                    return None;
                }
                self.range_tokens(r).map(Source::Range)
            }
            Expr::MethodCall(m) if m.method == "axis_iter" || m.method == "outer_iter" => {
                self.axis_source(m)
            }
            Expr::Path(_) | Expr::Field(_) => self.indexed_source(e),
            _ => None,
        };
        match source {
            Some(s) => Some((s, rev, enumerate)),
            // Said already, more precisely.
            None if self.cx.count() > errors => None,
            None => {
                self.cx.error(e, format!("this loop's iteration cannot be run backwards by #[differentiable]; {LOOP_FORMS}"));
                None
            }
        }
    }

    /// A range's tokens as the emitted code reads them. It is evaluated in the body of
    /// the loop around it, if any, whose index (`for j in 0..i`) the generated loop
    /// binds as its own; the index of a loop further out is hidden there.
    fn range_tokens(&mut self, r: &syn::ExprRange) -> Option<TokenStream> {
        let tokens = quote!((#r));
        let mut visible = self.outer_loops.iter().rev().filter(|c| !c.hidden);
        let around = visible.next().and_then(|c| c.index.clone());
        let read = crate::lower::integers::idents(tokens.clone());
        for ctx in visible {
            let Some(name) = ctx.index.as_deref() else {
                continue;
            };
            if around.as_deref() != Some(name)
                && let Some(ident) = read.iter().find(|i| *i == name)
            {
                self.cx.error(ident, format!("a loop's range may read the index of the loop just around it, not `{name}`, the index of one further out"));
                return None;
            }
        }
        // Through a function spanned at the range: one of floats (`K..3`, `K: f64`) is
        // then "not an iterator" on the user's range, not inside the generated loop.
        let span = r
            .start
            .as_deref()
            .map_or_else(|| r.limits.span(), crate::lower::spans::first);
        let tokens = self.substitute_index(tokens, around);
        Some(quote::quote_spanned!(span=> ::cadena::checks::loop_range #tokens))
    }

    fn axis_source(&mut self, m: &syn::ExprMethodCall) -> Option<Source> {
        let axis = if m.method == "outer_iter" {
            0
        } else {
            let [arg] = m.args.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            let Some((axis, path)) = axis_literal(arg) else {
                self.cx.error(arg, "the axis must be written `Axis(k)` with a literal k, so the graph is fixed at compile time");
                return None;
            };
            self.usage.use_path(path);
            axis
        };
        let (operand, name) = self.array_operand(&m.receiver, true)?;
        // Each step's slab takes part in the computation as a float array; one of
        // integers (ids, labels, or `u8` samples) would meet the float ops in generated code.
        if let Some(p) = self.params.iter().find(|p| p.input == Some(operand))
            && crate::types::is_integer_array(&p.ty)
        {
            let ty = crate::lower::type_text(&p.ty);
            let float = self
                .float_ty
                .as_ref()
                .map_or("f64".to_string(), crate::lower::type_text);
            self.cx.error(&m.receiver, format!(
                "a loop over an array's axis hands out float arrays, and `{name}` holds integers (`{ty}`): pass it as an array of `{float}` (`{name}.mapv(|v| v as {float})` before the call)"
            ));
            return None;
        }
        Some(Source::Collection(Collection::Axis(axis), operand, name))
    }

    /// An array the loop may index: an argument of the function, a parameter of an
    /// inlined helper (the caller's value), or with `lets` a `let` from before the loop.
    pub(super) fn array_operand(&mut self, e: &Expr, lets: bool) -> Option<(NodeId, String)> {
        let Expr::Path(p) = strip(e) else {
            return None;
        };
        let ident = p.path.get_ident()?;
        let name = ident.to_string();
        if lets && let Some(id) = self.scope.read(&name) {
            return Some((id, name));
        }
        if let Some(Binding::Value(id)) = self.calls.aliases.get(&name) {
            return Some((*id, name));
        }
        if self.calls.inlined() {
            return None;
        }
        let param = self.params.iter().find(|q| q.ident == *ident)?;
        if !matches!(param.kind, Kind::Array { .. }) {
            return None;
        }
        let input = param.input?;
        self.usage.read_param(ident);
        Some((input, name))
    }

    /// `p.layers` (a stack of parameter structs) or `cs` (a float array argument).
    fn indexed_source(&mut self, e: &Expr) -> Option<Source> {
        let (param, path) = self.field_path(e)?;
        let operand = self.field_input(param, path.clone(), e.span(), true);
        let text = self.field_text(param, &path);
        Some(Source::Collection(Collection::Indexed, operand, text))
    }

    /// Registers a collection the loop reads (once per operand).
    pub(super) fn collection(&mut self, kind: Collection, operand: NodeId, text: String) -> usize {
        let ctx = self.looping.as_mut().expect("inside a loop");
        if let Some(i) = ctx.collections.iter().position(|c| c.1 == operand) {
            return i;
        }
        ctx.collections.push((kind, operand, text));
        ctx.collections.len() - 1
    }

    pub(super) fn bind_element(&mut self, pat: &Pat, collection: usize, kind: &Collection) {
        let pat = match pat {
            Pat::Reference(r) => &*r.pat,
            other => other,
        };
        let name = match pattern_name(pat) {
            Ok(Some(name)) => name,
            Ok(None) => return,
            Err(()) => {
                self.cx
                    .error(pat, "bind the element to a name (`l`, `xt`, `&c`)");
                return;
            }
        };
        let ctx = self.looping.as_ref().expect("inside a loop");
        let is_struct = *kind == Collection::Indexed && {
            let operand = ctx.collections[collection].1;
            !self.is_float_array(operand)
        };
        let binding = if is_struct {
            ElementBinding::Struct(collection)
        } else {
            ElementBinding::Value(self.element(collection, Vec::new(), pat.span()))
        };
        self.looping.as_mut().expect("inside a loop").element = Some((name, binding));
    }

    /// Whether a collection operand is a float array argument (`cs: &[f64; N]`).
    fn is_float_array(&self, operand: NodeId) -> bool {
        self.fields
            .iter()
            .any(|f| f.input == operand && f.path.is_empty())
    }
}

/// `Axis(k)` with a literal `k`, and the path naming `Axis` (the emitted code names
/// its own, so the user's import of it is kept used through `Usage::use_path`).
pub(super) fn axis_literal(e: &Expr) -> Option<(usize, &syn::Path)> {
    let Expr::Call(c) = strip(e) else {
        return None;
    };
    let Expr::Path(f) = strip(&c.func) else {
        return None;
    };
    // `Axis(k)`, not another function of one integer (`relu(0)`, a fuzzer finding).
    if f.path.segments.last().is_none_or(|s| s.ident != "Axis") {
        return None;
    }
    let [k] = c.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    Some((usize::try_from(int_literal_of(k, "usize")?).ok()?, &f.path))
}

/// `e.name()` with no arguments: the receiver.
pub(super) fn method0<'e>(e: &'e Expr, name: &str) -> Option<&'e Expr> {
    match e {
        Expr::MethodCall(m) if m.method == name && m.args.is_empty() => Some(&m.receiver),
        _ => None,
    }
}

pub(super) use crate::lower::strip;
