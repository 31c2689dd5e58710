//! Graph → the infix formulas of `DERIVATION` and `EXPLAIN`: `(a - y) * x1`.
//!
//! Named nodes (arguments, `let` bindings, and names the caller gives repeated
//! subexpressions) print as their names; everything else is expanded. `*`, `/`, `+`, `-`
//! are spaced, powers print as `a^2`, and parentheses appear only where precedence needs
//! them. With `normalize`, arithmetic is printed in the collected form of
//! [`readable`](super::readable) (like terms added, factors cancelled).

mod arrays;

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
        cache: Default::default(),
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
        cache: Default::default(),
    }
    .print(id)
    .0
}

pub fn constant(v: f64) -> String {
    format!("{v}")
}

/// How to print: the graph, extra names, and whether to collect arithmetic.
/// The longest text one expression prints as; a longer one keeps its first quarter and
/// ends `…`.
pub const MAX_TEXT: usize = 8_000;

pub struct Printer<'a> {
    pub g: &'a Graph,
    /// Names for nodes beyond the graph's own (`δ₁` for a repeated subexpression).
    pub names: &'a HashMap<NodeId, String>,
    pub normalize: bool,
    /// Each node's text once printed: a subexpression shared by many others is printed
    /// once, not once per use (deep chains made the texts cost seconds of expansion).
    pub cache: std::cell::RefCell<HashMap<NodeId, (String, Prec)>>,
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
        if let Some(done) = self.cache.borrow().get(&id) {
            return done.clone();
        }
        let mut printed = if self.normalize && super::readable::is_arithmetic(self.g.op(id)) {
            super::readable::print(self, id)
        } else {
            self.as_written(id)
        };
        // An expression longer than anyone reads (a chain of hundreds of unnamed steps)
        // keeps its beginning: its whole text would otherwise be copied into every
        // expression above it, in time growing with the square of the chain's length.
        if printed.0.len() > MAX_TEXT {
            let cut = (0..=MAX_TEXT / 4)
                .rev()
                .find(|&i| printed.0.is_char_boundary(i))
                .unwrap_or(0);
            printed = (format!("{} …", &printed.0[..cut]), Prec::Atom);
        }
        self.cache.borrow_mut().insert(id, printed.clone());
        printed
    }

    /// `child` printed, in parentheses if it binds less tightly than `min`.
    pub fn wrap(&self, child: NodeId, min: Prec) -> String {
        let (s, p) = self.print(child);
        if p < min { format!("({s})") } else { s }
    }

    /// A node by its own op, its operands printed by [`print`](Self::print).
    pub fn as_written(&self, id: NodeId) -> (String, Prec) {
        self.arithmetic(id)
            .or_else(|| self.comparison(id))
            .or_else(|| self.array(id))
            .or_else(|| self.loss_adjoint(id))
            .or_else(|| self.custom_or_loop(id))
            // Every other op, including any added to the table later, reads as a call.
            .unwrap_or_else(|| self.call(self.g.args(id), self.g.op(id).name()))
    }

    /// `name(a, b)`, the operands printed by [`print`](Self::print).
    fn call(&self, args: &[NodeId], name: &str) -> (String, Prec) {
        let inner: Vec<String> = args.iter().map(|&a| self.print(a).0).collect();
        (format!("{name}({})", inner.join(", ")), Prec::Atom)
    }

    /// Leaves and arithmetic, with as few parentheses as precedence allows.
    fn arithmetic(&self, id: NodeId) -> Option<(String, Prec)> {
        let g = self.g;
        let args = g.args(id);
        let wrap = |child: NodeId, min: Prec| self.wrap(child, min);
        Some(match g.op(id) {
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
            _ => return None,
        })
    }

    /// Comparisons and branches: `[a >= b]`, `(if c { a } else { b })`.
    fn comparison(&self, id: NodeId) -> Option<(String, Prec)> {
        let g = self.g;
        let args = g.args(id);
        Some(match g.op(id) {
            Op::GreaterEq => (
                format!("[{} >= {}]", self.print(args[0]).0, self.print(args[1]).0),
                Prec::Atom,
            ),
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
            _ => return None,
        })
    }

    /// Hand-written derivatives' functions and partials, and the adjoints a loop gives.
    fn custom_or_loop(&self, id: NodeId) -> Option<(String, Prec)> {
        let g = self.g;
        let args = g.args(id);
        let call = |name: &str| self.call(args, name);
        Some(match g.op(id) {
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
                    return Some(call("loop_part"));
                };
                let body = &g.loops[*k as usize];
                let j = *j as usize;
                let text = match body.role(j) {
                    crate::ir::loops::Role::Carry(c) => format!("δ{}[start]", body.carried[c]),
                    crate::ir::loops::Role::Capture(c) => {
                        let name = body.input_name(body.captures[c]);
                        format!("Σ{} δ{name}[{}]", body.index, body.index)
                    }
                    crate::ir::loops::Role::Element(_) => {
                        let c = j - body.collection_operand(0);
                        format!(
                            "(each dL/d{}[{}] below)",
                            body.collection_names[c], body.index
                        )
                    }
                };
                (text, Prec::Atom)
            }
            _ => return None,
        })
    }
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
