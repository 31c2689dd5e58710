//! Joins: `concatenate![Axis(k), a, b]` and `stack![Axis(k), a, b]` (ndarray's macros)
//! and their function forms `concatenate(Axis(k), &[a.view(), b.view()])`,
//! `stack(Axis(k), &[a, b])`. Each is one node with any number of operands; its adjoint
//! hands every operand back its own slab.

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Token};

use super::body::Body;
use crate::ir::{NodeId, Op};

/// Which join a name spells.
fn join_op(name: &str, axis: usize) -> Option<Op> {
    match name {
        "concatenate" => Some(Op::Concatenate(axis)),
        "stack" => Some(Op::Stack(axis)),
        _ => None,
    }
}

fn is_join(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == "concatenate" || s.ident == "stack")
}

impl Body<'_> {
    /// `concatenate![Axis(k), a, ..]` or `stack![..]`; `None` if the macro is neither.
    pub fn join_macro(&mut self, m: &syn::ExprMacro) -> Option<Option<NodeId>> {
        if !is_join(&m.mac.path) {
            return None;
        }
        let name = m.mac.path.segments.last()?.ident.to_string();
        let args = match m
            .mac
            .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        {
            Ok(args) => args,
            Err(e) => {
                self.cx.push(e);
                return Some(None);
            }
        };
        if !self.calls.inlined() {
            self.usage.use_path(&m.mac.path);
        }
        let args: Vec<Expr> = args.into_iter().collect();
        Some(self.join(&name, &args, m.span()))
    }

    /// `concatenate(Axis(k), &[a.view(), b.view()])` or `stack(Axis(k), &[a, b])`;
    /// `None` if the call is neither (another function of that name takes no `Axis`).
    pub fn join_call(&mut self, c: &syn::ExprCall) -> Option<Option<NodeId>> {
        let Expr::Path(p) = &*c.func else { return None };
        if !is_join(&p.path) || !c.args.first().is_some_and(is_axis) {
            return None;
        }
        let name = p.path.segments.last()?.ident.to_string();
        if !self.calls.inlined() {
            self.usage.use_path(&p.path);
        }
        // ndarray's function takes a slice of the parts: `&[a.view(), b.view()]` or `&outs`
        // (the dialect also takes a `Vec` by value); `&&[..]` or `[..]` is not Rust that
        // compiles, and rustc would say so of the body as written.
        let mut list = c.args.iter().nth(1);
        let mut refs = 0;
        while let Some(Expr::Reference(r)) = list {
            refs += 1;
            list = Some(&r.expr);
        }
        let by_value_literal = refs == 0 && matches!(list, Some(Expr::Array(_)));
        if (refs > 1 || by_value_literal)
            && let Some(parts) = c.args.iter().nth(1)
        {
            self.cx.error(parts, format!("`{name}` takes its parts as a slice, behind one `&`: `{name}(Axis(k), &[a.view(), b.view()])` or `{name}(Axis(k), &outs)`"));
            return Some(None);
        }
        match (list, c.args.len()) {
            (Some(Expr::Path(p)), 2)
                if p.path
                    .get_ident()
                    .is_some_and(|i| self.scope.sequence(&i.to_string()).is_some()) =>
            {
                Some(self.join_sequence(&name, &c.args[0], p))
            }
            (Some(Expr::Array(parts)), 2) => {
                let mut args = vec![c.args[0].clone()];
                args.extend(parts.elems.iter().cloned());
                Some(self.join(&name, &args, c.span()))
            }
            _ => {
                self.cx.error(c, format!("`{name}` in a #[differentiable] function takes an axis and its parts written out: `{name}(Axis(k), &[a.view(), b.view()])` (or `{name}![Axis(k), a, b]`)"));
                Some(None)
            }
        }
    }

    /// `stack(Axis(k), &outs)` of the `Vec` a loop pushed onto.
    fn join_sequence(&mut self, name: &str, axis: &Expr, p: &syn::ExprPath) -> Option<NodeId> {
        let seq = p.path.get_ident()?.to_string();
        let Some(values) = self.scope.sequence(&seq).flatten() else {
            self.cx.error(p, format!("`{seq}` is empty here: a loop before this line pushes onto it (`{seq}.push(h.clone());`)"));
            return None;
        };
        let axis = self.axis(axis)?;
        let op = match name {
            "stack" => Op::StackSeq(axis),
            _ => Op::ConcatenateSeq(axis),
        };
        Some(self.node(op, vec![values], p.span()))
    }

    fn join(&mut self, name: &str, args: &[Expr], span: proc_macro2::Span) -> Option<NodeId> {
        let Some((axis, parts)) = args.split_first() else {
            self.cx.push(syn::Error::new(
                span,
                format!("`{name}` takes an axis and at least one array: `{name}![Axis(k), a, b]`"),
            ));
            return None;
        };
        let axis = self.axis(axis)?;
        if parts.is_empty() {
            self.cx.push(syn::Error::new(
                span,
                format!("`{name}` needs at least one array after the axis"),
            ));
            return None;
        }
        let parts: Vec<Option<NodeId>> = parts.iter().map(|e| self.expr(e)).collect();
        let parts: Option<Vec<NodeId>> = parts.into_iter().collect();
        let op = join_op(name, axis)?;
        Some(self.node(op, parts?, span))
    }
}

fn is_axis(e: &Expr) -> bool {
    matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Axis")))
}
