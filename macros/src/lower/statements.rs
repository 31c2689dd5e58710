//! Statements: `let` bindings (of one value, or of a tuple's parts), `for` loops, and
//! the value the body ends with (or `return`s).

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Expr, Ident, ItemFn, Pat, Stmt};

use super::body::Body;
use super::unsupported;
use crate::ctxt::Ctxt;
use crate::ir::NodeId;
use crate::types::Float;

impl Body<'_> {
    /// Lowers the body: its result, or a returned tuple's parts.
    pub fn block(&mut self, item: &ItemFn) -> Option<Vec<NodeId>> {
        self.statements(&item.block.stmts, &item.block)
    }

    /// Statements ending in the value they give (or a `return` of it); `at` is where a
    /// missing value is reported (printed only then: a block printed at every level of
    /// nesting made 800 nested `if`s take seconds).
    pub fn statements(&mut self, stmts: &[Stmt], at: &dyn ToTokens) -> Option<Vec<NodeId>> {
        let mut output = None;
        let mut counted = None;
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            if let Some(e) = super::branches::returns_early(stmt) {
                return self.early_return(e, &stmts[i + 1..], at);
            }
            // `#[cfg(..)]` and other attributes on a statement change what runs; the graph
            // would hold the statement still (a fuzzer finding: wrong values).
            // Spanned on the attribute: the statement printed whole may start with
            // parentheses syn adds around an operand (of a range), spanned at the macro.
            if let Some(attr) = starts_with_attribute(stmt) {
                self.cx.error(attr, "attributes on statements (`#[cfg(..)]`, `#[allow(..)]`) are not supported in a #[differentiable] body: put them on the function");
                continue;
            }
            // `let mut i = a; while i < b { ..; i += 1; }` is `for i in a..b { .. }`.
            if counted.take() == Some(i) {
                continue;
            }
            if let Some(next) = stmts.get(i + 1)
                && let Some(f) = counted_while(stmt, next).or_else(|| counted_loop(stmt, next))
            {
                self.for_loop(&f);
                counted = Some(i + 1);
                continue;
            }
            match stmt {
                Stmt::Local(local) => self.local(local),
                Stmt::Expr(Expr::ForLoop(f), _) => {
                    self.for_loop(f);
                    if last {
                        self.cx.error(f, "after the loop, end the function with its result (the carried value, or a loss of it)");
                    }
                }
                Stmt::Expr(e @ (Expr::Assign(_) | Expr::Binary(_)), _) if is_assignment(e) => {
                    self.cx.error(e, "a `let mut` value is re-assigned only inside a `for` loop; elsewhere bind a new name with `let` (shadowing is fine)");
                }
                Stmt::Expr(Expr::Return(ret), _) if last => match &ret.expr {
                    Some(e) => output = self.result(e),
                    None => self.cx.error(ret, "`return` needs a value: the function's result"),
                },
                Stmt::Expr(e, None) if last => output = self.result(e),
                // A stray `;` (`x;;`): rustc only lints it.
                Stmt::Expr(Expr::Verbatim(v), Some(_)) if v.is_empty() => {}
                Stmt::Expr(e, _) => unsupported::statement(self.cx, e, self.tensor),
                Stmt::Item(it) => self.cx.error(it, "items inside a #[differentiable] function are not supported; define constants and helpers outside the function"),
                Stmt::Macro(m) => self.cx.error(m, unsupported::MACRO),
            }
        }
        let ends_with_value = matches!(
            stmts.last(),
            Some(Stmt::Expr(_, None)) | Some(Stmt::Expr(Expr::Return(_), _))
        );
        if !ends_with_value {
            let at: TokenStream = match stmts.last() {
                Some(s) => s.to_token_stream(),
                None => at.to_token_stream(),
            };
            self.cx.error(at, "a #[differentiable] function must end with an expression giving its result (no trailing `;`)");
        }
        output
    }

    /// The function's result: one value, or a tuple's parts (`(logits, penalty)`).
    fn result(&mut self, e: &Expr) -> Option<Vec<NodeId>> {
        match e {
            Expr::Tuple(t) if t.elems.len() >= 2 => {
                let parts: Vec<Option<NodeId>> = t.elems.iter().map(|p| self.expr(p)).collect();
                parts.into_iter().collect()
            }
            Expr::If(i) => self.if_parts(i),
            Expr::Paren(p) => self.result(&p.expr),
            // A helper's tuple handed on whole (`rotate(..)` as the body's result).
            Expr::Call(c) => self.call_parts(c),
            _ => Some(vec![self.expr(e)?]),
        }
    }

    pub fn local(&mut self, local: &syn::Local) {
        if let Pat::Tuple(tuple) = &local.pat {
            return self.local_parts(local, tuple);
        }
        let ident = binding_name(self.cx, &local.pat);
        if let Some(ident) = &ident
            && is_mut(&local.pat)
        {
            self.scope.declare_mutable(ident.to_string());
        }
        let Some(init) = self.initializer(local) else {
            return;
        };
        if let Some(ident) = &ident
            && is_empty_vec(init)
        {
            return self.sequence(local, ident);
        }
        let errors = self.cx.count();
        let value = self.expr(init);
        // A call whose callee's body is not known yet: this pass only finds the calls (the
        // expansion starts again with the body), so the name stands for a pending value
        // and what reads it reports nothing spurious. So does a value whose error is
        // reported already: a loop re-assigning it, or a read of it, is not a second one.
        let value = match value {
            None if self.calls.waiting() || self.cx.count() > errors => Some(self.graph.pending()),
            value => value,
        };
        if let (Some(ident), Some(value)) = (ident, value) {
            if let Pat::Type(t) = &local.pat
                && self.cx.count() == errors
                && !self.calls.inlined()
            {
                let annotated = crate::ir::function::Annotated {
                    node: value,
                    ty: (*t.ty).clone(),
                    init: init.clone(),
                };
                match self.looping {
                    None => self.usage.annotated.push(annotated),
                    // Inside a loop, whose body is cut from the graph when the loop ends:
                    // the annotation against what the graph says of the value now (a
                    // float or an array; `let lower: f64 = p.l.index_axis(Axis(0), j)`, a
                    // fuzzer finding).
                    Some(_) if self.tensor => {
                        if let Some(float) = self.float_ty.as_ref().and_then(Float::of)
                            && let Some(message) = crate::declared::annotation(
                                self.graph,
                                &annotated,
                                float,
                                self.shape(value),
                                None,
                            )
                        {
                            self.cx.error(&t.ty, message);
                        }
                    }
                    Some(_) => {}
                }
            }
            self.bind(ident, value);
        }
    }

    /// `let mut outs = Vec::new();`: a `Vec` a loop pushes per-step values onto.
    fn sequence(&mut self, local: &syn::Local, ident: &Ident) {
        if !is_mut(&local.pat) {
            self.cx.error(&local.pat, format!("a `Vec` of per-step values is filled by a loop: declare it `let mut {ident} = Vec::new();`"));
        }
        // The capacity is not computed (the per-step values are): a literal of another
        // type than `usize` would meet no rustc (a fuzzer finding: `1e39f32` accepted).
        if let Some(init) = &local.init
            && let Expr::Call(c) = crate::lower::strip(&init.expr)
            && let Some(Expr::Lit(lit)) = c.args.first().map(crate::lower::strip)
        {
            let usize_literal =
                matches!(&lit.lit, syn::Lit::Int(i) if matches!(i.suffix(), "" | "usize"));
            if !usize_literal {
                self.cx.error(
                    lit,
                    "`Vec::with_capacity` takes a `usize`, the number of steps: write an integer (`16`), or `Vec::new()`",
                );
            }
        }
        // Declared either way, so the loop and the join read it without further errors.
        self.scope.declare_sequence(ident);
        if let (Pat::Type(t), Some(init)) = (&local.pat, &local.init) {
            self.scope
                .annotate_sequence(ident, (*t.ty).clone(), (*init.expr).clone());
        }
    }

    /// `let name = value;`: the name is in scope, and names the value in derivations.
    fn bind(&mut self, ident: Ident, value: NodeId) {
        let display = self.scope.bind(ident, value);
        self.graph.set_name(value, &display);
    }

    /// A `let`'s value; `let x;` and `let .. else` are reported (the value of the latter
    /// is still read, for the errors in it).
    fn initializer<'l>(&mut self, local: &'l syn::Local) -> Option<&'l Expr> {
        let Some(init) = &local.init else {
            self.cx.error(
                local,
                "`let` without a value is not supported; bind the value where it is computed",
            );
            return None;
        };
        if let Some((_, diverge)) = &init.diverge {
            self.cx.error(
                diverge,
                "`let ... else` is not supported in #[differentiable] functions",
            );
        }
        Some(&init.expr)
    }

    /// `let (a, b) = f(..);` for a function returning a tuple (or `let (a, b) = (x, y);`).
    fn local_parts(&mut self, local: &syn::Local, tuple: &syn::PatTuple) {
        const PLAIN: &str =
            "bind a tuple's parts to plain names: `let (a, b) = f(..);` (`_` skips one)";
        let mut names = Vec::new();
        for pat in &tuple.elems {
            match pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    // `let (mut h, mut c) = ..;`: a pair a loop may carry.
                    if p.mutability.is_some() {
                        self.scope.declare_mutable(p.ident.to_string());
                    }
                    names.push(Some(p.ident.clone()))
                }
                Pat::Wild(_) => names.push(None),
                other => {
                    self.cx.error(other, PLAIN);
                    return;
                }
            }
        }
        let Some(init) = self.initializer(local) else {
            return;
        };
        let parts = match self.parts(init) {
            Some(parts) => parts,
            // The callee's body is not known yet: pending values, as for `let`.
            None if self.calls.waiting() => vec![self.graph.pending(); names.len()],
            None => return,
        };
        if parts.len() != names.len() {
            self.cx.error(
                &local.pat,
                format!(
                    "{} names for a tuple of {} parts; name each part (`_` skips one)",
                    names.len(),
                    parts.len()
                ),
            );
            return;
        }
        for (name, part) in names.into_iter().zip(parts) {
            if let Some(name) = name {
                self.bind(name, part);
            }
        }
    }

    /// The parts of a tuple: a call to a function returning one, or a tuple written out.
    pub fn parts(&mut self, e: &Expr) -> Option<Vec<NodeId>> {
        match e {
            Expr::Paren(p) => self.parts(&p.expr),
            Expr::Group(g) => self.parts(&g.expr),
            Expr::Tuple(t) => {
                let parts: Vec<Option<NodeId>> = t.elems.iter().map(|p| self.expr(p)).collect();
                parts.into_iter().collect()
            }
            Expr::Call(c) => self.call_parts(c),
            Expr::If(i) => self.if_parts(i),
            other => {
                self.cx.error(other, "a tuple comes from a call to a #[differentiable] function returning one, `f(..)`, or is written out, `(a, b)`");
                None
            }
        }
    }
}

/// `let mut i = a;`: the counter's name and start.
fn counter(init: &Stmt) -> Option<(&syn::Ident, &Expr)> {
    let Stmt::Local(local) = init else {
        return None;
    };
    let Pat::Ident(p) = &local.pat else {
        return None;
    };
    p.mutability?;
    Some((&p.ident, &local.init.as_ref()?.expr))
}

/// Whether `stmt` is `name += 1;` or `name = name + 1;`.
fn increments(stmt: &Stmt, name: &syn::Ident) -> bool {
    let is_name = |e: &Expr| matches!(e, Expr::Path(q) if q.path.is_ident(name));
    let one = |e: &Expr| matches!(e, Expr::Lit(l) if l.to_token_stream().to_string() == "1");
    match stmt {
        Stmt::Expr(Expr::Binary(b), _) if matches!(b.op, syn::BinOp::AddAssign(_)) => {
            is_name(&b.left) && one(&b.right)
        }
        Stmt::Expr(Expr::Assign(a), _) => {
            is_name(&a.left)
                && matches!(&*a.right, Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_))
                    && is_name(&b.left) && one(&b.right))
        }
        _ => false,
    }
}

/// Whether a loop body's statements assign the counter (besides its increment).
fn assigns(body: &[Stmt], name: &syn::Ident) -> bool {
    quote::quote!(#(#body)*)
        .to_string()
        .contains(&format!("{name} ="))
}

/// `let mut i = a;` followed by `while i < b { ..; i += 1; }` (or `<=`, `i = i + 1`), as
/// the `for` loop it counts: `for i in a..b { .. }`. `None` for anything else.
fn counted_while(init: &Stmt, next: &Stmt) -> Option<syn::ExprForLoop> {
    let (name, start) = counter(init)?;
    let Stmt::Expr(Expr::While(w), _) = next else {
        return None;
    };
    let Expr::Binary(cond) = &*w.cond else {
        return None;
    };
    let inclusive = match cond.op {
        syn::BinOp::Lt(_) => false,
        syn::BinOp::Le(_) => true,
        _ => return None,
    };
    if !matches!(&*cond.left, Expr::Path(q) if q.path.is_ident(name)) {
        return None;
    }
    let end = &cond.right;
    let (step, body) = w.body.stmts.split_last()?;
    // The counter may not change elsewhere in the body.
    if !increments(step, name) || assigns(body, name) {
        return None;
    }
    // Spanned on the counter's start, so that an error about the range (`let mut i =
    // true`) is on the user's tokens, not on the attribute.
    let at = syn::spanned::Spanned::span(start);
    let range: Expr = match inclusive {
        true => syn::parse_quote_spanned!(at=> (#start)..=(#end)),
        false => syn::parse_quote_spanned!(at=> (#start)..(#end)),
    };
    Some(syn::parse_quote_spanned!(w.while_token.span=> for #name in #range { #(#body)* }))
}

/// `let mut i = a;` followed by a `loop` whose count the integers fix, as the `for` loop
/// it counts: `loop { if i >= b { break; } ..; i += 1; }` is `for i in a..b`, and
/// `loop { ..; i += 1; if i >= b { break; } }` (the body runs once before the test) is
/// `for i in a..b.max(a + 1)`; `==` for `>=` likewise. `None` for anything else.
fn counted_loop(init: &Stmt, next: &Stmt) -> Option<syn::ExprForLoop> {
    let (name, start) = counter(init)?;
    let Stmt::Expr(Expr::Loop(l), _) = next else {
        return None;
    };
    if l.label.is_some() {
        return None;
    }
    let is_name = |e: &Expr| matches!(e, Expr::Path(q) if q.path.is_ident(name));
    // `if i >= b { break; }` (or `i == b`, `b <= i`): `b`.
    let guard = |stmt: &Stmt| -> Option<Expr> {
        let Stmt::Expr(Expr::If(f), _) = stmt else {
            return None;
        };
        let [Stmt::Expr(Expr::Break(b), _)] = &f.then_branch.stmts[..] else {
            return None;
        };
        if f.else_branch.is_some() || b.label.is_some() || b.expr.is_some() {
            return None;
        }
        let Expr::Binary(c) = &*f.cond else {
            return None;
        };
        match c.op {
            syn::BinOp::Ge(_) | syn::BinOp::Eq(_) if is_name(&c.left) => Some((*c.right).clone()),
            syn::BinOp::Le(_) | syn::BinOp::Eq(_) if is_name(&c.right) => Some((*c.left).clone()),
            _ => None,
        }
    };
    let at = syn::spanned::Spanned::span(start);
    let (range, body): (Expr, &[Stmt]) = match l.body.stmts.as_slice() {
        [first, body @ .., step] if increments(step, name) && guard(first).is_some() => {
            let end = guard(first)?;
            (syn::parse_quote_spanned!(at=> (#start)..(#end)), body)
        }
        [body @ .., step, last] if increments(step, name) && guard(last).is_some() => {
            let end = guard(last)?;
            (
                syn::parse_quote_spanned!(at=> (#start)..(#end).max((#start) + 1)),
                body,
            )
        }
        _ => return None,
    };
    // The counter may not change elsewhere in the body, nor the loop end another way.
    if assigns(body, name) || quote::quote!(#(#body)*).to_string().contains("break") {
        return None;
    }
    Some(syn::parse_quote_spanned!(l.loop_token.span=> for #name in #range { #(#body)* }))
}

/// Whether a `let` binds its name `mut` (`let mut h`, `let mut h: Array2<f64>`).
fn is_mut(pat: &Pat) -> bool {
    match pat {
        Pat::Ident(p) => p.mutability.is_some(),
        Pat::Type(t) => is_mut(&t.pat),
        _ => false,
    }
}

/// `Vec::new()`, `Vec::with_capacity(n)` or `vec![]`: an empty `Vec`.
pub fn is_empty_vec(e: &Expr) -> bool {
    match e {
        Expr::Call(c) => {
            let Expr::Path(p) = &*c.func else {
                return false;
            };
            let segments = crate::types::segment_names(&p.path);
            let n = segments.len();
            n >= 2
                && segments[n - 2] == "Vec"
                && (segments[n - 1] == "new" && c.args.is_empty()
                    || segments[n - 1] == "with_capacity" && c.args.len() == 1)
        }
        Expr::Macro(m) => m.mac.path.is_ident("vec") && m.mac.tokens.is_empty(),
        _ => false,
    }
}

/// Whether a statement is written after an outer attribute (`#[cfg(..)] let ..`,
/// `#[allow(..)] x + y`): syn puts an expression statement's attributes on its leftmost
/// operand. Read from the tree, not by printing the statement, which is as long as its
/// nesting is deep.
/// The attribute a statement starts with, if any.
fn starts_with_attribute(stmt: &Stmt) -> Option<&syn::Attribute> {
    match stmt {
        Stmt::Local(l) => l.attrs.first(),
        Stmt::Macro(m) => m.attrs.first(),
        Stmt::Item(_) => None,
        Stmt::Expr(e, _) => leftmost_attribute(e),
    }
}

fn leftmost_attribute(e: &Expr) -> Option<&syn::Attribute> {
    attributes(e)
        .first()
        .or_else(|| super::spans::left_operand(e).and_then(leftmost_attribute))
}

/// An expression's own outer attributes (`#[allow(..)] x`), not its operands'.
pub(super) fn attributes(e: &Expr) -> &[syn::Attribute] {
    macro_rules! attrs {
        ($($variant:ident),*) => {
            match e {
                $(Expr::$variant(x) => &x.attrs,)*
                _ => &[],
            }
        };
    }
    attrs!(
        Array, Assign, Async, Await, Binary, Block, Break, Call, Cast, Closure, Const, Continue,
        Field, ForLoop, Group, If, Index, Infer, Let, Lit, Loop, Macro, Match, MethodCall, Paren,
        Path, Range, RawAddr, Reference, Repeat, Return, Struct, Try, TryBlock, Tuple, Unary,
        Unsafe, While, Yield
    )
}

/// `x = ...` or `x += ...` (and the other compound assignments).
fn is_assignment(e: &Expr) -> bool {
    match e {
        Expr::Assign(_) => true,
        Expr::Binary(b) => unsupported::is_compound_assign(&b.op),
        _ => false,
    }
}

/// The name a `let` binds, if it is a plain (optionally typed) name; `let mut` too (a
/// `for` loop may carry it).
fn binding_name(cx: &mut Ctxt, pat: &Pat) -> Option<Ident> {
    const PLAIN: &str =
        "only `let name = ...;` bindings are supported in #[differentiable] functions";
    match pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
        Pat::Type(t) if crate::types::holds_no_value(&t.ty) => {
            cx.error(&t.ty, "a `let` in a #[differentiable] function holds a float, an array, a tuple of them or a `Vec`: a closure, trait object or pointer type does not fit it (remove the annotation, or name the value's type)");
            None
        }
        Pat::Type(t) => match &*t.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
            other => {
                cx.error(other, PLAIN);
                None
            }
        },
        other => {
            cx.error(other, PLAIN);
            None
        }
    }
}
