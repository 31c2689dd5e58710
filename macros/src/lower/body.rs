//! The body: `let` bindings in scope, expressions to nodes, argument and field reads.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Ident, ItemFn, Lit, Pat, Stmt, UnOp};

use super::{Field, Param, Usage, type_text, unsupported};
use crate::ctxt::Ctxt;
pub use crate::ir::Step;
use crate::ir::{Graph, NodeId, Op};
use crate::subscript::subscript;

pub struct Body<'a> {
    pub cx: &'a mut Ctxt,
    pub graph: &'a mut Graph,
    pub params: &'a [Param],
    /// Each `let` name in scope: its value and its entry in `lets`.
    pub scope: HashMap<String, (NodeId, usize)>,
    pub tensor: bool,
    /// The struct fields read, shared with the bodies of inlined callees.
    pub fields: &'a mut Vec<Field>,
    pub usage: &'a mut Usage,
    /// Every `let` name bound, in order, and whether the body reads it; `scope` points
    /// each name at its latest binding here.
    pub lets: Vec<(Ident, bool)>,
    /// Names bound more than once (by `let`s, or a `let` and an argument): their values
    /// are told apart in derivations by a subscript, `acc₁`, `acc₂`, ...
    pub shadowed: HashMap<String, usize>,
    /// Calls to other `#[differentiable]` functions: their bodies when known, the
    /// functions being inlined, the calls still waiting for a body, and how an inlined
    /// callee's parameters are bound.
    pub calls: Calls<'a>,
    /// Names declared `let mut`: a `for` loop may re-assign them.
    pub mutable: std::collections::HashSet<String>,
    /// The loop whose body is being lowered.
    pub looping: Option<Box<super::loops::LoopCtx>>,
    /// Loop bodies are simplified with the function's rewrites.
    pub assume_finite: bool,
}

/// What a body knows about calls to other `#[differentiable]` functions.
pub struct Calls<'a> {
    /// The bodies handed over so far by the callees' export macros.
    pub known: &'a [super::Callee],
    /// The function being expanded, then the callees being inlined, innermost last: a
    /// call to one of these is recursion.
    pub stack: Vec<String>,
    /// Calls whose callee's body is not known yet, by the path written at the call.
    pub needed: &'a mut Vec<syn::Path>,
    /// In an inlined body, its parameters bound to the caller's values.
    pub aliases: HashMap<String, Binding>,
    /// In the inlined body of another crate's function: that crate (`$crate`).
    pub krate: Option<proc_macro2::TokenTree>,
}

impl Calls<'_> {
    /// Whether this body is a callee's, inlined into its caller.
    pub fn inlined(&self) -> bool {
        self.stack.len() > 1
    }
}

/// What an inlined callee's parameter stands for.
#[derive(Clone)]
pub enum Binding {
    /// A float or array value of the caller.
    Value(NodeId),
    /// A parameter struct of the caller (or a nested struct of one): its fields are the
    /// caller's field inputs.
    Struct { param: usize, prefix: Vec<Step> },
    /// The struct element of the caller's loop (`l` in `for l in &p.layers`): its fields
    /// are elements of collection `collection` of that loop.
    Element {
        collection: usize,
        prefix: Vec<Step>,
    },
}

/// How many times each name is bound at the top of `item`'s body, counting an argument
/// of the same name as a binding: only names bound more than once are kept.
pub fn shadowed_names(item: &ItemFn) -> HashMap<String, usize> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for stmt in &item.block.stmts {
        if let Stmt::Local(local) = stmt {
            let pat = match &local.pat {
                Pat::Type(t) => &*t.pat,
                other => other,
            };
            if let Pat::Ident(p) = pat {
                *count.entry(p.ident.to_string()).or_default() += 1;
            }
        }
    }
    for arg in &item.sig.inputs {
        if let syn::FnArg::Typed(pt) = arg
            && let Pat::Ident(p) = &*pt.pat
            && let Some(n) = count.get_mut(&p.ident.to_string())
        {
            *n += 1;
        }
    }
    count.retain(|_, n| *n > 1);
    count
}

impl Body<'_> {
    /// Hands the `let`s never read to the emitter.
    pub fn finish(self) {
        self.usage.unread_lets = self
            .lets
            .into_iter()
            .filter(|(ident, read)| !read && !ident.to_string().starts_with('_'))
            .map(|(ident, _)| ident)
            .collect();
    }

    /// Creates a node exactly as written: simplification comes later, on a copy.
    pub fn node(&mut self, op: Op, args: Vec<NodeId>, span: proc_macro2::Span) -> NodeId {
        self.graph.intern(op, args, span)
    }

    /// Lowers the body: its result, or a returned tuple's parts.
    pub fn block(&mut self, item: &ItemFn) -> Option<Vec<NodeId>> {
        self.statements(&item.block.stmts, &item.block.to_token_stream())
    }

    /// Statements ending in the value they give (or a `return` of it); `at` is where a
    /// missing value is reported.
    pub fn statements(&mut self, stmts: &[Stmt], at: &TokenStream) -> Option<Vec<NodeId>> {
        let mut output = None;
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            if let Some(e) = super::branches::returns_early(stmt) {
                return self.early_return(e, &stmts[i + 1..], at);
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
                None => at.clone(),
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
            _ => Some(vec![self.expr(e)?]),
        }
    }

    pub fn local(&mut self, local: &syn::Local) {
        if let Pat::Tuple(tuple) = &local.pat {
            return self.local_parts(local, tuple);
        }
        let ident = binding_name(self.cx, &local.pat);
        if let (Some(ident), Pat::Ident(p)) = (&ident, &local.pat)
            && p.mutability.is_some()
        {
            self.declare_mutable(ident.to_string());
        }
        let Some(init) = self.initializer(local) else {
            return;
        };
        let value = self.expr(init);
        // A call whose callee's body is not known yet: this pass only finds the calls (the
        // expansion starts again with the body), so the name stands for a placeholder and
        // what reads it reports nothing spurious.
        let value = match value {
            None if !self.calls.needed.is_empty() => Some(self.graph.constant(0.0)),
            value => value,
        };
        if let (Some(ident), Some(value)) = (ident, value) {
            self.bind(ident, value);
        }
    }

    /// `let name = value;`: the name is in scope, and names the value in derivations.
    fn bind(&mut self, ident: Ident, value: NodeId) {
        let name = ident.to_string();
        let display = match self.shadowed.contains_key(&name) {
            true => {
                let n = self.lets.iter().filter(|(i, _)| *i == ident).count() + 1;
                format!("{name}{}", subscript(n))
            }
            false => name.clone(),
        };
        self.graph.set_name(value, &display);
        self.scope.insert(name, (value, self.lets.len()));
        self.lets.push((ident, false));
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
                Pat::Ident(p)
                    if p.by_ref.is_none() && p.subpat.is_none() && p.mutability.is_none() =>
                {
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
            // The callee's body is not known yet: placeholders, as for `let`.
            None if !self.calls.needed.is_empty() => {
                vec![self.graph.constant(0.0); names.len()]
            }
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

    pub fn expr(&mut self, e: &Expr) -> Option<NodeId> {
        let span = e.span();
        match e {
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            // `&x` in forward code only borrows; the value is the same.
            Expr::Reference(r) if r.mutability.is_none() => self.expr(&r.expr),
            Expr::Lit(lit) => self.literal(lit),
            Expr::Path(p) => self.path(p),
            // `f(..).0`: one part of a returned tuple.
            Expr::Field(f) if matches!(&*f.base, Expr::Call(_)) => {
                let syn::Member::Unnamed(index) = &f.member else {
                    self.cx.error(&f.member, "a call's result has no named fields; a returned tuple's parts are `.0`, `.1`, ...");
                    return None;
                };
                let parts = self.parts(&f.base)?;
                match parts.get(index.index as usize) {
                    Some(&part) => Some(part),
                    None => {
                        self.cx
                            .error(index, format!("the tuple has {} parts", parts.len()));
                        None
                    }
                }
            }
            Expr::Field(_) | Expr::Index(_) if self.tensor => self.field(e),
            // Scalar code reads float array arguments by index.
            Expr::Index(_) => self.field(e),
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => {
                    let x = self.expr(&u.expr)?;
                    Some(self.node(Op::Neg, vec![x], span))
                }
                UnOp::Deref(_) => {
                    self.cx.error(u, "dereferencing is not supported in #[differentiable] functions; take float arguments by value");
                    None
                }
                _ => {
                    self.cx.error(
                        u,
                        "only unary `-` is supported in #[differentiable] functions",
                    );
                    None
                }
            },
            Expr::Binary(b) => self.binary(b),
            Expr::MethodCall(m) => self.method(m),
            Expr::Call(c) => self.call(c),
            Expr::Cast(c) => self.cast(c),
            Expr::If(i) => match self.if_parts(i)?.as_slice() {
                [one] => Some(*one),
                parts => {
                    self.cx.error(
                        i,
                        format!(
                            "this `if` gives a tuple of {} values where one is needed",
                            parts.len()
                        ),
                    );
                    None
                }
            },
            Expr::Macro(m) => match self.join_macro(m) {
                Some(joined) => joined,
                None => {
                    self.cx.error(m, unsupported::MACRO);
                    None
                }
            },
            other => {
                if !unsupported::expr(self.cx, other, self.tensor) {
                    self.cx.error(other, unsupported::unknown_expression());
                }
                None
            }
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> Option<NodeId> {
        let Some(op) = super::calls::operator(&b.op) else {
            let e = Expr::Binary(b.clone());
            if !unsupported::expr(self.cx, &e, self.tensor) {
                self.cx.error(b.op, format!(
                    "operator `{}` is not supported in #[differentiable] functions; use + - * / (and max/min/abs for comparisons)",
                    b.op.to_token_stream()
                ));
            }
            return None;
        };
        let l = self.expr(&b.left);
        let r = self.expr(&b.right);
        Some(self.node(op, vec![l?, r?], b.span()))
    }

    fn literal(&mut self, lit: &syn::ExprLit) -> Option<NodeId> {
        match &lit.lit {
            Lit::Float(f) => match f.base10_parse::<f64>() {
                Ok(v) => Some(self.graph.constant(v)),
                Err(e) => {
                    self.cx.push(e);
                    None
                }
            },
            Lit::Int(i) => {
                let digits = i.base10_digits();
                self.cx.error(lit, format!(
                    "integer literal `{digits}` in a differentiated expression; integer arithmetic has no derivative: write `{digits}.0`"
                ));
                None
            }
            _ => {
                self.cx.error(
                    lit,
                    "only float literals are supported in #[differentiable] functions",
                );
                None
            }
        }
    }

    fn path(&mut self, p: &syn::ExprPath) -> Option<NodeId> {
        if let Some(found) = self.loop_name(p) {
            return found;
        }
        if let Some(ident) = p.path.get_ident() {
            let name = ident.to_string();
            if let Some(&(id, at)) = self.scope.get(&name) {
                self.lets[at].1 = true;
                return Some(id);
            }
            match self.calls.aliases.get(&name) {
                Some(Binding::Value(id)) => return Some(*id),
                Some(Binding::Struct { .. } | Binding::Element { .. }) => {
                    self.cx.error(
                        p,
                        format!("`{name}` is a parameter struct; read its fields (`{name}.w`)"),
                    );
                    return None;
                }
                None => {}
            }
            // An inlined callee does not see its caller's arguments by name.
            let param = match self.calls.inlined() {
                true => None,
                false => self.params.iter().find(|q| q.ident == *ident),
            };
            if let Some(param) = param {
                self.usage.read_param(&param.ident);
                return match param.input {
                    Some(id) => Some(id),
                    None => {
                        self.cx.error(p, format!(
                            "`{name}` has type `{}`; only f32/f64 values can take part in a differentiated expression",
                            type_text(&param.ty)
                        ));
                        None
                    }
                };
            }
        }
        // Anything else is a constant from scope (`PI`, `f64::EPSILON`, `SCALE`); the
        // compiler checks that it exists and has the function's float type.
        let tokens = p.to_token_stream();
        let text = tokens.to_string().replace(' ', "");
        Some(self.graph.named_const(text, tokens, p.span()))
    }
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
        Pat::Type(t) => match &*t.pat {
            Pat::Ident(p) if p.mutability.is_none() && p.by_ref.is_none() && p.subpat.is_none() => {
                Some(p.ident.clone())
            }
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
