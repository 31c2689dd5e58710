//! `for` loops and the `let mut` value they carry. The body is lowered into the function's
//! graph like straight-line code, reading fresh inputs for the carried value and for the
//! elements of the iteration; then the nodes that depend on those inputs are cut out
//! into a [`LoopBody`] and replaced by one `Op::Loop` node (see [`crate::loops`]).
//!
//! Supported: `for i in a..b` (and `(a..b).rev()`), `for l in &p.layers` /
//! `p.layers.iter()` over a `Vec` or array of parameter structs, `for &c in cs` /
//! `cs.iter()` over a float array argument, `for xt in x.axis_iter(Axis(k))` /
//! `x.outer_iter()` over an array argument, each optionally `.enumerate()` then
//! `.rev()`. Inside, `c[i]` and `p.layers[i].w` read by the loop index.

use std::rc::Rc;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Pat, Stmt};

use super::body::{Body, Step};
use super::calls::int_literal;
use crate::emit::expr::local;
use crate::graph::{Graph, NodeId, Op};
use crate::loops::{Collection, Element, LoopBody, extract};
use crate::reverse::depends_on;
use crate::simplify::Rewrites;
use crate::types::Kind;

/// What the names of a loop being lowered stand for.
pub struct LoopCtx {
    /// The index variable (`i` in `for i in 0..n`, `for (i, l) in ...enumerate()`).
    index: Option<String>,
    /// The element variable and what it is.
    element: Option<(String, ElementBinding)>,
    /// The collections iterated or indexed: kind, the `Loop` operand, how derivations
    /// name it.
    collections: Vec<(Collection, NodeId, String)>,
    elements: Vec<Element>,
    carry_input: NodeId,
    carried: String,
    /// The name derivations give the index.
    index_text: String,
}

enum ElementBinding {
    /// A parameter struct: its fields are elements of collection `.0`.
    Struct(usize),
    /// A float or an array.
    Value(NodeId),
}

/// What a loop iterates, read from the expression after `in`.
enum Source {
    Range(TokenStream),
    /// A collection (index into `LoopCtx::collections` once registered) by kind, operand
    /// and name.
    Collection(Collection, NodeId, String),
}

pub const LOOP_FORMS: &str = "iterate over a range (`for i in 0..n`), a stack of layers (`for l in &p.layers`), a float array argument (`for &c in cs`) or an array argument's axis (`for xt in x.axis_iter(Axis(1))`), optionally with `.enumerate()` and then `.rev()`";

impl Body<'_> {
    /// `let mut name = ...;`: the name may be re-assigned inside a `for` loop.
    pub fn declare_mutable(&mut self, name: String) {
        self.mutable.insert(name);
    }

    /// A `for` loop statement of the function's body.
    pub fn for_loop(&mut self, f: &syn::ExprForLoop) {
        if self.looping.is_some() {
            self.cx.error(f, "nested loops are not supported in #[differentiable] functions; move the inner loop into a #[differentiable] helper of its own, or unroll it");
            return;
        }
        if let Some(label) = &f.label {
            self.cx.error(label, "loop labels are not supported: #[differentiable] loops always run to the end (no `break`)");
        }
        if self.control_flow(f) {
            return;
        }
        let Some(carried) = self.carried(f) else {
            return;
        };
        let Some((source, rev, enumerate)) = self.source(&f.expr) else {
            return;
        };
        let &(init, _) = self.scope.get(&carried).expect("checked by `carried`");
        let saved_scope = self.scope.clone();

        // The patterns: `i`, `l`, `&c`, `(i, l)`.
        let (index_pat, element_pat) = match (&source, enumerate) {
            (Source::Range(_), true) => {
                self.cx.error(
                    &f.expr,
                    "`.enumerate()` on a range is the range itself: write `for i in 0..n`",
                );
                return;
            }
            (Source::Range(_), false) => (Some(&*f.pat), None),
            (Source::Collection(..), false) => (None, Some(&*f.pat)),
            (Source::Collection(..), true) => {
                match &*f.pat {
                    Pat::Tuple(t) if t.elems.len() == 2 => (Some(&t.elems[0]), Some(&t.elems[1])),
                    other => {
                        self.cx.error(other, "with `.enumerate()`, bind the index and the element: `for (i, l) in ...`");
                        return;
                    }
                }
            }
        };
        let index = match index_pat.map(pattern_name) {
            Some(Ok(name)) => name,
            Some(Err(())) => {
                self.cx.error(
                    index_pat.unwrap(),
                    "bind the loop index to a name (`i`) or `_`",
                );
                return;
            }
            None => None,
        };
        let index_text = index.clone().unwrap_or_else(|| "i".to_string());
        // The value before an iteration: `h[i-1]`, or `h[i+1]` when the index runs down.
        let step = if rev { "+1" } else { "-1" };
        let carry_text = format!("{carried}[{index_text}{step}]");
        let carry_input = self.graph.input(&carry_text, f.span());
        self.usage.access.push(quote!(()));
        self.looping = Some(Box::new(LoopCtx {
            index,
            element: None,
            collections: Vec::new(),
            elements: Vec::new(),
            carry_input,
            carried: carried.clone(),
            index_text: index_text.clone(),
        }));
        let (range, collection) = match source {
            Source::Range(tokens) => (tokens, None),
            Source::Collection(kind, operand, text) => {
                let c = self.collection(kind.clone(), operand, text);
                let coll = collection_local(c);
                let len = match kind {
                    Collection::Axis(k) => {
                        let k = proc_macro2::Literal::usize_unsuffixed(k);
                        quote!(#coll.len_of(::cadena::ndarray::Axis(#k)))
                    }
                    Collection::Indexed => quote!(#coll.len()),
                };
                (quote!(0..#len), Some((c, kind)))
            }
        };
        let range = if rev { quote!((#range).rev()) } else { range };
        if let (Some(pat), Some((c, kind))) = (element_pat, collection) {
            self.bind_element(pat, c, &kind);
        }

        // The carried value reads as the input, the body as written.
        if let Some(entry) = self.scope.get_mut(&carried) {
            entry.0 = carry_input;
        }
        for stmt in &f.body.stmts {
            self.loop_statement(stmt, &carried);
        }
        let output = self.scope.get(&carried).map(|e| e.0);
        let ctx = *self.looping.take().expect("set above");
        self.scope = saved_scope;
        let Some(output) = output else { return };
        let source = format!(
            "{} in {}",
            super::source_text_pat(&f.pat),
            super::source_text(&f.expr)
        );
        let node = self.cut(ctx, init, output, range, source, f.span());
        if let Some(entry) = self.scope.get_mut(&carried) {
            entry.0 = node;
        }
    }

    /// Reports `break`, `continue`, `return` and nested loops in the body; true if any.
    fn control_flow(&mut self, f: &syn::ExprForLoop) -> bool {
        let mut found = false;
        for stmt in &f.body.stmts {
            let Stmt::Expr(e, _) = stmt else { continue };
            let message = match e {
                Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                    "nested loops are not supported in #[differentiable] functions; move the inner loop into a #[differentiable] helper of its own, or unroll it"
                }
                Expr::Break(_) => {
                    "`break` is not supported: a #[differentiable] loop runs every iteration; iterate over the part you need (`0..k`, or a stack of its own)"
                }
                Expr::Continue(_) => {
                    "`continue` is not supported: a #[differentiable] loop runs its whole body every iteration; select values with max, min or relu instead"
                }
                Expr::Return(_) => {
                    "early `return` is not supported; a #[differentiable] function returns its final expression, after the loop"
                }
                _ => continue,
            };
            self.cx.error(e, message);
            found = true;
        }
        found
    }

    /// The one `let mut` name the loop re-assigns; reports every other assignment.
    fn carried(&mut self, f: &syn::ExprForLoop) -> Option<String> {
        let mut carried: Option<String> = None;
        let mut ok = true;
        for stmt in &f.body.stmts {
            let Stmt::Expr(e, _) = stmt else { continue };
            let Some(target) = assigned(e) else { continue };
            let ident = match strip(target) {
                Expr::Path(p) => p.path.get_ident(),
                _ => None,
            };
            let Some(name) = ident.map(|i| i.to_string()) else {
                self.cx.error(target, "only a `let mut` variable of the function may be re-assigned in a loop; parameters and their fields are read-only");
                ok = false;
                continue;
            };
            if !self.mutable.contains(&name) || !self.scope.contains_key(&name) {
                let param = self.params.iter().any(|p| p.ident == name);
                let message = if param {
                    format!(
                        "`{name}` is an argument, and a loop may not change it; copy it into a variable first: `let mut {name} = {name};`"
                    )
                } else {
                    format!(
                        "`{name}` is re-assigned in the loop, so declare it before the loop with `let mut {name} = ...;`"
                    )
                };
                self.cx.error(target, message);
                ok = false;
                continue;
            }
            match &carried {
                Some(c) if *c != name => {
                    self.cx.error(target, format!("a loop may carry one `let mut` value from one iteration to the next; this one already carries `{c}` (compute `{name}` after the loop, or from `{c}`)"));
                    ok = false;
                }
                _ => carried = Some(name),
            }
        }
        if carried.is_none() && ok {
            self.cx.error(&f.body, "this loop changes nothing: re-assign a `let mut` variable declared before it (`h = tanh(h.dot(&l.w) + &l.b);`)");
        }
        carried.filter(|_| ok)
    }

    /// The collection or range after `in`, and whether it is reversed or enumerated.
    fn source(&mut self, e: &Expr) -> Option<(Source, bool, bool)> {
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
        let source = match e {
            Expr::Range(r)
                if self.calls.inlined() && mentions_any(r, self.calls.aliases.keys()) =>
            {
                self.cx.error(r, "this loop is in a helper inlined into its caller, where the helper's arguments have no names: iterate over an array argument's axis (`for xt in x.axis_iter(Axis(1))`) or a constant range (`0..N`)");
                return None;
            }
            Expr::Range(r) => Some(Source::Range(quote!((#r)))),
            Expr::MethodCall(m) if m.method == "axis_iter" || m.method == "outer_iter" => {
                self.axis_source(m)
            }
            Expr::Path(_) | Expr::Field(_) => self.indexed_source(e),
            _ => None,
        };
        match source {
            Some(s) => Some((s, rev, enumerate)),
            None => {
                self.cx.error(e, format!("this loop's iteration cannot be run backwards by #[differentiable]; {LOOP_FORMS}"));
                None
            }
        }
    }

    fn axis_source(&mut self, m: &syn::ExprMethodCall) -> Option<Source> {
        let axis = if m.method == "outer_iter" {
            0
        } else {
            let [arg] = m.args.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            let (axis, path) = axis_literal(arg)?;
            self.usage.use_path(path);
            axis
        };
        let (operand, name) = self.array_operand(&m.receiver, true)?;
        Some(Source::Collection(Collection::Axis(axis), operand, name))
    }

    /// An array the loop may index: an argument of the function, a parameter of an
    /// inlined helper (the caller's value), or with `lets` a `let` from before the loop.
    fn array_operand(&mut self, e: &Expr, lets: bool) -> Option<(NodeId, String)> {
        let Expr::Path(p) = strip(e) else {
            return None;
        };
        let ident = p.path.get_ident()?;
        let name = ident.to_string();
        if lets && let Some(&(id, at)) = self.scope.get(&name) {
            self.lets[at].1 = true;
            return Some((id, name));
        }
        if let Some(super::body::Binding::Value(id)) = self.calls.aliases.get(&name) {
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

    /// `x.index_axis(Axis(k), i)` by the loop's index `i`: an element of `x` along `k`.
    /// `None` if the call is not one.
    pub fn loop_index_axis(&mut self, m: &syn::ExprMethodCall) -> Option<NodeId> {
        self.looping.as_ref()?;
        let [axis, index] = m.args.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        if m.method != "index_axis" || !self.is_loop_index(index) {
            return None;
        }
        let (axis, path) = axis_literal(axis)?;
        self.usage.use_path(path);
        // Not a `let`: one from inside the loop would change between iterations.
        let (operand, name) = self.array_operand(&m.receiver, false)?;
        let c = self.collection(Collection::Axis(axis), operand, name);
        Some(self.element(c, Vec::new(), m.span()))
    }

    /// `p.layers` (a stack of parameter structs) or `cs` (a float array argument).
    fn indexed_source(&mut self, e: &Expr) -> Option<Source> {
        let (param, path) = self.field_path(e)?;
        let operand = self.field_input(param, path.clone(), e.span(), true);
        let text = self.field_text(param, &path);
        Some(Source::Collection(Collection::Indexed, operand, text))
    }

    /// Registers a collection the loop reads (once per operand).
    fn collection(&mut self, kind: Collection, operand: NodeId, text: String) -> usize {
        let ctx = self.looping.as_mut().expect("inside a loop");
        if let Some(i) = ctx.collections.iter().position(|c| c.1 == operand) {
            return i;
        }
        ctx.collections.push((kind, operand, text));
        ctx.collections.len() - 1
    }

    fn bind_element(&mut self, pat: &Pat, collection: usize, kind: &Collection) {
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

    /// The input for element `path` of `collection` at the current index.
    fn element(&mut self, collection: usize, path: Vec<Step>, span: proc_macro2::Span) -> NodeId {
        let ctx = self.looping.as_ref().expect("inside a loop");
        if let Some(e) = ctx
            .elements
            .iter()
            .find(|e| e.collection == collection && e.path == path)
        {
            return e.input;
        }
        let text = format!(
            "{}[{}]{}",
            ctx.collections[collection].2,
            ctx.index_text,
            path.iter().map(Step::text).collect::<String>()
        );
        let input = self.graph.input(&text, span);
        self.usage.access.push(quote!(()));
        let ctx = self.looping.as_mut().expect("inside a loop");
        ctx.elements.push(Element {
            input,
            collection,
            path,
        });
        input
    }

    /// A name inside a loop: the element or the index. `None` if it is neither.
    pub fn loop_name(&mut self, p: &syn::ExprPath) -> Option<Option<NodeId>> {
        let ctx = self.looping.as_ref()?;
        let name = p.path.get_ident()?.to_string();
        if ctx.index.as_deref() == Some(name.as_str()) {
            self.cx.error(p, format!("`{name}` is the loop's index, an integer: use it to read an element (`c[{name}]`, `p.layers[{name}].w`)"));
            return Some(None);
        }
        match &ctx.element {
            Some((n, ElementBinding::Value(id))) if *n == name => Some(Some(*id)),
            Some((n, ElementBinding::Struct(_))) if *n == name => {
                self.cx.error(
                    p,
                    format!("`{name}` is a parameter struct; read its fields (`{name}.w`)"),
                );
                Some(None)
            }
            _ => None,
        }
    }

    /// `l.w` on the loop's struct element, or `c[i]` / `p.layers[i].w` by the loop
    /// index. `None` if `path` on `base` is neither.
    pub fn loop_field(
        &mut self,
        base: &Expr,
        path: &[Step],
        index_at: Option<usize>,
        span: proc_macro2::Span,
    ) -> Option<NodeId> {
        let ctx = self.looping.as_ref()?;
        if let (Expr::Path(p), Some((name, ElementBinding::Struct(c)))) = (base, &ctx.element)
            && p.path.is_ident(name)
        {
            let c = *c;
            return Some(self.element(c, path.to_vec(), span));
        }
        let at = index_at?;
        let (param, prefix) = self.struct_root(base)?;
        let coll_path = [prefix, path[..at].to_vec()].concat();
        let operand = self.field_input(param, coll_path.clone(), span, true);
        let text = self.field_text(param, &coll_path);
        let c = self.collection(Collection::Indexed, operand, text);
        Some(self.element(c, path[at + 1..].to_vec(), span))
    }

    /// Whether `e` is the current loop's index variable.
    pub fn is_loop_index(&self, e: &Expr) -> bool {
        let Some(ctx) = &self.looping else {
            return false;
        };
        matches!(strip(e), Expr::Path(p) if ctx.index.as_deref().is_some_and(|i| p.path.is_ident(i)))
    }

    /// One statement of a loop body.
    fn loop_statement(&mut self, stmt: &Stmt, carried: &str) {
        match stmt {
            Stmt::Local(local) => {
                if let Pat::Ident(p) = &local.pat
                    && p.mutability.is_some()
                {
                    self.cx.error(p, "`let mut` inside a loop body is not supported; declare the carried value before the loop");
                    return;
                }
                self.local(local);
            }
            Stmt::Expr(e, _) => {
                if let Some(value) = self.assignment(e, carried)
                    && let Some(entry) = self.scope.get_mut(carried)
                {
                    entry.0 = value;
                }
            }
            Stmt::Item(it) => self.cx.error(it, "items inside a #[differentiable] function are not supported; define constants and helpers outside the function"),
            Stmt::Macro(m) => self.cx.error(m, super::unsupported::MACRO),
        }
    }

    /// `h = e`, `h += e` (and `-=`, `*=`, `/=`): the carried value's new value.
    fn assignment(&mut self, e: &Expr, carried: &str) -> Option<NodeId> {
        let span = e.span();
        match e {
            Expr::Assign(a) if a.left.to_token_stream().to_string() == carried => {
                self.expr(&a.right)
            }
            Expr::Binary(b) if b.left.to_token_stream().to_string() == carried => {
                let op = match b.op {
                    BinOp::AddAssign(_) => Op::Add,
                    BinOp::SubAssign(_) => Op::Sub,
                    BinOp::MulAssign(_) => Op::Mul,
                    BinOp::DivAssign(_) => Op::Div,
                    _ => {
                        self.cx.error(
                            b.op,
                            "only `=`, `+=`, `-=`, `*=` and `/=` update a carried value",
                        );
                        return None;
                    }
                };
                let current = self.scope.get(carried)?.0;
                let r = self.expr(&b.right)?;
                Some(self.node(op, vec![current, r], span))
            }
            // Reported by `carried`.
            _ if assigned(e).is_some() => None,
            _ => {
                super::unsupported::statement(self.cx, e, self.tensor);
                None
            }
        }
    }

    /// Cuts the loop's body out of the graph: a [`LoopBody`] and the `Loop` node.
    fn cut(
        &mut self,
        ctx: LoopCtx,
        init: NodeId,
        output: NodeId,
        range: TokenStream,
        source: String,
        span: proc_macro2::Span,
    ) -> NodeId {
        let src: &Graph = self.graph;
        let mut sources = vec![ctx.carry_input];
        sources.extend(ctx.elements.iter().map(|e| e.input));
        let keep = depends_on(src, &sources);

        let mut body = Graph::default();
        body.consts = src.consts.clone();
        body.customs = src.customs.clone();
        // A loop inside an inlined helper keeps its index into the same table.
        body.loops = src.loops.clone();
        let mut map = vec![None; src.len()];
        let carry = body.input(&ctx.carry_input_name(src), span);
        map[ctx.carry_input.index()] = Some(carry);
        let mut elements = ctx.elements.clone();
        for e in &mut elements {
            let name = src.inputs[input_index(src, e.input)].name.clone();
            let id = body.input(&name, span);
            map[e.input.index()] = Some(id);
            e.input = id;
        }
        let mut captured: Vec<NodeId> = Vec::new();
        let mut captures: Vec<NodeId> = Vec::new();
        let map = extract(
            src,
            &mut body,
            &[output],
            &keep,
            false,
            map,
            |dst, outer| {
                // A value computed outside the loop reads as its formula: `(2 * rate)`.
                let name = src.name(outer).map(str::to_string).unwrap_or_else(|| {
                    let text = crate::emit::infix::infix(src, outer);
                    if text.contains(' ') {
                        format!("({text})")
                    } else {
                        text
                    }
                });
                captured.push(outer);
                let id = dst.input(&name, src.node(outer).span);
                captures.push(id);
                id
            },
        );
        let body_output = map[output.index()].expect("the output is copied");
        body.set_name(body_output, &format!("{}[{}]", ctx.carried, ctx.index_text));

        let mut args = vec![init];
        args.extend(&captured);
        args.extend(ctx.collections.iter().map(|c| c.1));
        let index = self.graph.loops.len() as u32;
        self.graph.loops.push(Rc::new(LoopBody {
            graph: body,
            output: body_output,
            carry,
            captures,
            elements,
            collections: ctx.collections.iter().map(|c| c.0.clone()).collect(),
            range,
            source,
            collection_names: ctx.collections.iter().map(|c| c.2.clone()).collect(),
            carried: ctx.carried.clone(),
            index: ctx.index_text.clone(),
            rewrites: Rewrites {
                assume_finite: self.assume_finite,
                ..Rewrites::EXACT
            },
            tensor: self.tensor,
        }));
        let node = self.node(Op::Loop(index), args, span);
        self.graph.set_name(node, &ctx.carried);
        node
    }
}

impl LoopCtx {
    fn carry_input_name(&self, g: &Graph) -> String {
        g.inputs[input_index(g, self.carry_input)].name.clone()
    }
}

fn input_index(g: &Graph, id: NodeId) -> usize {
    match g.op(id) {
        Op::Input(i) => *i as usize,
        _ => unreachable!("loop sources are inputs"),
    }
}

/// The local generated code binds collection `c` to.
pub fn collection_local(c: usize) -> proc_macro2::Ident {
    local(&format!("cadena_coll{c}"))
}

/// The assignment target of a statement expression, if it is one.
fn assigned(e: &Expr) -> Option<&Expr> {
    let target = match e {
        Expr::Assign(a) => &a.left,
        Expr::Binary(b)
            if matches!(
                b.op,
                BinOp::AddAssign(_)
                    | BinOp::SubAssign(_)
                    | BinOp::MulAssign(_)
                    | BinOp::DivAssign(_)
            ) =>
        {
            &b.left
        }
        _ => return None,
    };
    Some(target)
}

/// `Axis(k)` with a literal `k`, and the path naming `Axis` (the emitted code names
/// its own, so the user's import of it is kept used through `Usage::use_path`).
fn axis_literal(e: &Expr) -> Option<(usize, &syn::Path)> {
    let Expr::Call(c) = strip(e) else {
        return None;
    };
    let Expr::Path(f) = strip(&c.func) else {
        return None;
    };
    let [k] = c.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    Some((usize::try_from(int_literal(k)?).ok()?, &f.path))
}

/// The name a pattern binds: `Some(name)`, `None` for `_`, an error for anything else.
fn pattern_name(p: &Pat) -> Result<Option<String>, ()> {
    match p {
        Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() && i.mutability.is_none() => {
            Ok(Some(i.ident.to_string()))
        }
        Pat::Wild(_) => Ok(None),
        _ => Err(()),
    }
}

/// Whether `tokens` contain any of `names` as an identifier.
fn mentions_any<'a>(tokens: &impl ToTokens, mut names: impl Iterator<Item = &'a String>) -> bool {
    fn idents(t: proc_macro2::TokenStream, out: &mut Vec<String>) {
        for tt in t {
            match tt {
                proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
                proc_macro2::TokenTree::Group(g) => idents(g.stream(), out),
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    idents(tokens.to_token_stream(), &mut found);
    names.any(|n| found.contains(n))
}

/// `e.name()` with no arguments: the receiver.
fn method0<'e>(e: &'e Expr, name: &str) -> Option<&'e Expr> {
    match e {
        Expr::MethodCall(m) if m.method == name && m.args.is_empty() => Some(&m.receiver),
        _ => None,
    }
}

fn strip(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::Group(g) => &g.expr,
            _ => return e,
        };
    }
}
