//! `if` on values: `if a > b { e1 } else if .. { e2 } else { e3 }`, with `let`s inside the
//! arms, and an early `return` inside an `if` (the rest of the body is its `else`). A
//! branch becomes an `if_else` node over both arms: both are computed, the value is the
//! taken arm's, and the adjoint flows into the taken arm only. A condition on values
//! becomes comparison nodes; one on integers and booleans alone (a configuration) is kept
//! as the tokens written, evaluated at run time.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{BinOp, Block, Expr, Stmt, UnOp};

use super::body::Body;
use crate::ir::ops::COMPARISONS;
use crate::ir::shapes::{self, Shape};
use crate::ir::{NodeId, Op};
use crate::types::Kind;

impl Body<'_> {
    /// The parts of `if c { .. } else { .. }` (one, or a tuple's).
    pub fn if_parts(&mut self, e: &syn::ExprIf) -> Option<Vec<NodeId>> {
        let Some((_, otherwise)) = &e.else_branch else {
            self.cx.error(e, "an `if` that gives a value needs an `else`; inside a body, `if c { return a; }` may stand without one");
            return None;
        };
        let cond = self.condition(&e.cond);
        let then = self.arm(&e.then_branch);
        let otherwise = match &**otherwise {
            Expr::Block(b) => self.arm(&b.block),
            Expr::If(inner) => self.if_parts(inner),
            other => {
                self.cx.error(other, "`else` takes a block or another `if`");
                None
            }
        };
        self.join_arms(cond?, then?, otherwise?, e.if_token.span)
    }

    /// `if c { return a; } rest..`: the value of `rest` is the `else` arm.
    pub fn early_return(
        &mut self,
        e: &syn::ExprIf,
        rest: &[Stmt],
        at: &dyn quote::ToTokens,
    ) -> Option<Vec<NodeId>> {
        let cond = self.condition(&e.cond);
        let then = self.arm(&e.then_branch);
        let scope = self.scope.save();
        let otherwise = self.statements(rest, at);
        self.scope.restore(scope);
        self.join_arms(cond?, then?, otherwise?, e.if_token.span)
    }

    fn join_arms(
        &mut self,
        cond: NodeId,
        then: Vec<NodeId>,
        otherwise: Vec<NodeId>,
        span: proc_macro2::Span,
    ) -> Option<Vec<NodeId>> {
        if then.len() != otherwise.len() {
            self.cx.push(syn::Error::new(
                span,
                format!(
                    "the arms of this `if` give {} and {} values; both must give the same",
                    then.len(),
                    otherwise.len()
                ),
            ));
            return None;
        }
        for (&a, &b) in then.iter().zip(&otherwise) {
            self.same_kind_arms(a, b, "`if`", span)?;
        }
        Some(
            then.into_iter()
                .zip(otherwise)
                .map(|(a, b)| self.node(Op::IfElse, vec![cond, a, b], span))
                .collect(),
        )
    }

    /// In ndarray code, arms of an array and a float for certain are Rust's "incompatible
    /// types" (the graph would broadcast the float, where the body as written does not
    /// compile).
    fn same_kind_arms(
        &mut self,
        a: NodeId,
        b: NodeId,
        what: &str,
        span: proc_macro2::Span,
    ) -> Option<()> {
        // `return y` of labels `y: &[usize]`: an arm's value is a float or an array of
        // floats.
        if let Some(arg) = [a, b].into_iter().find_map(|n| self.integer_argument(n)) {
            self.cx.push(syn::Error::new(
                span,
                format!("an arm of this {what} gives `{arg}`, an integer argument (indices, class ids): the arms give floats or arrays of floats"),
            ));
            return None;
        }
        if !self.tensor {
            return Some(());
        }
        let (a, b) = (self.shape(a), self.shape(b));
        if matches!(
            (a, b),
            (Shape::Array, Shape::Float) | (Shape::Float, Shape::Array)
        ) {
            self.cx.push(syn::Error::new(
                span,
                format!("the arms of this {what} give an array and a float: both must give the same type (for an array of the float, write it from the array: `&x * 0.0 + c`)"),
            ));
            return None;
        }
        Some(())
    }

    /// `match cfg { A => e1, B | C => e2, _ => e3 }` on a non-float argument (a
    /// configuration enum, an integer): every arm's value is computed and the one whose
    /// pattern matches at run time is taken, as for an `if` on integers; the last arm is
    /// what no earlier one matched (Rust checks that the arms cover every case).
    pub fn match_value(&mut self, m: &syn::ExprMatch) -> Option<NodeId> {
        if self.reads_values(m.expr.to_token_stream()) {
            self.cx.error(&m.expr, "a `match` chooses among arms by a configuration (an enum or integer argument); on values, compare them in an `if` (`if a > b { .. } else { .. }`)");
            return None;
        }
        let Some((last, earlier)) = m.arms.split_last() else {
            self.cx.error(m, "a `match` with no arms gives no value");
            return None;
        };
        let mut value = self.arm_value(&last.body);
        for arm in earlier.iter().rev() {
            let (scrutinee, pat) = (&m.expr, &arm.pat);
            let guard = arm.guard.as_ref().map(|(_, g)| quote!(if #g));
            if let Some((_, g)) = &arm.guard
                && self.reads_values(g.to_token_stream())
            {
                self.cx.error(
                    g,
                    "a `match` guard may read the configuration only, not values of the graph",
                );
            }
            let tokens = quote!(::core::matches!(#scrutinee, #pat #guard));
            let text = tokens.to_string().replace(' ', "");
            let cond = self.graph.named_const(
                format!("[{text}]"),
                quote!((if #tokens { 1.0 } else { 0.0 })),
                arm.pat.span(),
            );
            let this = self.arm_value(&arm.body);
            let span = m.match_token.span;
            if let (Some(a), Some(b)) = (this, value) {
                self.same_kind_arms(a, b, "`match`", span)?;
            }
            value = Some(self.node(Op::IfElse, vec![cond, this?, value?], span));
        }
        value
    }

    /// A `match` arm's value: a block (with `let`s of its own) or an expression.
    fn arm_value(&mut self, body: &Expr) -> Option<NodeId> {
        match body {
            Expr::Block(b) => match self.arm(&b.block)?.as_slice() {
                [one] => Some(*one),
                _ => {
                    self.cx.error(b, "a `match` arm gives one value here");
                    None
                }
            },
            other => self.expr(other),
        }
    }

    /// An arm's `let`s, in a scope of their own, and its value (or a `return`'s).
    fn arm(&mut self, block: &Block) -> Option<Vec<NodeId>> {
        let scope = self.scope.save();
        let value = self.statements(&block.stmts, block);
        self.scope.restore(scope);
        value
    }

    /// A condition as a node that is 1 where it holds and 0 elsewhere.
    fn condition(&mut self, e: &Expr) -> Option<NodeId> {
        if !self.reads_values(e.to_token_stream()) {
            // Integers, booleans and constants: the configuration, decided at run time.
            let tokens = e.to_token_stream();
            let text = tokens.to_string().replace(' ', "");
            return Some(self.graph.named_const(
                format!("[{text}]"),
                quote!((if #tokens { 1.0 } else { 0.0 })),
                e.span(),
            ));
        }
        match e {
            Expr::Paren(p) => self.condition(&p.expr),
            Expr::Group(g) => self.condition(&g.expr),
            Expr::Unary(u) if matches!(u.op, UnOp::Not(_)) => {
                let c = self.condition(&u.expr)?;
                let one = self.graph.constant(1.0);
                Some(self.node(Op::Sub, vec![one, c], super::spans::first(e)))
            }
            Expr::Binary(b) if matches!(b.op, BinOp::And(_) | BinOp::Or(_)) => {
                let l = self.condition(&b.left);
                let r = self.condition(&b.right);
                let op = match b.op {
                    BinOp::And(_) => Op::Mul,
                    _ => Op::Max,
                };
                Some(self.node(op, vec![l?, r?], super::spans::first(e)))
            }
            Expr::Binary(b) => {
                let Some(code) = comparison(&b.op) else {
                    self.cx.error(b.op, "a condition compares values with < <= > >= == != and joins comparisons with && || !");
                    return None;
                };
                let l = self.expr(&b.left);
                let r = self.expr(&b.right);
                // In ndarray code the graph does not depend on values: a comparison of
                // arrays would be a mask, not a branch.
                for (side, id) in [(&b.left, l), (&b.right, r)] {
                    if let Some(arg) = id.and_then(|id| self.integer_argument(id)) {
                        self.cx.error(side, format!("`{arg}` is an integer argument (indices, class ids), and an `if` compares floats: compare a float (`{arg}.len() as f64`, a value of the graph), or read `{arg}` where indices go"));
                        return None;
                    }
                    if self.tensor && id.is_some_and(|id| self.shape(id) == Shape::Array) {
                        self.cx.error(side, "an `if` compares floats, and this is an array: the graph of ndarray code does not depend on values; choose elementwise with `maximum(&a, &b)`, `minimum`, `relu`, or compare a reduction (`sum(..)`, `mean(..)`)");
                        return None;
                    }
                }
                Some(self.node(Op::Compare(code), vec![l?, r?], super::spans::first(e)))
            }
            other => {
                self.cx.error(other, "a condition on values compares them (`a > b`, `x != 0.0`) and joins comparisons with && || !");
                None
            }
        }
    }

    /// Node `id`'s shape where the graph so far says it for certain (an argument's, a
    /// reduction's, an array op's, a value the loop being lowered carries as its start's;
    /// see [`shapes`]); struct fields are not known here, and pass.
    pub(super) fn shape(&self, id: NodeId) -> Shape {
        let params = self.params;
        let looping = self.looping.as_deref();
        shapes::of(
            self.graph,
            id,
            |n| match looping.and_then(|l| l.init_of(n)) {
                Some(init) if init.index() < n.index() => self.shape(init),
                _ => shapes::argument(params, n),
            },
            |n| shapes::argument_rank(params, n),
        )
    }

    /// Whether tokens read a value of the graph: a `let`, a float or array argument, a
    /// parameter struct, or the element of the loop being lowered.
    fn reads_values(&self, tokens: TokenStream) -> bool {
        super::integers::idents(tokens).iter().any(|ident| {
            let name = ident.to_string();
            let param = self.params.iter().find(|p| p.ident == *ident);
            self.scope.contains(&name)
                || self.calls.aliases.contains_key(&name)
                || param.is_some_and(|p| p.kind != Kind::Other)
                || self
                    .looping
                    .as_ref()
                    .is_some_and(|l| l.names_element(&name))
        })
    }
}

/// The payload of [`Op::Compare`] for a comparison operator.
fn comparison(op: &BinOp) -> Option<u8> {
    let symbol = op.to_token_stream().to_string();
    COMPARISONS
        .iter()
        .position(|c| *c == symbol)
        .map(|i| i as u8)
}

/// `if c { return a; }`: the `if` of a statement whose arm ends the function.
pub fn returns_early(stmt: &Stmt) -> Option<&syn::ExprIf> {
    let Stmt::Expr(Expr::If(e), _) = stmt else {
        return None;
    };
    let last = e.then_branch.stmts.last()?;
    let ends = matches!(last, Stmt::Expr(Expr::Return(r), _) if r.expr.is_some());
    (e.else_branch.is_none() && ends).then_some(e)
}
