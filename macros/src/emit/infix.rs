//! Graph → the infix formulas of `DERIVATION` and `EXPLAIN`: `(a - y) * x1`.
//!
//! Named nodes (arguments, `let` bindings) print as their names; everything else is
//! expanded. `*`, `/`, `+`, `-` are spaced, powers print as `a^2`, and parentheses appear
//! only where precedence needs them.

use crate::graph::{Graph, NodeId, Op};

/// Binding strength of what an expression prints as; higher binds tighter.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Prec {
    Sum = 1,
    Product = 2,
    Prefix = 3,
    Power = 4,
    Atom = 5,
}

pub fn infix(g: &Graph, id: NodeId) -> String {
    print(g, id).0
}

fn constant(v: f64) -> String {
    format!("{v}")
}

fn print(g: &Graph, id: NodeId) -> (String, Prec) {
    if let Some(name) = g.name(id) {
        return (name.to_string(), Prec::Atom);
    }
    let args = g.args(id);
    let wrap = |child: NodeId, min: Prec| {
        let (s, p) = print(g, child);
        if p < min { format!("({s})") } else { s }
    };
    let call = |name: &str| {
        let inner: Vec<String> = args.iter().map(|&a| print(g, a).0).collect();
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
        Op::Ge => (
            format!("[{} >= {}]", print(g, args[0]).0, print(g, args[1]).0),
            Prec::Atom,
        ),
        Op::Fun(f) => call(f.name()),
        op @ (Op::Max | Op::Min | Op::Bce | Op::BceLogits | Op::Mse) => call(op.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Rules;
    use crate::sexpr::parse;

    fn show(text: &str) -> String {
        let mut g = Graph::new(Rules::NONE);
        let id = parse(&mut g, text);
        infix(&g, id)
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
    fn functions_print_as_calls() {
        assert_eq!(
            show("(* (exp (sin (powi x 2))) (cos (powi x 2)))"),
            "exp(sin(x^2)) * cos(x^2)"
        );
    }
}
