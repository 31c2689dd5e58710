//! The body being lowered, and expressions to nodes: literals, operators, and reads of
//! `let`s, arguments and constants. Its state is split by concern: the names bound
//! ([`Scope`]), the calls to other `#[differentiable]` functions ([`Calls`]) and the loop
//! being lowered ([`LoopCtx`]).

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Lit, UnOp};

use super::inline::{Binding, Calls};
use super::loops::LoopCtx;
use super::scope::Scope;
use super::{Field, Param, Usage, type_text, unsupported};
use crate::ctxt::Ctxt;
use crate::ir::{Graph, NodeId, Op};
use crate::types::Float;

pub struct Body<'a> {
    pub cx: &'a mut Ctxt,
    pub graph: &'a mut Graph,
    pub params: &'a [Param],
    pub tensor: bool,
    /// Loop bodies are simplified with the function's rewrites.
    pub assume_finite: bool,
    /// The float type computed in, when it is `f32` or `f64`: a constant from scope is
    /// read as one (`PI` of `f64` in an `f32` function is then one error, on `PI`).
    pub float_ty: Option<syn::Type>,
    /// The function computes in a type parameter of its own (`T: Float`).
    pub generic_float: bool,
    /// The struct fields read, shared with the bodies of inlined callees.
    pub fields: &'a mut Vec<Field>,
    pub usage: &'a mut Usage,
    /// The `let` names bound so far.
    pub scope: Scope,
    /// Calls to other `#[differentiable]` functions: their bodies when known, the
    /// functions being inlined, the calls still waiting for a body, and how an inlined
    /// callee's parameters are bound.
    pub calls: Calls<'a>,
    /// The loop whose body is being lowered.
    pub looping: Option<Box<LoopCtx>>,
    /// The loops around it, outermost first: their elements read as values of the body.
    pub outer_loops: Vec<LoopCtx>,
}

impl Body<'_> {
    /// Hands the `let`s never read to the emitter, and reports the `Vec`s no loop filled.
    pub fn finish(self) {
        // Not while a callee's body is awaited: the loop calling it filled nothing yet.
        if self.cx.count() == 0 && !self.calls.waiting() {
            for name in self.scope.unfilled_sequences() {
                self.cx.error(&name, format!("no loop pushes onto `{name}`, so its element type is unknown: push each step's value in a loop (`{name}.push(h.clone())`), or remove it"));
            }
        }
        let tensor = self.tensor;
        let graph = &*self.graph;
        self.usage.unread_lets = (self.scope.unread().into_iter())
            .map(|(ident, value)| {
                let tokens = tensor.then(|| unread_tokens(graph, value)).flatten();
                (ident, tokens)
            })
            .collect();
    }

    /// Creates a node exactly as written: simplification comes later, on a copy.
    pub fn node(&mut self, op: Op, args: Vec<NodeId>, span: proc_macro2::Span) -> NodeId {
        self.graph.intern(op, args, span)
    }

    pub fn expr(&mut self, e: &Expr) -> Option<NodeId> {
        // Unstable in Rust (E0658), and the graph would ignore them (`#[cfg(..)]` too).
        if let Some(attr) = super::statements::attributes(e).first() {
            self.cx.error(attr, "attributes on expressions are not stable Rust, and #[differentiable] does not read them: remove it (lint levels go on the function)");
            return None;
        }
        match e {
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            // `&&x` types nowhere in ndarray code (no operator, op or method takes a
            // reference to a reference), though the macro would read it as `x`.
            Expr::Reference(r) if self.tensor && is_reference(&r.expr) => {
                self.cx.error(e, "a reference to a reference: ndarray's operators and cadena's ops take an array or one `&` of it (`&x`)");
                None
            }
            // `&0.5 * x`: no operator of ndarray's takes a float by reference.
            Expr::Reference(r) if self.tensor && matches!(super::strip(&r.expr), Expr::Lit(_)) => {
                self.cx.error(e, "a reference to a literal: a float takes part in ndarray code by value (`0.5 * &x`)");
                None
            }
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
                    self.no_arithmetic_on_labels(x, &u.expr)?;
                    Some(self.node(Op::Neg, vec![x], super::spans::first(e)))
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
            Expr::Match(m) => self.match_value(m),
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
        for (node, side) in [(l, &*b.left), (r, &*b.right)] {
            if let Some(node) = node {
                self.no_arithmetic_on_labels(node, side)?;
            }
        }
        Some(self.node(op, vec![l?, r?], super::spans::first(&b.left)))
    }

    /// Reports `node`, the operand `side` of an arithmetic operator, if it is an integer
    /// slice or array argument (`y: &[usize]`), which no operator takes.
    pub(super) fn no_arithmetic_on_labels(&mut self, node: NodeId, side: &Expr) -> Option<()> {
        let Some(name) = self.integer_argument(node) else {
            return Some(());
        };
        self.cx.error(side, format!(
            "this is the integer argument `{name}` (indices, class ids), which takes part in no arithmetic: pass it where indices go (`softmax_cross_entropy(z, {name})`, `table.select(Axis(0), {name})`), or convert its values to floats before the call"
        ));
        None
    }

    /// The name of the integer slice or array argument (`y: &[usize]`) whose input `node`
    /// is, if it is one.
    pub(super) fn integer_argument(&self, node: NodeId) -> Option<String> {
        self.params
            .iter()
            .find(|q| {
                q.input == Some(node)
                    && (crate::types::is_integer_slice(&q.ty)
                        || crate::types::is_integer_array(&q.ty))
            })
            .map(|q| q.ident.to_string())
    }

    fn literal(&mut self, lit: &syn::ExprLit) -> Option<NodeId> {
        match &lit.lit {
            // `1.5f32` in a function computing in `f64`: rustc rejects the body as
            // written (the macro reads the value, and would not).
            Lit::Float(f)
                if let Some(computes) = self.float_ty.as_ref().and_then(Float::of)
                    && let Some(written) = Float::of_suffix(f.suffix())
                    && written != computes =>
            {
                self.cx.error(
                    lit,
                    format!(
                        "`{}` is an `{}` literal, and this function computes in `{}`: write `{}`",
                        quote::quote!(#f),
                        f.suffix(),
                        computes.name(),
                        f.base10_digits(),
                    ),
                );
                None
            }
            Lit::Float(f) => match f.base10_parse::<f64>() {
                // `1e400`: rustc's `overflowing_literals` (an error by default) on the
                // body as written, which in ndarray code rustc does not see.
                Ok(v)
                    if self.tensor
                        && let Some(float) = overflowed(v, &self.float_ty, f.suffix()) =>
                {
                    self.cx.error(lit, format!("literal out of range for `{float}`: `{}` is beyond its largest value (write `{float}::INFINITY` for infinity, or `{float}::MAX`)", f.base10_digits()));
                    None
                }
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

    /// Whether an argument of type `ty`, an input of ndarray code, cannot be read as a
    /// value: a parameter struct (`&P`), a type with generic arguments (`Vec<f64>`), or a
    /// plain type name that is not the function's float (`Mode`), in a function computing
    /// in `f32` or `f64`. (A generic function's
    /// `T`, an alias of its float, integers and arrays may be.)
    fn not_a_value(&self, ty: &syn::Type) -> bool {
        use crate::types::{Kind, classify, is_float_array};
        match classify(ty) {
            Kind::Struct => !is_float_array(ty),
            // `xs: &[f64]`: a slice is not an array here (an ndarray array is).
            Kind::Other if float_slice(ty) => self.float_ty.is_some(),
            Kind::Other => {
                let Some(float) = &self.float_ty else {
                    return false;
                };
                // `Vec<f64>`, `Option<f64>`, `&Vec<f64>`: no number has generic
                // arguments (labels in a `Vec<usize>` are labels).
                if generic_arguments(ty) && !crate::types::is_integer_slice(ty) {
                    return true;
                }
                // `&&P`: a reference to a parameter struct's reference is no value either.
                let syn::Type::Path(tp) = crate::types::referent(ty) else {
                    return false;
                };
                let Some(ident) = tp.path.get_ident() else {
                    return false;
                };
                let name = ident.to_string();
                tp.qself.is_none()
                    && !crate::types::is_primitive(&name)
                    && quote::ToTokens::to_token_stream(float).to_string() != name
                    && name.starts_with(|c: char| c.is_uppercase())
            }
            _ => false,
        }
    }

    fn path(&mut self, p: &syn::ExprPath) -> Option<NodeId> {
        if let Some(found) = self.loop_name(p) {
            return found;
        }
        // `::EPSILON`: from the crate root, one segment names a crate, never a value (a
        // fuzzer finding: accepted where the result left it unused).
        if p.path.leading_colon.is_some() && p.path.segments.len() == 1 {
            self.cx.error(p, format!(
                "`{}` names a crate, not a value: write the constant's path (`f64::EPSILON`) or a `const` in scope",
                p.path.to_token_stream().to_string().replace(' ', "")
            ));
            return None;
        }
        if let Some(ident) = p.path.get_ident() {
            let name = ident.to_string();
            if let Some(id) = self.scope.read(&name) {
                return Some(id);
            }
            if self.scope.sequence(&name).is_some() {
                self.cx.error(p, format!(
                    "`{name}` holds one value per loop step: join them into an array with `stack(Axis(k), &{name})` or `concatenate(Axis(k), &{name})`"
                ));
                return None;
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
                Some(Binding::Floats(parts)) => {
                    self.cx.error(p, format!(
                        "`{name}` holds {} floats the caller wrote out: read them by index (`{name}[0]`)",
                        parts.len()
                    ));
                    return None;
                }
                Some(Binding::Integer(_)) => {
                    self.cx.error(p, format!(
                        "`{name}` is an integer; read it as a float with `{name} as f64`, or use it in a slice, an index or a size"
                    ));
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
                // `n: usize` read as a value (`n * 0.5`): ndarray code has no integer
                // arithmetic; a size or an index reads it where the op takes integers.
                if let syn::Type::Path(tp) = crate::types::ungroup(&param.ty)
                    && let Some(ty) = tp.path.get_ident()
                    && crate::types::is_integer(&ty.to_string())
                {
                    self.cx.error(p, format!(
                        "`{name}` is an integer (`{ty}`); read it as a float with `{name} as f64`, or use it in a slice, an index or a size"
                    ));
                    return None;
                }
                return match param.input {
                    // In ndarray code every argument is an input (integers are sizes and
                    // ids); one that is never a number is refused here, not in generated code.
                    Some(_) if crate::types::never_a_number(&param.ty) => {
                        self.cx.error(p, format!(
                            "`{name}` has type `{}`; only f32/f64 values can take part in a differentiated expression",
                            type_text(&param.ty)
                        ));
                        None
                    }
                    // A parameter struct, or a type of no number by value (`mode: Mode`),
                    // read as a value: not an operand of any op.
                    Some(_) if self.not_a_value(&param.ty) => {
                        let advice = match crate::types::classify(&param.ty) {
                            crate::types::Kind::Struct => {
                                format!("a parameter struct: read its fields (`{name}.w`)")
                            }
                            _ if float_slice(&param.ty) => format!(
                                "a slice, not an array: ndarray code computes with arrays of floats (take `ArrayView1<{0}>`, or pass `ArrayView1::from({name})`)",
                                self.float_ty.as_ref().map(type_text).unwrap_or_default()
                            ),
                            _ if generic_arguments(&param.ty) => {
                                let vec = match crate::types::is_vec(crate::types::referent(
                                    &param.ty,
                                )) {
                                    true => {
                                        " (a `Vec` of floats goes in as an array: `Array1::from(v)` before the call)"
                                    }
                                    false => "",
                                };
                                format!(
                                    "not a number: only floats and ndarray arrays of them take part in a differentiated expression{vec}"
                                )
                            }
                            _ => {
                                let float =
                                    self.float_ty.as_ref().map(type_text).unwrap_or_default();
                                format!(
                                    "not `{float}`, the float this function computes in: only floats of that type and arrays of them take part in a differentiated expression (an alias of `{float}` is written `{float}` here)"
                                )
                            }
                        };
                        self.cx.error(
                            p,
                            format!("`{name}` has type `{}`, {advice}", type_text(&param.ty)),
                        );
                        None
                    }
                    Some(id) => Some(id),
                    None if crate::types::is_float_array(&param.ty) => {
                        self.cx.error(p, format!(
                            "`{name}` is a float array (`{}`): read its elements by index (`{name}[0]`), or loop over them (`for &v in {name} {{ .. }}`)",
                            type_text(&param.ty)
                        ));
                        None
                    }
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
        if let Some(name) = super::calls::names_a_function(&p.path) {
            self.cx.error(
                p,
                format!("`{name}` is a function, not a value: call it (`{name}(..)`)"),
            );
            return None;
        }
        // A lowercase name that is no argument and no `let` before this line: rustc would
        // not find it either, and as a constant it would type the generated code wrongly.
        if let Some(ident) = p.path.get_ident()
            && ident.to_string().chars().any(|c| c.is_lowercase())
            && !self.scope.bound_anywhere(&ident.to_string())
        {
            self.cx.error(
                p,
                format!(
                    "cannot find `{ident}` in this function: it is not an argument, nor a `let` before this line (a constant from scope is named in capitals, like `SCALE`)"
                ),
            );
            return None;
        }
        // Bound elsewhere in the function (a `let` after this line, in a block that has
        // ended, a loop's variable outside it): rustc would not find it here either, and
        // where the graph never reads the value it would never see it. Unless that
        // binding itself failed, which is reported already.
        if let Some(ident) = p.path.get_ident()
            && ident.to_string().chars().any(|c| c.is_lowercase())
            && self.cx.count() == 0
        {
            self.cx.error(
                p,
                format!(
                    "cannot find `{ident}` at this line: it is bound elsewhere in the function (a later `let`, or a block or loop that has ended); bind it before the lines that read it"
                ),
            );
            return None;
        }
        let text = p.to_token_stream().to_string().replace(' ', "");
        // `f64::from` or `models::logits` without arguments: a function, not a constant
        // (constants are named in capitals: `f64::MAX`, `consts::PI`).
        if p.path.segments.len() >= 2
            && let Some(last) = p.path.segments.last()
            && last.ident.to_string().starts_with(char::is_lowercase)
        {
            self.cx.error(
                p,
                format!("`{text}` is a function, not a value: call it (`{text}(..)`)"),
            );
            return None;
        }
        // `f64::EPSILON` in a function generic over its float: a constant of one float
        // type where the function computes in another (rustc's error would be on the
        // generated code, which does not hold the body as written).
        if self.generic_float
            && let Some(written) = p
                .path
                .segments
                .iter()
                .find(|s| s.ident == "f64" || s.ident == "f32")
        {
            self.cx.error(p, format!(
                "`{text}` is an `{}`, and this function computes in the float type of its generic arguments: write the number as a literal (a generic function reads a literal as its own float), or pass it in as an argument",
                written.ident
            ));
            return None;
        }
        // Anything else is a constant from scope (`PI`, `f64::EPSILON`, `SCALE`); the
        // compiler checks that it exists and has the function's float type, also where
        // the result does not need it (`written::tensor`).
        if !self.calls.inlined() {
            self.usage.constants.push(p.clone());
        }
        let tokens = match &self.float_ty {
            Some(ty) => quote::quote_spanned!(p.span()=> { let c: #ty = #p; c }),
            None => p.to_token_stream(),
        };
        // Known to be a float where it is named as constants are (`PI`, `f64::MAX`): a
        // lowercase name here is one an earlier error left unbound, whose kind is unknown.
        let constant = (p.path.segments.last())
            .is_some_and(|s| s.ident.to_string().starts_with(char::is_uppercase));
        Some(match constant {
            true => self.graph.float_const(text, tokens, p.span()),
            false => self.graph.named_const(text, tokens, p.span()),
        })
    }
}

/// The tokens of a `let` never read whose value is the user's own tokens, opaque to the
/// graph (`y as f64`, `f64::EPSILON`), for the emitted body to bind: ndarray code is not
/// handed to rustc as written, and a value the result does not need is emitted nowhere
/// else (a fuzzer finding: `let v = y as f64;` of labels `y` was accepted). Not those
/// reading a loop's index, bound only inside the generated loop.
fn unread_tokens(graph: &Graph, value: NodeId) -> Option<proc_macro2::TokenStream> {
    let Op::Named(k) = graph.op(value) else {
        return None;
    };
    let tokens = graph.consts.get(*k as usize)?.tokens.clone();
    (!super::integers::reads_loop_index(&tokens)).then_some(tokens)
}

/// `&x`, `(&x)`: a borrow, through parentheses.
fn is_reference(e: &Expr) -> bool {
    match e {
        Expr::Reference(_) => true,
        Expr::Paren(p) => is_reference(&p.expr),
        Expr::Group(g) => is_reference(&g.expr),
        _ => false,
    }
}

/// The type a float literal of value `v` (as `f64`) has when it is infinite there: its
/// suffix's, else the function's float (`f64` when that is generic or an alias, whose
/// name is given as written).
fn overflowed(v: f64, float_ty: &Option<syn::Type>, suffix: &str) -> Option<String> {
    let float = Float::of_suffix(suffix).or_else(|| float_ty.as_ref().and_then(Float::of));
    let infinite = match float {
        Some(Float::F32) => (v as f32).is_infinite(),
        _ => v.is_infinite(),
    };
    let name = match (float, float_ty) {
        (Some(f @ (Float::F32 | Float::F64)), _) => f.name().to_string(),
        (_, Some(t)) => quote::quote!(#t).to_string(),
        (_, None) => "f64".to_string(),
    };
    infinite.then_some(name)
}

/// Whether a path type's last segment has generic arguments (`Vec<f64>`); `i64<f32>` is
/// reported on the signature.
fn generic_arguments(ty: &syn::Type) -> bool {
    match crate::types::ungroup(ty) {
        syn::Type::Reference(r) => generic_arguments(&r.elem),
        syn::Type::Path(tp) => tp.path.segments.last().is_some_and(|s| {
            !s.arguments.is_empty() && !crate::types::is_primitive(&s.ident.to_string())
        }),
        _ => false,
    }
}

/// `&[f64]`, `[f32]`: a slice of floats (borrowed or not).
fn float_slice(ty: &syn::Type) -> bool {
    let inner = match crate::types::ungroup(ty) {
        syn::Type::Reference(r) => crate::types::ungroup(&r.elem),
        other => other,
    };
    matches!(inner, syn::Type::Slice(s) if Float::of(&s.elem).is_some())
}
