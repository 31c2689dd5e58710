//! `syn::ItemFn` → graph. Checks the signature, then walks the body's `let` bindings and
//! final expression, turning each supported construct into nodes that keep the span of
//! the tokens they came from. Anything unsupported is reported on its exact tokens with
//! what to write instead; lowering carries on so that every mistake is reported at once.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, FnArg, Ident, ItemFn, Lit, Pat, ReturnType, Stmt, Type, UnOp};

use crate::attr::Args;
use crate::ctxt::Ctxt;
use crate::graph::{Fun, Graph, NodeId, Op, Rules};
pub use crate::types::Float;
use crate::types::{Kind, classify};

/// One argument of the user's function.
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    pub kind: Kind,
    /// The input node: for floats, and in tensor code for every argument but structs
    /// (whose fields become inputs as the body reads them).
    pub input: Option<NodeId>,
}

/// A struct field the body reads (`p.enc.w1`): an input of its own.
pub struct Field {
    pub param: usize,
    pub path: Vec<Ident>,
    pub input: NodeId,
}

/// A checked, lowered function: the graph exactly as written (no rewrites yet).
pub struct Lowered {
    pub float: Float,
    pub params: Vec<Param>,
    /// Indices into `params` of the arguments to differentiate, in `wrt` order.
    pub wrt: Vec<usize>,
    pub graph: Graph,
    pub output: NodeId,
    /// ndarray code (some argument is an array or a parameter struct).
    pub tensor: bool,
    pub fields: Vec<Field>,
    /// How generated code passes each graph input to a helper (`x`, `&w`, `&p.w1`).
    pub access: Vec<TokenStream>,
    /// The function and `Axis` paths the body calls, as written (arguments stripped). The
    /// emitted body calls runtime helpers instead, so it names these in `use` items to
    /// keep the user's imports of them used, and their absence an error, as for the body
    /// as written.
    pub used_paths: Vec<syn::Path>,
    /// Arguments the body reads (even only in code the result does not need).
    pub read_params: Vec<Ident>,
    /// `let` names the body never reads, with their spans: the emitted body binds them
    /// unused so that rustc warns about them, as it would about the body as written,
    /// instead of about the arguments only they read.
    pub unread_lets: Vec<Ident>,
}

const METHODS: &str = "exp, ln, log10, log2, sqrt, powi, powf, sin, cos, tan, tanh, abs, max, min, ln_1p, exp_m1, recip, clone, and on arrays dot, t, sum, sum_axis(Axis(k)), mean_axis(Axis(k)), view, to_owned, into_owned";
const FUNCTIONS: &str = "sigmoid, tanh, relu, softplus, exp, ln, sqrt, bce, mse, and on arrays softmax, log_softmax, softmax_cross_entropy, cross_entropy, sum, mean, dot";

pub fn lower(item: &ItemFn, args: &Args) -> syn::Result<Lowered> {
    let mut cx = Ctxt::default();
    let mut graph = Graph::new(Rules::NONE);
    check_signature(&mut cx, item);
    if !item.sig.generics.params.is_empty() {
        // Every generic-typed argument would be reported again below: stop here.
        return Err(cx.check().expect_err("the generics were reported"));
    }
    let float = return_float(&mut cx, item);
    let mut access = Vec::new();
    let params = lower_params(&mut cx, item, float, &mut graph, &mut access);
    let tensor = params
        .iter()
        .any(|p| matches!(p.kind, Kind::Array { .. } | Kind::Struct));
    graph.tensor = tensor;
    let wrt = resolve_wrt(&mut cx, item, args, &params);
    let mut body = Body {
        cx: &mut cx,
        graph: &mut graph,
        params: &params,
        scope: HashMap::new(),
        tensor,
        fields: Vec::new(),
        access: &mut access,
        used_paths: Vec::new(),
        lets: Vec::new(),
        read_params: Vec::new(),
    };
    let output = body.block(item);
    let fields = std::mem::take(&mut body.fields);
    let used_paths = std::mem::take(&mut body.used_paths);
    let read_params = std::mem::take(&mut body.read_params);
    let unread_lets = body
        .lets
        .iter()
        .filter(|(ident, read)| !read && !ident.to_string().starts_with('_'))
        .map(|(ident, _)| ident.clone())
        .collect();
    cx.check()?;
    let output = output.expect("lowering succeeded without errors");
    Ok(Lowered {
        float: float.expect("checked"),
        params,
        wrt,
        graph,
        output,
        tensor,
        fields,
        access,
        used_paths,
        read_params,
        unread_lets,
    })
}

/// Rules out signature features the generated `grad` could not mirror.
fn check_signature(cx: &mut Ctxt, item: &ItemFn) {
    let sig = &item.sig;
    if let Some(t) = &sig.asyncness {
        cx.error(t, "async functions cannot be #[differentiable]; differentiate the synchronous computation and call it from async code");
    }
    if let Some(t) = &sig.constness {
        cx.error(t, "const functions cannot be #[differentiable]; the generated code calls runtime functions");
    }
    if let Some(t) = &sig.unsafety {
        cx.error(
            t,
            "unsafe functions cannot be #[differentiable]; a forward pass needs no unsafe code",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error(&sig.generics, "generic functions cannot be #[differentiable]; write the function for f32 or f64 (the macro emits code for one float type)");
    }
    if let Some(v) = &sig.variadic {
        cx.error(v, "variadic functions cannot be #[differentiable]");
    }
}

fn return_float(cx: &mut Ctxt, item: &ItemFn) -> Option<Float> {
    match &item.sig.output {
        ReturnType::Default => {
            cx.error(
                &item.sig.ident,
                "a #[differentiable] function must return its result as f32 or f64; add `-> f64`",
            );
            None
        }
        ReturnType::Type(_, ty) => {
            let f = Float::of(ty);
            if f.is_none() {
                cx.error(ty, format!(
                    "#[differentiable] functions return f32 or f64, not `{}`; return the loss as a float",
                    type_text(ty)
                ));
            }
            f
        }
    }
}

fn lower_params(
    cx: &mut Ctxt,
    item: &ItemFn,
    float: Option<Float>,
    g: &mut Graph,
    access: &mut Vec<TokenStream>,
) -> Vec<Param> {
    let mut params = Vec::new();
    let typed: Vec<_> = item.sig.inputs.iter().collect();
    let tensor = typed.iter().any(|a| match a {
        FnArg::Typed(pt) => matches!(classify(&pt.ty), Kind::Array { .. } | Kind::Struct),
        FnArg::Receiver(_) => false,
    });
    for arg in typed {
        let pt = match arg {
            FnArg::Receiver(r) => {
                cx.error(r, "methods cannot be #[differentiable]; `self` is not supported: write a free function and pass the fields it needs as arguments");
                continue;
            }
            FnArg::Typed(pt) => pt,
        };
        let ident = match &*pt.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none() => {
                p.ident.clone()
            }
            Pat::Ident(p) if p.mutability.is_some() => {
                cx.error(p, "mutable arguments are not supported in #[differentiable] functions; bind a new name with `let` instead");
                continue;
            }
            other => {
                cx.error(
                    other,
                    "#[differentiable] arguments must be plain names (`x: f64`), not patterns",
                );
                continue;
            }
        };
        let ty = (*pt.ty).clone();
        if let Type::Reference(r) = &ty
            && let Some(m) = &r.mutability
        {
            cx.error(m, "`&mut` arguments are not supported: #[differentiable] code does not mutate; take the value (`x: f64`)");
            continue;
        }
        let kind = classify(&ty);
        let elem = match kind {
            Kind::Float => Float::of(&ty),
            Kind::Array { elem, .. } => elem,
            Kind::Struct | Kind::Other => None,
        };
        if let (Some(a), Some(f)) = (elem, float)
            && a != f
        {
            cx.error(&pt.ty, "this argument's float type differs from the return type; use one float type (f32 or f64) throughout a #[differentiable] function");
        }
        let input = match kind {
            Kind::Float => Some(quote!(#ident)),
            Kind::Array { borrowed: true, .. } => Some(quote!(#ident)),
            Kind::Array {
                borrowed: false, ..
            } => Some(quote!(&#ident)),
            Kind::Other if tensor => Some(quote!(#ident)),
            Kind::Other | Kind::Struct => None,
        }
        .map(|tokens| {
            access.push(tokens);
            g.input(&ident.to_string(), ident.span())
        });
        params.push(Param {
            ident,
            ty,
            kind,
            input,
        });
    }
    params
}

fn resolve_wrt(cx: &mut Ctxt, item: &ItemFn, args: &Args, params: &[Param]) -> Vec<usize> {
    let differentiable = |p: &Param| {
        matches!(
            p.kind,
            Kind::Float | Kind::Array { elem: Some(_), .. } | Kind::Struct
        )
    };
    let floats: Vec<usize> = (0..params.len())
        .filter(|&i| differentiable(&params[i]))
        .collect();
    let Some(names) = &args.wrt else {
        let all_accepted = params.len() == item.sig.inputs.len();
        if floats.is_empty() && !params.is_empty() && all_accepted {
            cx.error(
                &item.sig.inputs,
                "no f32/f64 arguments to differentiate with respect to",
            );
        }
        return floats;
    };
    let mut wrt = Vec::new();
    for name in names {
        match params.iter().position(|p| p.ident == *name) {
            None => {
                let known: Vec<String> = params.iter().map(|p| p.ident.to_string()).collect();
                cx.error(name, format!(
                    "`{name}` is not an argument of `{}`; wrt(...) names arguments to differentiate: {}",
                    item.sig.ident,
                    known.join(", ")
                ));
            }
            Some(i) if !differentiable(&params[i]) => {
                cx.error(
                    name,
                    format!(
                        "`{name}: {}` is not differentiable; wrt(...) takes f32/f64 values, float arrays and parameter structs",
                        type_text(&params[i].ty)
                    ),
                );
            }
            Some(i) if wrt.contains(&i) => {
                cx.error(name, format!("`{name}` appears twice in wrt(...)"))
            }
            Some(i) => wrt.push(i),
        }
    }
    wrt
}

struct Body<'a> {
    cx: &'a mut Ctxt,
    graph: &'a mut Graph,
    params: &'a [Param],
    /// Each `let` name in scope: its value and its entry in `lets`.
    scope: HashMap<String, (NodeId, usize)>,
    tensor: bool,
    fields: Vec<Field>,
    access: &'a mut Vec<TokenStream>,
    used_paths: Vec<syn::Path>,
    /// Every `let` name bound, in order, and whether the body reads it; `scope` points
    /// each name at its latest binding here.
    lets: Vec<(Ident, bool)>,
    read_params: Vec<Ident>,
}

impl Body<'_> {
    /// Notes that the body reads argument `ident`.
    fn read_param(&mut self, ident: &Ident) {
        if !self.read_params.contains(ident) {
            self.read_params.push(ident.clone());
        }
    }

    fn block(&mut self, item: &ItemFn) -> Option<NodeId> {
        let stmts = &item.block.stmts;
        let mut output = None;
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            match stmt {
                Stmt::Local(local) => self.local(local),
                Stmt::Expr(Expr::Return(ret), _) if last => match &ret.expr {
                    Some(e) => output = self.expr(e),
                    None => self.cx.error(ret, "`return` needs a value: the function's result"),
                },
                Stmt::Expr(e, None) if last => output = self.expr(e),
                Stmt::Expr(e, _) => self.statement(e),
                Stmt::Item(it) => self.cx.error(it, "items inside a #[differentiable] function are not supported; define constants and helpers outside the function"),
                Stmt::Macro(m) => self.cx.error(m, "macros are not supported in #[differentiable] functions; compute with let bindings and supported operations"),
            }
        }
        let ends_with_value = matches!(
            stmts.last(),
            Some(Stmt::Expr(_, None)) | Some(Stmt::Expr(Expr::Return(_), _))
        );
        if !ends_with_value {
            let at: TokenStream = match stmts.last() {
                Some(s) => s.to_token_stream(),
                None => item.block.to_token_stream(),
            };
            self.cx.error(at, "a #[differentiable] function must end with an expression giving its result (no trailing `;`)");
        }
        output
    }

    /// A statement that is not a `let`, before the end: say why it cannot be lowered.
    fn statement(&mut self, e: &Expr) {
        match e {
            Expr::Return(r) => self.cx.error(r, "early `return` is not supported; a #[differentiable] function returns its final expression"),
            _ => {
                if !self.unsupported(e) {
                    self.cx.error(e, "only `let` bindings and a final expression are supported in a #[differentiable] function body");
                }
            }
        }
    }

    fn local(&mut self, local: &syn::Local) {
        let ident = match &local.pat {
            Pat::Ident(p) if p.mutability.is_some() => {
                self.cx.error(p, "`let mut` is not supported: #[differentiable] code does not mutate; bind a new name with `let` (shadowing is fine)");
                None
            }
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
            Pat::Type(t) => match &*t.pat {
                Pat::Ident(p)
                    if p.mutability.is_none() && p.by_ref.is_none() && p.subpat.is_none() =>
                {
                    Some(p.ident.clone())
                }
                other => {
                    self.cx.error(other, "only `let name = ...;` bindings are supported in #[differentiable] functions");
                    None
                }
            },
            other => {
                self.cx.error(
                    other,
                    "only `let name = ...;` bindings are supported in #[differentiable] functions",
                );
                None
            }
        };
        let Some(init) = &local.init else {
            self.cx.error(
                local,
                "`let` without a value is not supported; bind the value where it is computed",
            );
            return;
        };
        if let Some((_, diverge)) = &init.diverge {
            self.cx.error(
                diverge,
                "`let ... else` is not supported in #[differentiable] functions",
            );
        }
        let value = self.expr(&init.expr);
        if let (Some(ident), Some(value)) = (ident, value) {
            let name = ident.to_string();
            self.graph.set_name(value, &name);
            self.scope.insert(name, (value, self.lets.len()));
            self.lets.push((ident, false));
        }
    }

    fn expr(&mut self, e: &Expr) -> Option<NodeId> {
        let span = e.span();
        match e {
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            // `&x` in forward code only borrows; the value is the same.
            Expr::Reference(r) if r.mutability.is_none() => self.expr(&r.expr),
            Expr::Lit(lit) => self.literal(lit),
            Expr::Path(p) => self.path(p),
            Expr::Field(f) if self.tensor => self.field(f),
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => {
                    let x = self.expr(&u.expr)?;
                    Some(self.graph.node_at(Op::Neg, vec![x], span))
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
            other => {
                if !self.unsupported(other) {
                    self.cx.error(other, format!(
                        "this expression is not supported in #[differentiable] functions; use arithmetic (+ - * /), float literals, constants, methods ({METHODS}) and functions ({FUNCTIONS})"
                    ));
                }
                None
            }
        }
    }

    /// Reports constructs with a specific explanation; false if `e` is not one of them.
    fn unsupported(&mut self, e: &Expr) -> bool {
        let message = match e {
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                "loops are not supported in #[differentiable] functions; unroll them (one `let` per layer or step) so the graph is fixed at compile time"
            }
            Expr::If(_) => {
                "`if` is not supported in #[differentiable] functions: the graph must not depend on values; for piecewise functions use max, min, abs or relu"
            }
            Expr::Match(_) => {
                "`match` is not supported in #[differentiable] functions: the graph must not depend on values; for piecewise functions use max, min, abs or relu"
            }
            Expr::Assign(_) => {
                "assignment is not supported: #[differentiable] code does not mutate; bind a new name with `let` (shadowing is fine)"
            }
            Expr::Binary(b) if is_compound_assign(&b.op) => {
                "compound assignment is not supported: #[differentiable] code does not mutate; write `let x = x + ...;` instead"
            }
            Expr::Reference(r) if r.mutability.is_some() => {
                "`&mut` is not supported: #[differentiable] code does not mutate"
            }
            Expr::Macro(_) => {
                "macros are not supported in #[differentiable] functions; compute with let bindings and supported operations"
            }
            Expr::Cast(_) => {
                "`as` casts are not supported in #[differentiable] functions; use float values of the function's float type throughout"
            }
            Expr::Block(_) | Expr::Unsafe(_) => {
                "nested blocks are not supported in #[differentiable] functions; use `let` bindings at the top level of the body"
            }
            Expr::Closure(_) => "closures are not supported in #[differentiable] functions",
            Expr::Await(_) | Expr::Async(_) => {
                "async code is not supported in #[differentiable] functions"
            }
            Expr::Index(_) => {
                "indexing is not supported in #[differentiable] functions; pass the values as separate arguments"
            }
            Expr::Field(_) if self.tensor => {
                "only fields of a parameter-struct argument (`p.w1`, `p.enc.w1`) can be read in #[differentiable] functions"
            }
            Expr::Field(_) => {
                "field access is not supported in scalar #[differentiable] functions; pass the values as separate arguments, or a `&Params` struct with array fields"
            }
            Expr::Try(_) => "`?` is not supported in #[differentiable] functions",
            _ => return false,
        };
        self.cx.error(e, message);
        true
    }

    /// `p.w1` (or `p.enc.w1`) on a struct argument: each distinct field is an input.
    fn field(&mut self, f: &syn::ExprField) -> Option<NodeId> {
        let mut path = Vec::new();
        let mut base: &Expr = &Expr::Field(f.clone());
        while let Expr::Field(inner) = base {
            match &inner.member {
                syn::Member::Named(ident) => path.push(ident.clone()),
                syn::Member::Unnamed(_) => {
                    self.cx.error(
                        inner,
                        "tuple fields are not supported; name the struct's fields",
                    );
                    return None;
                }
            }
            base = &inner.base;
        }
        path.reverse();
        let param = match base {
            Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|id| self.params.iter().position(|q| q.ident == *id)),
            _ => None,
        };
        let Some(param) = param.filter(|&i| self.params[i].kind == Kind::Struct) else {
            self.unsupported(&Expr::Field(f.clone()));
            return None;
        };
        let ident = self.params[param].ident.clone();
        self.read_param(&ident);
        if let Some(existing) = self
            .fields
            .iter()
            .find(|x| x.param == param && x.path == path)
        {
            return Some(existing.input);
        }
        let root = &self.params[param].ident;
        let name = std::iter::once(root.to_string())
            .chain(path.iter().map(|p| p.to_string()))
            .collect::<Vec<_>>()
            .join(".");
        self.access.push(quote!(&#root #(.#path)*));
        let input = self.graph.input(&name, f.span());
        self.fields.push(Field { param, path, input });
        Some(input)
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
        if let Some(ident) = p.path.get_ident() {
            let name = ident.to_string();
            if let Some(&(id, at)) = self.scope.get(&name) {
                self.lets[at].1 = true;
                return Some(id);
            }
            if let Some(param) = self.params.iter().find(|q| q.ident == *ident) {
                self.read_param(&param.ident);
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

    fn binary(&mut self, b: &syn::ExprBinary) -> Option<NodeId> {
        let op = match b.op {
            BinOp::Add(_) => Op::Add,
            BinOp::Sub(_) => Op::Sub,
            BinOp::Mul(_) => Op::Mul,
            BinOp::Div(_) => Op::Div,
            _ => {
                let e = Expr::Binary(b.clone());
                if !self.unsupported(&e) {
                    self.cx.error(b.op, format!(
                        "operator `{}` is not supported in #[differentiable] functions; use + - * / (and max/min/abs for comparisons)",
                        b.op.to_token_stream()
                    ));
                }
                return None;
            }
        };
        let l = self.expr(&b.left);
        let r = self.expr(&b.right);
        Some(self.graph.node_at(op, vec![l?, r?], b.span()))
    }

    fn method(&mut self, m: &syn::ExprMethodCall) -> Option<NodeId> {
        let name = m.method.to_string();
        if let Some(t) = &m.turbofish {
            self.cx.error(
                t,
                "type arguments are not supported on methods in #[differentiable] functions",
            );
        }
        let span = m.span();
        let receiver = self.expr(&m.receiver);
        let n_args = m.args.len();
        let expect = |cx: &mut Ctxt, n: usize| {
            if n_args != n {
                cx.error(m, format!("`{name}` takes {n} argument(s), found {n_args}"));
                false
            } else {
                true
            }
        };
        if let Some(f) = method_fun(&name) {
            if !expect(self.cx, 0) {
                return None;
            }
            return Some(self.graph.node_at(Op::Fun(f), vec![receiver?], span));
        }
        match name.as_str() {
            "powi" => {
                if !expect(self.cx, 1) {
                    return None;
                }
                let n = int_literal(&m.args[0]);
                if n.is_none() {
                    self.cx.error(&m.args[0], "powi takes an integer literal exponent in #[differentiable] functions (e.g. `x.powi(2)`); use powf for a computed exponent");
                }
                Some(self.graph.node_at(Op::Powi(n?), vec![receiver?], span))
            }
            "powf" | "max" | "min" => {
                if !expect(self.cx, 1) {
                    return None;
                }
                let op = match name.as_str() {
                    "powf" => Op::Powf,
                    "max" => Op::Max,
                    _ => Op::Min,
                };
                let other = self.expr(&m.args[0]);
                Some(self.graph.node_at(op, vec![receiver?, other?], span))
            }
            "dot" | "t" | "sum" | "sum_axis" | "mean_axis" if !self.tensor => {
                self.cx.error(&m.method, format!(
                    "`{name}` works on arrays, and this function has no array arguments; take `&Array2<f32>` (or a parameter struct) to write tensor code"
                ));
                None
            }
            "dot" => {
                if !expect(self.cx, 1) {
                    return None;
                }
                let other = self.expr(&m.args[0]);
                Some(self.graph.node_at(Op::Dot, vec![receiver?, other?], span))
            }
            "t" | "sum" => {
                if !expect(self.cx, 0) {
                    return None;
                }
                let op = if name == "t" { Op::T } else { Op::Sum };
                Some(self.graph.node_at(op, vec![receiver?], span))
            }
            "sum_axis" | "mean_axis" => {
                if !expect(self.cx, 1) {
                    return None;
                }
                let axis = self.axis(&m.args[0])?;
                let op = if name == "sum_axis" {
                    Op::SumAxis(axis)
                } else {
                    Op::MeanAxis(axis)
                };
                Some(self.graph.node_at(op, vec![receiver?], span))
            }
            // Copies and views change ownership, not values: the graph needs no node, and
            // the emitted code decides on its own what to borrow.
            "clone" | "to_owned" | "view" | "into_owned" => {
                if !expect(self.cx, 0) {
                    return None;
                }
                receiver
            }
            "mean" if self.tensor => {
                self.cx.error(&m.method, "ndarray's `mean()` returns an `Option`; write `mean(x)` for the mean of every element, or `x.mean_axis(Axis(k))` along an axis");
                None
            }
            "map" | "mapv" | "mapv_into" | "map_inplace" | "mapv_inplace" => {
                self.cx.error(&m.method, format!(
                    "closures are not differentiated, so `{name}` is not supported in #[differentiable] functions; apply the operation to the whole array instead (`tanh(x)`, `x * 2.0`, `x.powi(2)`, `relu(x)`)"
                ));
                None
            }
            "floor" | "ceil" | "round" | "round_ties_even" | "trunc" | "fract" | "signum"
            | "rem_euclid" | "div_euclid" | "clamp" | "copysign" => {
                self.cx.error(&m.method, format!(
                    "`{name}` is not differentiable (its derivative is zero or undefined almost everywhere) and is not supported in #[differentiable] functions"
                ));
                None
            }
            _ => {
                self.cx.error(&m.method, format!(
                    "unknown method `{name}` in a #[differentiable] function; supported methods: {METHODS}"
                ));
                None
            }
        }
    }

    fn call(&mut self, c: &syn::ExprCall) -> Option<NodeId> {
        let Expr::Path(p) = &*c.func else {
            self.cx.error(
                &c.func,
                format!("only calls to {FUNCTIONS} are supported in #[differentiable] functions"),
            );
            return None;
        };
        let segments: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let known_path = segments.len() == 1 || segments[0] == "cadena";
        let name = segments.last().cloned().unwrap_or_default();
        let (op, arity) = match name.as_str() {
            "sigmoid" => (Op::Fun(Fun::Sigmoid), 1),
            "tanh" => (Op::Fun(Fun::Tanh), 1),
            "relu" => (Op::Fun(Fun::Relu), 1),
            "softplus" => (Op::Fun(Fun::Softplus), 1),
            "exp" => (Op::Fun(Fun::Exp), 1),
            "ln" => (Op::Fun(Fun::Ln), 1),
            "sqrt" => (Op::Fun(Fun::Sqrt), 1),
            "bce" => (Op::Bce, 2),
            "mse" => (Op::Mse, 2),
            "softmax" => (Op::Softmax, 1),
            "log_softmax" => (Op::LogSoftmax, 1),
            "softmax_cross_entropy" => (Op::SoftmaxCe, 2),
            "cross_entropy" => (Op::CrossEntropy, 2),
            "sum" => (Op::Sum, 1),
            "mean" => (Op::Mean, 1),
            "dot" => (Op::Dot, 2),
            _ => (Op::Add, usize::MAX),
        };
        if !known_path || arity == usize::MAX {
            self.cx.error(&c.func, format!(
                "unknown function `{}` in a #[differentiable] function; the macro differentiates the cadena::prelude functions {FUNCTIONS}; and the methods {METHODS}",
                p.to_token_stream().to_string().replace(' ', "")
            ));
            return None;
        }
        self.use_path(&p.path);
        if !self.tensor && !op.is_elementwise() && !matches!(op, Op::Bce | Op::Mse) {
            self.cx.error(&c.func, format!(
                "`{name}` works on arrays, and this function has no array arguments; take `&Array2<f32>` (or a parameter struct) to write tensor code"
            ));
            return None;
        }
        if c.args.len() != arity {
            self.cx.error(
                c,
                format!("`{name}` takes {arity} argument(s), found {}", c.args.len()),
            );
            return None;
        }
        if matches!(op, Op::SoftmaxCe | Op::CrossEntropy) {
            self.check_label_array(&c.args[1]);
        }
        let args: Vec<Option<NodeId>> = c.args.iter().map(|a| self.expr(a)).collect();
        let args: Option<Vec<NodeId>> = args.into_iter().collect();
        Some(self.graph.node_at(op, args?, c.span()))
    }

    /// Class labels in an ndarray vector of integers would be read as one-hot rows (the
    /// runtime tells index labels by being slices): say how to pass them.
    fn check_label_array(&mut self, target: &Expr) {
        let mut e = target;
        while let Expr::Reference(r) = e {
            e = &r.expr;
        }
        let Expr::Path(p) = e else { return };
        let Some(param) = p
            .path
            .get_ident()
            .and_then(|id| self.params.iter().find(|q| q.ident == *id))
        else {
            return;
        };
        if crate::types::is_integer_array(&param.ty) {
            self.cx.error(target, format!(
                "class labels go in as a slice: take `{}: &[usize]` and pass `labels.as_slice().unwrap()` (an ndarray array here would be read as one-hot rows)",
                param.ident
            ));
        }
    }
}

impl Body<'_> {
    /// Records `path` (without generic arguments) for the emitted `use` items, once.
    fn use_path(&mut self, path: &syn::Path) {
        let mut bare = path.clone();
        for segment in &mut bare.segments {
            segment.arguments = syn::PathArguments::None;
        }
        if !self.used_paths.contains(&bare) {
            self.used_paths.push(bare);
        }
    }

    /// `Axis(k)` with a literal `k`.
    fn axis(&mut self, e: &Expr) -> Option<usize> {
        if let Expr::Call(c) = e
            && let Expr::Path(p) = &*c.func
            && p.path.segments.last().is_some_and(|s| s.ident == "Axis")
            && c.args.len() == 1
            && let Some(k) = int_literal(&c.args[0])
            && k >= 0
        {
            self.use_path(&p.path);
            return Some(k as usize);
        }
        self.cx.error(e, "the axis must be written `Axis(k)` with a literal k, so the graph is fixed at compile time");
        None
    }
}

fn method_fun(name: &str) -> Option<Fun> {
    Some(match name {
        "exp" => Fun::Exp,
        "ln" => Fun::Ln,
        "log10" => Fun::Log10,
        "log2" => Fun::Log2,
        "sqrt" => Fun::Sqrt,
        "sin" => Fun::Sin,
        "cos" => Fun::Cos,
        "tan" => Fun::Tan,
        "tanh" => Fun::Tanh,
        "abs" => Fun::Abs,
        "ln_1p" => Fun::Ln1p,
        "exp_m1" => Fun::ExpM1,
        "recip" => Fun::Recip,
        _ => return None,
    })
}

fn is_compound_assign(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

/// The value of an integer literal, optionally negated: `2`, `-3`.
fn int_literal(e: &Expr) -> Option<i32> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse().ok(),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => int_literal(&u.expr).map(|n: i32| -n),
        Expr::Paren(p) => int_literal(&p.expr),
        _ => None,
    }
}

/// A type as the user would write it: `&[usize]`, `Array2<f32>`.
fn type_text(ty: &Type) -> String {
    ty.to_token_stream()
        .to_string()
        .replace("& ", "&")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}
