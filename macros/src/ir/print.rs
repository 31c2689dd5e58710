//! Graph → the infix formulas of `DERIVATION` and `EXPLAIN`: `(a - y) * x1`.
//!
//! Named nodes (arguments, `let` bindings, and names the caller gives repeated
//! subexpressions) print as their names; everything else is expanded. `*`, `/`, `+`, `-`
//! are spaced, powers print as `a^2`, and parentheses appear only where precedence needs
//! them. With `normalize`, arithmetic is printed in the collected form of
//! [`readable`](super::readable) (like terms added, factors cancelled).

use std::collections::HashMap;

use crate::ir::{Graph, NodeId, Op};

/// Binding strength of what an expression prints as; higher binds tighter.
#[derive(Clone, Copy, PartialEq, PartialOrd, Debug)]
pub enum Prec {
    Sum = 1,
    Product = 2,
    Prefix = 3,
    Power = 4,
    Atom = 5,
}

/// `id` as written in the graph.
pub fn infix(g: &Graph, id: NodeId) -> String {
    let names = HashMap::new();
    Printer {
        g,
        names: &names,
        normalize: false,
    }
    .print(id)
    .0
}

/// `id` in the collected form of [`readable`](super::readable).
pub fn readable(g: &Graph, id: NodeId) -> String {
    let names = HashMap::new();
    Printer {
        g,
        names: &names,
        normalize: true,
    }
    .print(id)
    .0
}

pub fn constant(v: f64) -> String {
    format!("{v}")
}

/// How to print: the graph, extra names, and whether to collect arithmetic.
pub struct Printer<'a> {
    pub g: &'a Graph,
    /// Names for nodes beyond the graph's own (`δ₁` for a repeated subexpression).
    pub names: &'a HashMap<NodeId, String>,
    pub normalize: bool,
}

impl Printer<'_> {
    /// The name a node prints as, if it has one.
    pub fn name(&self, id: NodeId) -> Option<&str> {
        self.names
            .get(&id)
            .map(String::as_str)
            .or_else(|| self.g.name(id))
    }

    pub fn print(&self, id: NodeId) -> (String, Prec) {
        if let Some(name) = self.name(id) {
            return (name.to_string(), Prec::Atom);
        }
        if self.normalize && super::readable::is_arithmetic(self.g.op(id)) {
            return super::readable::print(self, id);
        }
        self.as_written(id)
    }

    /// `child` printed, in parentheses if it binds less tightly than `min`.
    pub fn wrap(&self, child: NodeId, min: Prec) -> String {
        let (s, p) = self.print(child);
        if p < min { format!("({s})") } else { s }
    }

    /// A node by its own op, its operands printed by [`print`](Self::print).
    pub fn as_written(&self, id: NodeId) -> (String, Prec) {
        let g = self.g;
        let args = g.args(id);
        let wrap = |child: NodeId, min: Prec| self.wrap(child, min);
        let call = |name: &str| {
            let inner: Vec<String> = args.iter().map(|&a| self.print(a).0).collect();
            (format!("{name}({})", inner.join(", ")), Prec::Atom)
        };
        match g.op(id) {
            Op::Input(i) => (g.inputs[*i as usize].name.clone(), Prec::Atom),
            Op::Named(i) => (g.consts[*i as usize].text.clone(), Prec::Atom),
            Op::Const(_) => {
                let v = g.const_value(id).expect("a constant");
                (constant(v), if v < 0.0 { Prec::Prefix } else { Prec::Atom })
            }
            Op::Add => (
                format!(
                    "{} + {}",
                    wrap(args[0], Prec::Sum),
                    wrap(args[1], Prec::Sum)
                ),
                Prec::Sum,
            ),
            // The right operand of `-` and `/` needs parentheses at equal precedence.
            Op::Sub => (
                format!(
                    "{} - {}",
                    wrap(args[0], Prec::Sum),
                    wrap(args[1], Prec::Product)
                ),
                Prec::Sum,
            ),
            // A unit factor (the loss's own adjoint, unbroadcast to a shape) is left out.
            Op::Mul if is_unit(g, args[0]) => self.print(args[1]),
            Op::Mul if is_unit(g, args[1]) => self.print(args[0]),
            Op::Mul => (
                format!(
                    "{} * {}",
                    wrap(args[0], Prec::Product),
                    wrap(args[1], Prec::Power)
                ),
                Prec::Product,
            ),
            Op::Div => (
                format!(
                    "{} / {}",
                    wrap(args[0], Prec::Product),
                    wrap(args[1], Prec::Power)
                ),
                Prec::Product,
            ),
            Op::Neg => (format!("-{}", wrap(args[0], Prec::Power)), Prec::Prefix),
            Op::Powi(n) => {
                let exp = if *n < 0 {
                    format!("({n})")
                } else {
                    n.to_string()
                };
                (format!("{}^{exp}", wrap(args[0], Prec::Atom)), Prec::Power)
            }
            Op::Powf => (
                format!(
                    "{}^{}",
                    wrap(args[0], Prec::Atom),
                    wrap(args[1], Prec::Atom)
                ),
                Prec::Power,
            ),
            Op::GreaterEq => (
                format!("[{} >= {}]", self.print(args[0]).0, self.print(args[1]).0),
                Prec::Atom,
            ),
            // The course's `a - y`: `a` names `sigmoid(z)` where the body bound it.
            Op::BceLogitsGrad => {
                let a = match g.find(Op::Sigmoid, vec![args[0]]) {
                    Some(s) => self.wrap(s, Prec::Sum),
                    None => format!("sigmoid({})", self.print(args[0]).0),
                };
                (
                    format!("{a} - {}", self.wrap(args[1], Prec::Product)),
                    Prec::Sum,
                )
            }
            Op::Compare(code) => (
                format!(
                    "[{} {} {}]",
                    self.print(args[0]).0,
                    crate::ir::ops::COMPARISONS[usize::from(*code).min(5)],
                    self.print(args[1]).0
                ),
                Prec::Atom,
            ),
            // The guard keeps NaN out of a branch not taken; the mathematics is its value.
            Op::Guard => self.print(args[1]),
            Op::IfElse => (
                format!(
                    "(if {} {{ {} }} else {{ {} }})",
                    self.print(args[0]).0,
                    self.print(args[1]).0,
                    self.print(args[2]).0
                ),
                Prec::Atom,
            ),
            Op::LessEq => (
                format!("[{} <= {}]", self.print(args[0]).0, self.print(args[1]).0),
                Prec::Atom,
            ),
            Op::Dot => (
                format!(
                    "{} · {}",
                    wrap(args[0], Prec::Product),
                    wrap(args[1], Prec::Power)
                ),
                Prec::Product,
            ),
            Op::Transpose => (format!("{}^T", wrap(args[0], Prec::Atom)), Prec::Power),
            Op::SumAxis(a) | Op::MeanAxis(a) => (
                format!("{}({}, axis {a})", g.op(id).name(), self.print(args[0]).0),
                Prec::Atom,
            ),
            // Shape bookkeeping is not part of the mathematics: show the gradient itself.
            op if op.is_shape_bookkeeping() => self.print(args[0]),
            Op::MeanVjp | Op::MeanAxisVjp(_) => (
                format!("{} / {}", wrap(args[0], Prec::Product), batch(g)),
                Prec::Product,
            ),
            // A unit adjoint (a local derivative in EXPLAIN) leaves only the transpose.
            Op::DotVjpLhs if is_unit(g, args[0]) => {
                (format!("{}^T", wrap(args[1], Prec::Atom)), Prec::Power)
            }
            Op::DotVjpRhs if is_unit(g, args[1]) => {
                (format!("{}^T", wrap(args[0], Prec::Atom)), Prec::Power)
            }
            Op::DotVjpLhs => (
                format!(
                    "{} · {}^T",
                    wrap(args[0], Prec::Product),
                    wrap(args[1], Prec::Atom)
                ),
                Prec::Product,
            ),
            Op::DotVjpRhs => (
                format!(
                    "{}^T · {}",
                    wrap(args[0], Prec::Atom),
                    wrap(args[1], Prec::Power)
                ),
                Prec::Product,
            ),
            Op::SoftmaxCrossEntropyVjp => {
                let p = self.applied(Op::Softmax, args[0]);
                self.scaled(
                    args[2],
                    format!("({p} - {}) / {}", wrap(args[1], Prec::Product), batch(g)),
                )
            }
            Op::BceLogitsVjp => {
                let a = self.applied(Op::Sigmoid, args[0]);
                self.scaled(
                    args[2],
                    format!("({a} - {}) / {}", wrap(args[1], Prec::Product), batch(g)),
                )
            }
            Op::BceVjp => {
                let (a, y) = (wrap(args[0], Prec::Atom), wrap(args[1], Prec::Product));
                let n = batch(g);
                self.scaled(args[2], format!("({a} - {y}) / ({a} * (1 - {a})) / {n}"))
            }
            Op::MseVjp => {
                let (a, y) = (wrap(args[0], Prec::Sum), wrap(args[1], Prec::Product));
                let n = batch(g);
                self.scaled(args[2], format!("2 * ({a} - {y}) / {n}"))
            }
            Op::CrossEntropyVjp => {
                let (p, y) = (wrap(args[0], Prec::Power), wrap(args[1], Prec::Power));
                let n = batch(g);
                self.scaled(args[2], format!("-{y} / {p} / {n}"))
            }
            Op::Custom(i) => {
                let name = g.customs[*i as usize].name.clone();
                call(&name)
            }
            // swish'(x), or ∂₂f(a, b) for the second partial of a function of several.
            Op::CustomPartial(code) => {
                let f = &g.customs[(*code / 16) as usize];
                let head = if f.arity == 1 {
                    format!("{}'", f.name)
                } else {
                    format!(
                        "∂{}{}",
                        crate::subscript::subscript((*code % 16) as usize + 1),
                        f.name
                    )
                };
                call(&head)
            }
            // A loop's result reads as its carried variable (the node's name); the adjoints
            // its backward run gives, as the loop's derivation block names them.
            Op::LoopPart(j) => {
                let the_loop = g.args(args[0])[0];
                let Op::Loop(k) = g.op(the_loop) else {
                    return call("loop_part");
                };
                let body = &g.loops[*k as usize];
                let j = *j as usize;
                let caps = body.captures.len();
                let text = if j == 0 {
                    format!("δ{}[start]", body.carried)
                } else if j <= caps {
                    let name = body.input_name(body.captures[j - 1]);
                    format!("Σ{} δ{name}[{}]", body.index, body.index)
                } else {
                    format!(
                        "(each dL/d{}[{}] below)",
                        body.collection_names[j - 1 - caps],
                        body.index
                    )
                };
                (text, Prec::Atom)
            }
            // Every other op, including any added to the table later, reads as a call.
            op => call(op.name()),
        }
    }

    /// `f(x)` by its `let` name when the forward pass computed it (`p` for `softmax(z2)`).
    fn applied(&self, op: Op, x: NodeId) -> String {
        let name = op.name();
        match self.g.find(op, vec![x]) {
            Some(id) => self.print(id).0,
            None => format!("{name}({})", self.print(x).0),
        }
    }

    /// `core` multiplied by the incoming adjoint `adj`, which is 1 for a function's result.
    fn scaled(&self, adj: NodeId, core: String) -> (String, Prec) {
        if is_unit(self.g, adj) {
            // `(p - y) / n` divides by the scalar batch size, which commutes with `·` and
            // `*`: any grouping reads correctly, so it needs no parentheses of its own.
            (core, Prec::Power)
        } else {
            let (a, p) = self.print(adj);
            let a = if p < Prec::Product {
                format!("({a})")
            } else {
                a
            };
            (format!("{a} * {core}"), Prec::Product)
        }
    }
}

/// The symbol for the number of elements a mean divides by: `n`, unless the function
/// has its own `n`, so that `(z - y) / n` never reads as the user's variable.
fn batch(g: &Graph) -> &'static str {
    ["n", "N", "n_batch"]
        .into_iter()
        .find(|s| !g.has_name(s))
        .unwrap_or("n_elements")
}

/// Whether `id` is the constant 1, possibly broadcast or summed to a shape (as the seed
/// adjoint of a tensor function's result is).
pub fn is_unit(g: &Graph, id: NodeId) -> bool {
    match g.op(id) {
        op if op.is_shape_bookkeeping() => is_unit(g, g.args(id)[0]),
        _ => g.const_value(id) == Some(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::sexpr::build;
    use crate::simplify::{Builder, Rewrites};

    fn show(text: &str) -> String {
        let mut b = Builder::new(Graph::default(), Rewrites::NONE);
        let id = build(&mut b, text);
        infix(b.graph(), id)
    }

    #[test]
    fn products_of_sums_are_parenthesised() {
        assert_eq!(show("(* (- a y) x1)"), "(a - y) * x1");
    }

    #[test]
    fn left_associated_chains_need_no_parentheses() {
        assert_eq!(
            show("(* (* (* (- a2 y) w2) (- 1 (powi a1 2))) x1)"),
            "(a2 - y) * w2 * (1 - a1^2) * x1"
        );
    }

    #[test]
    fn the_right_operand_of_minus_and_divide_keeps_its_grouping() {
        assert_eq!(show("(- a (- b c))"), "a - (b - c)");
        assert_eq!(show("(/ a (* b c))"), "a / (b * c)");
        assert_eq!(show("(- (- a b) c)"), "a - b - c");
    }

    #[test]
    fn negation_and_powers_bind_tightly() {
        assert_eq!(show("(neg (* a b))"), "-(a * b)");
        assert_eq!(show("(powi (+ a b) 2)"), "(a + b)^2");
        assert_eq!(show("(* a (neg b))"), "a * (-b)");
    }

    #[test]
    fn unit_adjoints_are_left_out_even_when_summed_to_a_shape() {
        assert_eq!(show("(* (sum_to 1 (shape_of r)) (* t x))"), "t * x");
        assert_eq!(show("(* x (sum_to 1 (shape_of r)))"), "x");
        assert_eq!(
            show("(mse_vjp z y (sum_to 1 (shape_of r)))"),
            "2 * (z - y) / n"
        );
        assert_eq!(show("(* (sum_to 2 (shape_of r)) x)"), "2 * x");
    }

    #[test]
    fn the_batch_size_is_not_written_like_a_variable_of_the_function() {
        assert_eq!(show("(mse_vjp z y 1)"), "2 * (z - y) / n");
        assert_eq!(show("(* n (mse_vjp z y 1))"), "n * 2 * (z - y) / N");
    }

    #[test]
    fn functions_print_as_calls() {
        assert_eq!(
            show("(* (exp (sin (powi x 2))) (cos (powi x 2)))"),
            "exp(sin(x^2)) * cos(x^2)"
        );
    }
}
