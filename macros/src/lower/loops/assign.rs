//! What a loop body changes: the `let mut` values it re-assigns (`h = ..`, `h += ..`,
//! `(h, c) = cell(..)`) and the `Vec`s it pushes one value per step onto
//! (`outs.push(h.clone())`).

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Stmt};

use super::super::body::Body;
use super::iteration::strip;
use crate::ir::Op;

impl Body<'_> {
    /// The `let mut` names the loop re-assigns, in the order of their first assignment;
    /// reports every other assignment.
    pub(super) fn carried(&mut self, f: &syn::ExprForLoop) -> Option<Vec<String>> {
        let mut carried: Vec<String> = Vec::new();
        let mut ok = true;
        let mut pushes = false;
        // What loops inside this one re-assign from outside it, this one carries too.
        for target in nested_targets(&f.body.stmts) {
            let Expr::Path(p) = strip(target) else {
                continue;
            };
            let Some(name) = p.path.get_ident().map(|i| i.to_string()) else {
                continue;
            };
            if self.scope.is_mutable(&name)
                && self.scope.contains(&name)
                && !carried.contains(&name)
            {
                carried.push(name);
            }
        }
        for stmt in &f.body.stmts {
            let Stmt::Expr(e, _) = stmt else { continue };
            pushes |= self.pushed_sequence(e).is_some();
            let Some(target) = assigned(e) else { continue };
            for target in targets(target) {
                match self.carried_name(target) {
                    Some(name) if !carried.contains(&name) => carried.push(name),
                    Some(_) => {}
                    None => ok = false,
                }
            }
        }
        if carried.is_empty() && !pushes && ok {
            self.cx.error(&f.body, "this loop changes nothing: re-assign a `let mut` variable declared before it (`h = tanh(h.dot(&l.w) + &l.b);`), or push onto a `Vec` declared before it (`outs.push(h.clone());`)");
        }
        (ok && (pushes || !carried.is_empty())).then_some(carried)
    }

    /// The name an assignment in a loop re-assigns, if it is a `let mut` of the function
    /// (reported otherwise).
    fn carried_name(&mut self, target: &Expr) -> Option<String> {
        let ident = match strip(target) {
            Expr::Path(p) => p.path.get_ident(),
            _ => None,
        };
        let Some(name) = ident.map(|i| i.to_string()) else {
            self.cx.error(target, "only a `let mut` variable of the function may be re-assigned in a loop; parameters and their fields are read-only");
            return None;
        };
        if !self.scope.is_mutable(&name) || !self.scope.contains(&name) {
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
            return None;
        }
        Some(name)
    }

    /// One statement of a loop body.
    pub(super) fn loop_statement(&mut self, stmt: &Stmt, carried: &[String]) {
        match stmt {
            // A `let mut` here is carried by a loop inside this one (re-assigned at this
            // level, `carried` reports it).
            Stmt::Local(local) => self.local(local),
            // A stray `;` (`h = h * x;;`), as at the top level.
            Stmt::Expr(Expr::Verbatim(v), Some(_)) if v.is_empty() => {}
            Stmt::Expr(Expr::ForLoop(inner), _) => self.for_loop(inner),
            Stmt::Expr(e, _) if self.pushed_sequence(e).is_some() => self.push(e),
            Stmt::Expr(e, _) => self.assignment(e, carried),
            Stmt::Item(it) => self.cx.error(it, "items inside a #[differentiable] function are not supported; define constants and helpers outside the function"),
            Stmt::Macro(m) => self.cx.error(m, super::super::unsupported::MACRO),
        }
    }

    /// `h = e`, `h += e` (and `-=`, `*=`, `/=`), `(h, c) = cell(..)`: carried values'
    /// new values, bound to their names.
    fn assignment(&mut self, e: &Expr, carried: &[String]) {
        let span = e.span();
        let is_carried = |target: &Expr| carried.contains(&target.to_token_stream().to_string());
        match e {
            Expr::Assign(a) if matches!(strip(&a.left), Expr::Tuple(_)) => {
                let names: Vec<&Expr> = targets(&a.left);
                if !names.iter().all(|t| is_carried(t)) {
                    return; // Reported by `carried`.
                }
                let Some(parts) = self.parts(&a.right) else {
                    return;
                };
                if parts.len() != names.len() {
                    self.cx.error(
                        &a.left,
                        format!(
                            "{} names for a tuple of {} parts; assign each part",
                            names.len(),
                            parts.len()
                        ),
                    );
                    return;
                }
                for (name, part) in names.into_iter().zip(parts) {
                    self.scope.rebind(&name.to_token_stream().to_string(), part);
                }
            }
            Expr::Assign(a) if is_carried(&a.left) => {
                if let Some(value) = self.expr(&a.right) {
                    self.scope
                        .rebind(&a.left.to_token_stream().to_string(), value);
                }
            }
            Expr::Binary(b) if is_carried(&b.left) => {
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
                        return;
                    }
                };
                let name = b.left.to_token_stream().to_string();
                let Some(current) = self.scope.value(&name) else {
                    return;
                };
                let Some(r) = self.expr(&b.right) else { return };
                if self.no_arithmetic_on_labels(r, &b.right).is_none() {
                    return;
                }
                let value = self.node(op, vec![current, r], span);
                self.scope.rebind(&name, value);
            }
            // Reported by `carried`.
            _ if assigned(e).is_some() => {}
            _ => super::super::unsupported::statement(self.cx, e, self.tensor),
        }
    }
}

impl Body<'_> {
    /// The `Vec` of per-step values `e` pushes onto (`outs.push(..)`), if it does.
    fn pushed_sequence(&self, e: &Expr) -> Option<String> {
        let Expr::MethodCall(m) = e else { return None };
        let Expr::Path(p) = strip(&m.receiver) else {
            return None;
        };
        let name = p.path.get_ident()?.to_string();
        (m.method == "push" && self.scope.sequence(&name).is_some()).then_some(name)
    }

    /// `outs.push(value)`: the value this iteration adds to `outs`.
    fn push(&mut self, e: &Expr) {
        let Expr::MethodCall(m) = e else { return };
        let Some(name) = self.pushed_sequence(e) else {
            return;
        };
        if self.scope.sequence(&name) != Some(None) {
            self.cx.error(&m.receiver, format!("`{name}` was filled by an earlier loop; push onto a `Vec` of its own (`let mut {name}2 = Vec::new();`)"));
            return;
        }
        let [arg] = m.args.iter().collect::<Vec<_>>()[..] else {
            self.cx.error(m, "`push` takes one value");
            return;
        };
        let Some(value) = self.expr(arg) else { return };
        let Some(ctx) = self.looping.as_mut() else {
            return;
        };
        if ctx.pushes.iter().any(|(n, _)| *n == name) {
            self.cx.error(m, format!("`{name}` is pushed onto twice in one iteration; push once per step (`stack` the parts first)"));
            return;
        }
        ctx.pushes.push((name, value));
    }
}

/// The assignment targets of the loops nested in `stmts`, at any depth.
fn nested_targets(stmts: &[Stmt]) -> Vec<&Expr> {
    let mut out = Vec::new();
    for stmt in stmts {
        if let Stmt::Expr(Expr::ForLoop(inner), _) = stmt {
            for s in &inner.body.stmts {
                if let Stmt::Expr(e, _) = s
                    && let Some(target) = assigned(e)
                {
                    out.extend(targets(target));
                }
            }
            out.extend(nested_targets(&inner.body.stmts));
        }
    }
    out
}

/// The names an assignment's target writes: `h`, or each of `(h, c)`.
fn targets(target: &Expr) -> Vec<&Expr> {
    match strip(target) {
        Expr::Tuple(t) => t.elems.iter().flat_map(targets).collect(),
        other => vec![other],
    }
}

/// The assignment target of a statement expression, if it is one.
pub(super) fn assigned(e: &Expr) -> Option<&Expr> {
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
