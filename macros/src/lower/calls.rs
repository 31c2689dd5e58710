//! Operators, methods and functions → ops, by looking up the names users write in the op
//! table. What a name means, how many operands it takes and whether it needs arrays all
//! come from there; this file only reads the call's syntax.

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit, UnOp};

use super::body::Body;
use super::unsupported;
use crate::ir::ops::{
    Emit, IDENTITY_METHODS, Payload, Spec, functions_list, methods_list, works_on_floats,
};
use crate::ir::{NodeId, Op};

/// The op written with the binary operator `op` (`+ - * /`), if it is one.
pub fn operator(op: &BinOp) -> Option<Op> {
    let symbol = op.to_token_stream().to_string();
    find(|s| matches!(s.emit, Emit::Infix(sym) if sym == symbol))
}

fn find(pred: impl Fn(&Spec) -> bool) -> Option<Op> {
    Op::examples().find(|op| pred(op.spec()))
}

/// What a call's path names.
enum Target {
    /// One of the table's functions, written bare or as `cadena::...::name`.
    Op(Op, String),
    /// Any other function: the user's, inlined once its body is known.
    Function(String),
    /// A `cadena::` path the table does not have.
    Unknown,
    /// An associated function of a type (`Array2::zeros`): builds a value from nothing
    /// the graph knows.
    Constructor,
}

impl Body<'_> {
    /// Whether `e` is a float literal or names a float argument (not shadowed by a `let`).
    fn is_float_argument_or_literal(&self, e: &Expr) -> bool {
        match e {
            Expr::Lit(l) => matches!(l.lit, syn::Lit::Float(_)),
            Expr::Paren(p) => self.is_float_argument_or_literal(&p.expr),
            Expr::Reference(r) => self.is_float_argument_or_literal(&r.expr),
            Expr::Path(p) => p.path.get_ident().is_some_and(|ident| {
                !self.scope.contains(&ident.to_string())
                    && !self.calls.inlined()
                    && self
                        .params
                        .iter()
                        .any(|q| q.ident == *ident && q.kind == crate::types::Kind::Float)
            }),
            _ => false,
        }
    }
}

/// Whether `path` names one of the table's functions (`bce`, `cadena::ops::tanh`): read
/// as a value rather than called, it is a mistake, not a constant from scope.
pub(super) fn names_a_function(path: &syn::Path) -> Option<String> {
    match target(path) {
        Target::Op(_, name) => Some(name),
        _ => None,
    }
}

fn target(path: &syn::Path) -> Target {
    let segments = crate::types::segment_names(path);
    let cadena = segments.first().is_some_and(|s| s == "cadena");
    let name = segments.last().cloned().unwrap_or_default();
    let type_first = segments.len() >= 2 && segments[0].starts_with(char::is_uppercase);
    match find(|s| s.syntax.function == Some(name.as_str())) {
        _ if type_first => Target::Constructor,
        Some(op) if segments.len() == 1 || cadena => Target::Op(op, name),
        _ if !segments.is_empty() && !cadena => Target::Function(name),
        _ => Target::Unknown,
    }
}

impl Body<'_> {
    pub fn method(&mut self, m: &syn::ExprMethodCall) -> Option<NodeId> {
        // (`dot` of a float has its own message, below.)
        const ARRAY_METHODS: &[&str] = &[
            "t",
            "sum",
            "sum_axis",
            "mean_axis",
            "insert_axis",
            "slice",
            "index_axis",
            "select",
        ];
        if let Some(element) = self.loop_index_axis(m) {
            return Some(element);
        }
        if iterator_chain(m) {
            // One error for the chain, not one per link (`iter`, `map`, `sum::<f64>`).
            self.cx.error(m, "iterator chains are not differentiated: write a `for` loop over the array (`let mut acc = 0.0; for &ci in c { acc = acc + ci * x; }`), or an array operation in a function of arrays (`(c * x).sum()`)");
            return None;
        }
        let name = m.method.to_string();
        if name == "dot"
            && let Some(float) = std::iter::once(&*m.receiver)
                .chain(&m.args)
                .find(|e| self.is_float_argument_or_literal(e))
        {
            self.cx.error(float, "`dot` multiplies arrays (a matrix or vector product), and this is a float: scale by it with `*` instead (`x * b`)");
            return None;
        }
        if let Some(t) = &m.turbofish {
            self.cx.error(
                t,
                "type arguments are not supported on methods in #[differentiable] functions",
            );
        }
        if let Some(axis) = row_or_column(&name).filter(|_| self.tensor) {
            // `x.row(i)` is `x.index_axis(Axis(0), i)`, `x.column(j)` along `Axis(1)`.
            let receiver = self.expr(&m.receiver);
            if !self.expect_args(m, &name, 1) {
                return None;
            }
            let index = self.integer_operand(&m.args[0], "the index");
            let span = super::spans::first(&m.receiver);
            return Some(self.node(Op::IndexAxis(axis), vec![receiver?, index?], span));
        }
        let receiver = self.expr(&m.receiver);
        // ndarray's `mean_axis` returns an `Option` (`None` along an empty axis): its
        // `.unwrap()` or `.expect(..)`, as ndarray code writes it, is the array the
        // dialect's `mean_axis` gives.
        if self.tensor && matches!(name.as_str(), "unwrap" | "expect") && is_mean_axis(&m.receiver)
        {
            let message = usize::from(name == "expect");
            if !self.expect_args(m, &name, message) {
                return None;
            }
            if let Some(arg) = m.args.first()
                && !matches!(
                    arg,
                    Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(_),
                        ..
                    })
                )
            {
                self.cx.error(arg, "`expect` takes the message to panic with, a string literal (`.expect(\"a non-empty axis\")`)");
                return None;
            }
            return receiver;
        }
        if IDENTITY_METHODS.contains(&name.as_str()) {
            // Copies and views change ownership, not values: the graph needs no node, and
            // the emitted code decides on its own what to borrow.
            return self.expect_args(m, &name, 0).then_some(receiver?);
        }
        // ndarray's `x.reversed_axes()` is `x.t()`: both reverse every axis.
        let name = match name.as_str() {
            "reversed_axes" => "t".to_string(),
            _ => name,
        };
        let Some(op) = find(|s| s.syntax.method == Some(name.as_str())) else {
            unsupported::method(self.cx, m, self.tensor);
            return None;
        };
        let spec = op.spec();
        if !self.allowed_here(spec, &m.method) {
            return None;
        }
        // `u1.t()` of a float `u1` (a `mean`): an array's method, which a float lacks
        // (rustc's error for the body as written), and the graph would read as itself.
        if self.tensor
            && ARRAY_METHODS.contains(&name.as_str())
            && let Some(r) = receiver
            && self.shape(r) == crate::ir::shapes::Shape::Float
        {
            self.cx.error(&m.method, format!(
                "`{name}` is a method of arrays, and this is a float (a reduction such as `mean` or `sum`, or a loss): leave it out, or call it on the array before reducing"
            ));
            return None;
        }
        if op == Op::Slice
            && let Some(s) = m.args.first()
        {
            self.check_slice_rank(&m.receiver, s)?;
        }
        let payload = usize::from(spec.syntax.payload != Payload::None);
        if !self.expect_args(m, &name, spec.arity - 1 + payload) {
            return None;
        }
        let op = match spec.syntax.payload {
            Payload::None => op,
            Payload::Exponent => match int_literal_of(&m.args[0], "i32") {
                Some(n) => Op::Powi(n),
                None => {
                    self.cx.error(&m.args[0], "powi takes an integer literal exponent in #[differentiable] functions (e.g. `x.powi(2)`); use powf for a computed exponent");
                    return None;
                }
            },
            Payload::Axis => {
                let axis = self.axis(&m.args[0])?;
                Op::from_parts(spec.name, Some(&axis.to_string()))?
            }
        };
        let operands: Vec<Option<NodeId>> = m
            .args
            .iter()
            .skip(payload)
            .enumerate()
            .map(|(j, a)| self.operand(spec, j + 1, a))
            .collect();
        let read = std::iter::once((receiver, &*m.receiver))
            .chain(operands.iter().copied().zip(m.args.iter().skip(payload)));
        if self.operands_of_another_kind(spec, &name, read) {
            return None;
        }
        // `s.powf(y.tanh())` of a float `s` and an array: the float's own method takes a
        // float (rustc's mismatched types for the body as written), which the graph would
        // broadcast.
        if self.tensor
            && matches!(name.as_str(), "powf" | "max" | "min")
            && let Some(r) = receiver
            && self.shape(r) == crate::ir::shapes::Shape::Float
            && let Some((_, at)) = (operands.iter().zip(m.args.iter().skip(payload)))
                .find(|(a, _)| a.is_some_and(|a| self.shape(a) == crate::ir::shapes::Shape::Array))
        {
            let advice = match name.as_str() {
                "powf" => "for a float raised to each element's power, write `exp(y * s.ln())`"
                    .to_string(),
                _ => format!("call it on the array (`y.{name}(s)`)"),
            };
            self.cx.error(
                at,
                format!("`{name}` of a float takes a float, and this is an array: {advice}"),
            );
            return None;
        }
        let mut args = vec![receiver?];
        for a in operands {
            args.push(a?);
        }
        Some(self.node(op, args, super::spans::first(&m.receiver)))
    }

    /// Reports an integer argument (class ids, indices) an op computes with as floats
    /// (`sum(ids)`, `x.dot(w)` with `x: &Array2<u8>`), where it is not a target, a stride
    /// or an index, and in ndarray code a float where the op takes an array
    /// (`softmax(2.0, Axis(1))`, a bias `0.0` of `conv1d`) or a loss of a float and an
    /// array: the op's operands in order, `k` as the op table counts them.
    fn operands_of_another_kind<'e>(
        &mut self,
        spec: &crate::ir::ops::Spec,
        name: &str,
        operands: impl Iterator<Item = (Option<NodeId>, &'e Expr)>,
    ) -> bool {
        let operands: Vec<(Option<NodeId>, &Expr)> = operands.collect();
        // `mse(v, y)` of a float and an array: Rust's mismatched types for the body as
        // written (the loss takes two of one kind), which the graph would broadcast.
        if let [(Some(v), _), (Some(t), at)] = operands[..]
            && self.tensor
            && spec.class == crate::ir::ops::Class::Loss
        {
            let (v, t) = (self.shape(v), self.shape(t));
            if let (Some(v), Some(t)) = (v.described(), t.described())
                && v != t
            {
                self.cx.error(at, format!(
                    "`{name}` compares two values of one kind, and this is {t} where the first is {v}: pass two floats or two arrays"
                ));
                return true;
            }
        }
        // `x.dot(w)` of `x: &Array3<f64>`: ndarray's `dot` multiplies vectors and
        // matrices only (rustc would report a recursion overflow).
        if spec.name == "dot" && self.tensor {
            for (node, a) in &operands {
                let rank = node.and_then(|n| crate::ir::shapes::argument_rank(self.params, n));
                if let Some(rank) = rank.filter(|r| *r > 2) {
                    self.cx.error(*a, format!(
                        "`dot` multiplies vectors and matrices, and this has {rank} axes: take a matrix of it first (`x.index_axis(Axis(0), i)`, or a reshape outside the function)"
                    ));
                    return true;
                }
            }
        }
        for (k, (node, a)) in operands.into_iter().enumerate() {
            // Asked only of operands that must be arrays: the answer walks the graph.
            let labels = spec.syntax.target == Some(k) && spec.syntax.class_labels;
            let must_be_array = labels || (spec.syntax.arrays && spec.syntax.target != Some(k));
            let float = self.tensor
                && must_be_array
                && node.is_some_and(|n| self.shape(n) == crate::ir::shapes::Shape::Float);
            if labels && float {
                self.cx.error(a, format!(
                    "the targets of `{name}` are one-hot rows (an array shaped like the logits) or class labels (`&[usize]`), and this is a float"
                ));
                return true;
            }
            if spec.syntax.target == Some(k) || spec.syntax.integers.contains(&k) {
                continue;
            }
            if let Some(arg) = node.and_then(|n| self.integer_argument(n)) {
                self.cx.error(a, format!(
                    "this is the integer argument `{arg}` (indices, class ids), which `{name}` does not compute with: pass it where indices go (`softmax_cross_entropy(z, {arg})`, `table.select(Axis(0), {arg})`), or convert its values to floats before the call"
                ));
                return true;
            }
            if spec.syntax.arrays && float {
                self.array_expected(name, a);
                return true;
            }
        }
        false
    }

    fn array_expected(&mut self, name: &str, a: &Expr) {
        self.cx.error(a, format!(
            "`{name}` takes an array here, and this is a float: pass an array (for one of the float's value, write it from an array argument: `&x * 0.0 + c`)"
        ));
    }

    /// A call's parts: a `#[differentiable]` function returning a tuple gives several,
    /// every other call one.
    pub fn call_parts(&mut self, c: &syn::ExprCall) -> Option<Vec<NodeId>> {
        if let Some(joined) = self.join_call(c) {
            return Some(vec![joined?]);
        }
        if let Expr::Path(p) = &*c.func
            && let Target::Function(name) = target(&p.path)
            && !self.method_written_as_function(c, &p.path, &name)
        {
            return self.call_function_parts(c, &p.path, &name);
        }
        Some(vec![self.call(c)?])
    }

    /// `cos(t)` for the method `t.cos()`: reported, with the call written as a method,
    /// when `name` is one of the table's methods and not a function, the path is the bare
    /// name, and no known callee has that name.
    fn method_written_as_function(
        &mut self,
        c: &syn::ExprCall,
        path: &syn::Path,
        name: &str,
    ) -> bool {
        let method = find(|s| s.syntax.method == Some(name)).is_some();
        let known = self.calls.known.iter().any(|k| k.item.sig.ident == name);
        if path.segments.len() != 1 || !method || known {
            return false;
        }
        let mut args = c.args.iter().map(super::source_text);
        let receiver = match (args.next(), c.args.first()) {
            (Some(r), Some(Expr::Path(_) | Expr::Paren(_))) => r,
            (Some(r), _) => format!("({r})"),
            (None, _) => "x".to_string(),
        };
        let written = format!("{receiver}.{name}({})", args.collect::<Vec<_>>().join(", "));
        self.cx.error(
            &c.func,
            format!("`{name}` is a method in #[differentiable] functions: write `{written}` (a #[differentiable] function of your own named `{name}` is called as `self::{name}(..)`)"),
        );
        true
    }

    /// The function's own argument a call names, if it does (`g(x)` with `g: impl Fn..`).
    fn called_argument(&self, path: &syn::Path) -> Option<&crate::ir::function::Param> {
        let ident = path.get_ident()?;
        (!self.calls.inlined())
            .then(|| self.params.iter().find(|p| p.ident == *ident))
            .flatten()
    }

    pub fn call(&mut self, c: &syn::ExprCall) -> Option<NodeId> {
        if let Some(joined) = self.join_call(c) {
            return joined;
        }
        let Expr::Path(p) = &*c.func else {
            self.cx.error(
                &c.func,
                format!(
                    "only calls to {} are supported in #[differentiable] functions",
                    functions_list()
                ),
            );
            return None;
        };
        // `f64::from(x)` of a float is `x` (a conversion to the float type it has).
        let segments = crate::types::segment_names(&p.path);
        if let ([ty, from], [arg]) = (&segments[..], &c.args.iter().collect::<Vec<_>>()[..])
            && (ty == "f64" || ty == "f32")
            && from == "from"
        {
            // Of an array argument, no such conversion exists.
            if let Expr::Path(path) = super::strip(arg)
                && let Some(ident) = path.path.get_ident()
                && let Some(p) = self.params.iter().find(|p| p.ident == *ident)
                && matches!(
                    p.kind,
                    crate::types::Kind::Array { .. } | crate::types::Kind::Struct
                )
            {
                self.cx.error(
                    arg,
                    format!(
                        "`{ty}::from` converts a number to a float, and `{ident}` is `{}`",
                        super::type_text(&p.ty)
                    ),
                );
                return None;
            }
            // Of another float type it is another float (or no conversion at all:
            // `f32::from(f64)`, `f64::from(T)`), which the function's values cannot meet.
            let computes = self.float_ty.as_ref().and_then(crate::types::Float::of);
            if computes.map(|f| f.name()) != Some(ty.as_str()) {
                let what = match &self.float_ty {
                    Some(t) => format!("`{}`", super::type_text(t)),
                    None => "the float type of its generic arguments".to_string(),
                };
                self.cx.error(&c.func, format!(
                    "`{ty}::from` makes an `{ty}`, and this function computes in {what}: a float of the function's own type needs no conversion"
                ));
                return None;
            }
            let value = self.expr(arg)?;
            // `f64::from(y)` of labels (`y: &[usize]`): no such conversion either, and
            // the macro would read the labels on as a value.
            if let Some(name) = self.integer_argument(value) {
                self.cx.error(arg, format!(
                    "`{ty}::from` converts one number to a float, and `{name}` is the integer argument `{name}` (indices, class ids): pass it where indices go (`softmax_cross_entropy(z, {name})`), or convert its values to floats before the call"
                ));
                return None;
            }
            return Some(value);
        }
        // `f64::sin(x)`, `f32::max(a, b)`: the float's method called by its path, which is
        // the method on the first argument (`x.sin()`, `a.max(b)`).
        if let [ty, method] = &segments[..]
            && (ty == "f64" || ty == "f32")
            && let Some(receiver) = c.args.first()
        {
            let last = p.path.segments.last().expect("two segments");
            // In parentheses of the user's span: syn would print `a * b` as a receiver in
            // parentheses of the attribute's, where errors on the call would then point.
            let receiver = syn::Expr::Paren(syn::ExprParen {
                attrs: Vec::new(),
                paren_token: syn::token::Paren(crate::lower::spans::first(receiver)),
                expr: Box::new(receiver.clone()),
            });
            let call = syn::ExprMethodCall {
                attrs: Vec::new(),
                receiver: Box::new(receiver),
                dot_token: syn::token::Dot(last.ident.span()),
                method: syn::Ident::new(method, last.ident.span()),
                turbofish: None,
                paren_token: c.paren_token,
                args: c.args.iter().skip(1).cloned().collect(),
            };
            return self.method(&call);
        }
        let (op, name) = match target(&p.path) {
            // In Rust the function's own name hides the glob-imported op of that name: the
            // call is recursion (and, expanded, ambiguous with the prelude).
            Target::Op(..)
                if p.path.leading_colon.is_none()
                    && p.path
                        .get_ident()
                        .is_some_and(|i| self.calls.stack.iter().any(|f| i == f)) =>
            {
                let name = p.path.get_ident().expect("checked").to_string();
                self.cx.error(&c.func, format!(
                    "`{name}` here calls this function itself, whose name hides cadena's `{name}`: recursion is not supported in #[differentiable] functions; give the function another name to call the op"
                ));
                return None;
            }
            Target::Op(op, name) => (op, name),
            Target::Function(name) if self.method_written_as_function(c, &p.path, &name) => {
                return None;
            }
            // An argument called (`g: impl Fn(f64) -> f64`): its code is the caller's, out
            // of the macro's sight, and no export macro of that name exists.
            Target::Function(_) if let Some(param) = self.called_argument(&p.path) => {
                let ty = crate::lower::type_text(&param.ty);
                self.cx.error(&c.func, format!(
                    "`{}` is an argument of this function (`{ty}`), and the macro differentiates only code it reads: cadena's functions, or a #[differentiable] function called by its name (write what `{}` computes as one, or write it out here)",
                    param.ident, param.ident
                ));
                return None;
            }
            // Another function: a `#[differentiable]` one is inlined once its body is
            // known; until then the expansion waits for its export macro to hand it over.
            Target::Function(name) => return self.call_function(c, &p.path, &name),
            Target::Constructor => {
                let text = p.to_token_stream().to_string().replace(' ', "");
                self.cx.error(&c.func, format!(
                    "`{text}(..)` builds a new value, and a #[differentiable] body computes from its arguments: pass the array in as an argument, or derive it from one (`&x * 0.0` for zeros of `x`'s shape)"
                ));
                return None;
            }
            Target::Unknown => {
                self.cx.error(&c.func, format!(
                    "unknown function `{}` in a #[differentiable] function; the macro differentiates the cadena::prelude functions {}; and the methods {}",
                    p.to_token_stream().to_string().replace(' ', ""),
                    functions_list(),
                    methods_list(),
                ));
                return None;
            }
        };
        if !self.calls.inlined() {
            self.usage.use_path(&p.path);
        }
        let spec = op.spec();
        if !self.allowed_here(spec, &c.func) {
            return None;
        }
        if matches!(op, Op::Softmax | Op::LogSoftmax) && c.args.len() == 2 {
            return self.softmax_along(op == Op::Softmax, c);
        }
        // A function's axis is its second argument: `logsumexp(&x, Axis(1))`.
        let axis_at = (spec.syntax.payload == Payload::Axis).then_some(1);
        let expected = spec.arity + usize::from(axis_at.is_some());
        if c.args.len() != expected {
            self.cx.error(
                c,
                format!(
                    "`{name}` takes {expected} argument(s), found {}",
                    c.args.len()
                ),
            );
            return None;
        }
        let op = match axis_at {
            Some(at) => {
                let axis = self.axis(&c.args[at])?;
                Op::from_parts(spec.name, Some(&axis.to_string()))?
            }
            None => op,
        };
        if let Some(target) = spec.syntax.target.filter(|_| spec.syntax.class_labels) {
            self.check_label_array(&c.args[target]);
        }
        let written: Vec<&Expr> = (c.args.iter().enumerate())
            .filter(|(i, _)| Some(*i) != axis_at)
            .map(|(_, a)| a)
            .collect();
        let args: Vec<Option<NodeId>> = (written.iter().enumerate())
            .map(|(k, a)| self.operand(spec, k, a))
            .collect();
        // An integer argument (class ids, indices) where the function computes with
        // floats: `sum(ids)` is not a target, a stride or an index.
        let read = args.iter().copied().zip(written.iter().copied());
        if self.operands_of_another_kind(spec, &name, read) {
            return None;
        }
        let args: Option<Vec<NodeId>> = args.into_iter().collect();
        Some(self.node(op, args?, super::spans::first(&c.func)))
    }

    /// A literal `s![..]` on an argument of a known rank (`x: &Array2<f64>`) must have as
    /// many entries as it has axes (a `NewAxis` entry adds one): ndarray would panic at
    /// run time; this is a compile error at the macro.
    fn check_slice_rank(&mut self, receiver: &Expr, s: &Expr) -> Option<()> {
        let Expr::Macro(mac) = s else { return Some(()) };
        // Its bounds count with integers: `s![1e38f32..]` is no slice.
        if mac.mac.path.is_ident("s")
            && let Some(token) = crate::lower::integers::non_integer_token(mac.mac.tokens.clone())
        {
            self.cx.error(&token, "a slice's bounds and steps are integers: `usize` arguments, sizes (`x.nrows()`), constants or integer literals");
            return None;
        }
        // Each entry is one index or one range (`1.. ..` is a range of a range, which
        // ndarray's `s!` does not take; rustc would say so of the body as written, also
        // where the graph does not use the slice).
        if mac.mac.path.is_ident("s")
            && let Some(entry) = range_of_ranges(mac.mac.tokens.clone())
        {
            self.cx.error(&entry, "an entry of `s![..]` is one index or one range (`a..b`, `a..`, `..b`, `..`), with an optional step after `;`");
            return None;
        }
        let Some(rank) = self.rank_of(receiver) else {
            return Some(());
        };
        if !mac.mac.path.is_ident("s") {
            return Some(());
        }
        let mut entries = slice_entries(mac.mac.tokens.clone());
        entries.retain(|e| !e.is_empty());
        let axes = entries
            .iter()
            .filter(|e| e.last().is_none_or(|t| t.to_string() != "NewAxis"))
            .count();
        if axes == rank {
            return Some(());
        }
        let name = receiver.to_token_stream().to_string();
        self.cx.error(s, format!(
            "this `s![..]` slices {axes} axes, and `{name}` has {rank}: give one entry per axis (`..` keeps an axis whole)"
        ));
        None
    }

    /// The number of axes of an argument whose type says it (`&Array2<f64>`,
    /// `ArrayView3<f32>`), read by its name where no `let` shadows it.
    fn rank_of(&self, e: &Expr) -> Option<usize> {
        let e = match e {
            Expr::Reference(r) => &*r.expr,
            Expr::Paren(p) => &*p.expr,
            other => other,
        };
        let Expr::Path(p) = e else { return None };
        let ident = p.path.get_ident()?;
        if self.scope.contains(&ident.to_string()) || self.calls.inlined() {
            return None;
        }
        let param = self.params.iter().find(|q| q.ident == *ident)?;
        crate::types::array_rank(&param.ty)
    }

    /// Operand `k` of an op: an integer one as the tokens written, others as values.
    fn operand(&mut self, spec: &Spec, k: usize, e: &Expr) -> Option<NodeId> {
        if spec.syntax.integers.contains(&k) {
            let what = format!("argument {} of `{}`", k + 1, spec.name);
            self.integer_operand(e, &what)
        } else {
            self.expr(e)
        }
    }

    /// Array operations need an array argument somewhere in the function.
    fn allowed_here(&mut self, spec: &Spec, at: impl ToTokens) -> bool {
        if self.tensor || works_on_floats(spec) {
            return true;
        }
        let name = spec
            .syntax
            .method
            .or(spec.syntax.function)
            .unwrap_or(spec.name);
        self.cx.error(at, format!(
            "`{name}` works on arrays, and this function has no array arguments; take `&Array2<f32>` (or a parameter struct) to write tensor code"
        ));
        false
    }

    fn expect_args(&mut self, m: &syn::ExprMethodCall, name: &str, n: usize) -> bool {
        let found = m.args.len();
        if found != n {
            self.cx
                .error(m, format!("`{name}` takes {n} argument(s), found {found}"));
        }
        found == n
    }

    /// `Axis(k)` with a literal `k`.
    /// `softmax(&x, Axis(k))` and `log_softmax(&x, Axis(k))` along any axis, as
    /// `x - logsumexp(x, k)` (with the axis put back) and its exponential: stable, and
    /// their derivatives are those of the parts.
    fn softmax_along(&mut self, exp: bool, c: &syn::ExprCall) -> Option<NodeId> {
        let span = c.span();
        let axis = self.axis(&c.args[1])?;
        let x = self.expr(&c.args[0])?;
        if self.tensor && self.shape(x) == crate::ir::shapes::Shape::Float {
            let name = if exp { "softmax" } else { "log_softmax" };
            self.array_expected(name, &c.args[0]);
            return None;
        }
        let lse = self.node(Op::LogSumExp(axis), vec![x], span);
        let back = self.node(Op::InsertAxis(axis), vec![lse], span);
        let log_p = self.node(Op::Sub, vec![x, back], span);
        Some(match exp {
            true => self.node(Op::Exp, vec![log_p], span),
            false => log_p,
        })
    }

    pub(super) fn axis(&mut self, e: &Expr) -> Option<usize> {
        if let Expr::Call(c) = e
            && let Expr::Path(p) = &*c.func
            && p.path.segments.last().is_some_and(|s| s.ident == "Axis")
            && c.args.len() == 1
            && let Some(k) = int_literal_of(&c.args[0], "usize")
            && k >= 0
        {
            if !self.calls.inlined() {
                self.usage.use_path(&p.path);
            }
            return Some(k as usize);
        }
        self.cx.error(e, "the axis must be written `Axis(k)` with a literal k, so the graph is fixed at compile time");
        None
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

/// The axis `x.row(i)` and `x.column(j)` index along.
fn row_or_column(method: &str) -> Option<usize> {
    match method {
        "row" => Some(0),
        "column" => Some(1),
        _ => None,
    }
}

/// The value of an integer literal, optionally negated: `2`, `-3`. Not `3_f64`, which
/// syn reads as an integer literal with a suffix and Rust as a float.
pub fn int_literal(e: &Expr) -> Option<i32> {
    literal_with_suffix(e, &|suffix| !matches!(suffix, "f32" | "f64"))
}

/// `int_literal` where Rust expects an integer of type `ty` (`usize` for an axis or an
/// index, `i32` for `powi`): unsuffixed or suffixed with `ty`.
pub fn int_literal_of(e: &Expr, ty: &str) -> Option<i32> {
    literal_with_suffix(e, &|suffix| suffix.is_empty() || suffix == ty)
}

fn literal_with_suffix(e: &Expr, suffix_ok: &dyn Fn(&str) -> bool) -> Option<i32> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) if suffix_ok(i.suffix()) => i.base10_parse().ok(),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => {
            literal_with_suffix(&u.expr, suffix_ok).map(|n: i32| -n)
        }
        Expr::Paren(p) => literal_with_suffix(&p.expr, suffix_ok),
        _ => None,
    }
}

/// Whether a method call ends an iterator chain: some receiver along it is `.iter()`,
/// `.into_iter()` or `.iter_mut()`.
fn iterator_chain(m: &syn::ExprMethodCall) -> bool {
    let mut e: &Expr = &m.receiver;
    if ["iter", "into_iter", "iter_mut"].contains(&m.method.to_string().as_str()) {
        return true;
    }
    while let Expr::MethodCall(inner) = e {
        if ["iter", "into_iter", "iter_mut"].contains(&inner.method.to_string().as_str()) {
            return true;
        }
        e = &inner.receiver;
    }
    false
}

/// Whether `e` is a call of `mean_axis` (in parentheses or not).
fn is_mean_axis(e: &Expr) -> bool {
    matches!(super::strip(e), Expr::MethodCall(m) if m.method == "mean_axis")
}

/// The first entry of `s![..]`'s tokens that holds more than one range (`1.. ..`), if any:
/// its tokens, for the error's span. A step (after `;`) is not part of the range.
fn range_of_ranges(tokens: proc_macro2::TokenStream) -> Option<proc_macro2::TokenStream> {
    slice_entries(tokens).into_iter().find_map(|entry| {
        let range: Vec<_> = entry
            .iter()
            .take_while(|t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ';'))
            .cloned()
            .collect();
        let text: String = range.iter().map(ToString::to_string).collect();
        (text.matches("..").count() > 1).then(|| range.into_iter().collect())
    })
}

/// The entries of `s![..]`'s tokens, split at its commas.
fn slice_entries(tokens: proc_macro2::TokenStream) -> Vec<Vec<proc_macro2::TokenTree>> {
    let mut entries = vec![Vec::new()];
    for tt in tokens {
        match &tt {
            proc_macro2::TokenTree::Punct(p) if p.as_char() == ',' => entries.push(Vec::new()),
            _ => {
                if let Some(last) = entries.last_mut() {
                    last.push(tt);
                }
            }
        }
    }
    entries
}
