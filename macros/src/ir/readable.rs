//! Arithmetic printed in collected form, for `DERIVATION`: a sum is a list of terms, a
//! term a coefficient times factors with integer powers, so that like terms add up
//! (`A * x + A * x` reads `2 * A * x`) and factors cancel (`s / e / e * e` reads `s / e`).
//! Printing only: the emitted code computes the graph as it is.
//!
//! Factors are nodes, so equal subexpressions (one node, by hash-consing) collect;
//! sums inside a product stay factors of their own (`(a - y) * x1`), nothing is expanded.
//! Terms and factors keep the order in which they first appear.

use crate::ir::print::{Prec, Printer, constant, is_unit};
use crate::ir::{Graph, NodeId, Op};

/// The ops this printer collects.
pub fn is_arithmetic(op: &Op) -> bool {
    matches!(
        op,
        Op::Add | Op::Sub | Op::Neg | Op::Mul | Op::Div | Op::Powi(_) | Op::Const(_)
    )
}

#[derive(Clone, Debug)]
struct Term {
    coef: f64,
    /// Each factor's node and power, in first-appearance order; no zero powers.
    factors: Vec<(NodeId, i32)>,
}

impl Term {
    fn constant(coef: f64) -> Term {
        Term {
            coef,
            factors: Vec::new(),
        }
    }

    fn factor(id: NodeId) -> Term {
        Term {
            coef: 1.0,
            factors: vec![(id, 1)],
        }
    }

    fn times(mut self, other: Term) -> Term {
        self.coef *= other.coef;
        for (f, k) in other.factors {
            match self.factors.iter_mut().find(|(g, _)| *g == f) {
                Some((_, j)) => *j += k,
                None => self.factors.push((f, k)),
            }
        }
        self.factors.retain(|(_, k)| *k != 0);
        self
    }

    fn power(mut self, n: i32) -> Term {
        self.coef = self.coef.powi(n);
        for (_, k) in &mut self.factors {
            *k *= n;
        }
        self.factors.retain(|(_, k)| *k != 0);
        self
    }

    fn same_factors(&self, other: &Term) -> bool {
        self.factors.len() == other.factors.len()
            && self.factors.iter().all(|f| other.factors.contains(f))
    }
}

/// Shape bookkeeping (`sum_to`, `broadcast_to`) is not part of the mathematics.
fn look_through(g: &Graph, mut id: NodeId) -> NodeId {
    while g.name(id).is_none() && g.op(id).is_shape_bookkeeping() {
        id = g.args(id)[0];
    }
    id
}

/// How many nodes one node's collection may visit: past it, the nodes below stay factors,
/// each printed (once, cached) by itself. Collecting is for the short expressions people
/// read; a chain hundreds of nodes long would otherwise be collected again from every
/// node of it, in time growing with the cube of its length.
const BUDGET: usize = 64;

/// Whether the collection under way may visit one more node.
fn spend(budget: &std::cell::Cell<usize>) -> bool {
    let left = budget.get();
    budget.set(left.saturating_sub(1));
    left > 0
}

/// `id` as a sum of collected terms.
fn terms(p: &Printer, id: NodeId, budget: &std::cell::Cell<usize>) -> Vec<Term> {
    let id = look_through(p.g, id);
    if p.name(id).is_some() || !spend(budget) {
        return vec![Term::factor(id)];
    }
    let args = p.g.args(id);
    let negated = |terms: Vec<Term>| -> Vec<Term> {
        (terms.into_iter())
            .map(|t| t.times(Term::constant(-1.0)))
            .collect()
    };
    match p.g.op(id) {
        Op::Add => merge(terms(p, args[0], budget), terms(p, args[1], budget)),
        Op::Sub => merge(
            terms(p, args[0], budget),
            negated(terms(p, args[1], budget)),
        ),
        Op::Neg => negated(terms(p, args[0], budget)),
        // A constant 0 is no term at all.
        _ => merge(Vec::new(), vec![term(p, id, budget)]),
    }
}

/// `a` and `b`, each already collected, as one collected sum: like terms added, the ones
/// that cancel dropped. Each of `b`'s terms is looked for in `a` only (not the whole sum
/// against itself at every level of a chain of sums: 150 terms under ten `if`s took
/// seconds to print).
fn merge(mut a: Vec<Term>, b: Vec<Term>) -> Vec<Term> {
    let before = a.len();
    for t in b {
        match a[..before].iter_mut().find(|u| u.same_factors(&t)) {
            Some(u) => u.coef += t.coef,
            None => a.push(t),
        }
    }
    a.retain(|t| t.coef != 0.0);
    a
}

/// `id` as one term: products, quotients, powers and negations flattened.
fn term(p: &Printer, id: NodeId, budget: &std::cell::Cell<usize>) -> Term {
    let id = look_through(p.g, id);
    if p.name(id).is_some() || !spend(budget) {
        return Term::factor(id);
    }
    let g = p.g;
    let args = g.args(id);
    match g.op(id) {
        Op::Const(_) => Term::constant(g.const_value(id).unwrap_or(f64::NAN)),
        Op::Mul => term(p, args[0], budget).times(term(p, args[1], budget)),
        Op::Div => {
            let d = term(p, args[1], budget);
            if d.coef == 0.0 {
                return Term::factor(id);
            }
            term(p, args[0], budget).times(d.power(-1))
        }
        Op::Neg => term(p, args[0], budget).times(Term::constant(-1.0)),
        Op::Powi(n) => term(p, args[0], budget).power(*n),
        Op::Add | Op::Sub => match terms_of_sum(p, id, budget).as_slice() {
            [] => Term::constant(0.0),
            [one] => one.clone(),
            _ => Term::factor(id),
        },
        _ if is_unit(g, id) => Term::constant(1.0),
        _ => Term::factor(id),
    }
}

/// A sum inside a term, collected from its operands (the node itself, visited already).
fn terms_of_sum(p: &Printer, id: NodeId, budget: &std::cell::Cell<usize>) -> Vec<Term> {
    budget.set(budget.get() + 1);
    terms(p, id, budget)
}

/// Prints an arithmetic node in collected form.
pub fn print(p: &Printer, id: NodeId) -> (String, Prec) {
    let terms = terms(p, id, &std::cell::Cell::new(BUDGET));
    // A node that collects to nothing but itself (a quotient by a sum that cancels to 0,
    // `x / (x - x)`) prints by its own op: collecting it again would never end.
    if let [t] = terms.as_slice()
        && t.coef == 1.0
        && t.factors == [(look_through(p.g, id), 1)]
    {
        return p.as_written(look_through(p.g, id));
    }
    print_sum(p, &terms)
}

fn print_sum(p: &Printer, terms: &[Term]) -> (String, Prec) {
    // `y - a` reads better than `-a + y`: a positive term leads if there is one.
    let mut terms = terms.to_vec();
    if let Some(i) = terms.iter().position(|t| t.coef > 0.0) {
        let lead = terms.remove(i);
        terms.insert(0, lead);
    }
    let Some((first, rest)) = terms.split_first() else {
        return ("0".to_string(), Prec::Atom);
    };
    let (mut s, prec) = print_term(p, first);
    if rest.is_empty() {
        return (s, prec);
    }
    for t in rest {
        let (sign, magnitude) = if t.coef < 0.0 {
            (" - ", t.clone().times(Term::constant(-1.0)))
        } else {
            (" + ", t.clone())
        };
        let (text, q) = print_term(p, &magnitude);
        let min = if sign == " - " {
            Prec::Product
        } else {
            Prec::Sum
        };
        s.push_str(sign);
        s.push_str(&if q < min { format!("({text})") } else { text });
    }
    (s, Prec::Sum)
}

/// The factor `id` (a node, or a sum kept whole inside a product), printed once however
/// many products it is a factor of.
fn print_factor(p: &Printer, id: NodeId) -> (String, Prec) {
    p.print(id)
}

/// A factor in parentheses if it binds less tightly than `min`, and how it binds now.
fn wrapped(p: &Printer, id: NodeId, min: Prec) -> (String, Prec) {
    let (s, q) = print_factor(p, id);
    if q < min {
        (format!("({s})"), Prec::Atom)
    } else {
        (s, q)
    }
}

fn powered(p: &Printer, id: NodeId, k: i32, min: Prec) -> (String, Prec) {
    if k == 1 {
        wrapped(p, id, min)
    } else {
        (format!("{}^{k}", wrapped(p, id, Prec::Atom).0), Prec::Power)
    }
}

fn print_term(p: &Printer, t: &Term) -> (String, Prec) {
    let negative = t.coef < 0.0;
    let c = t.coef.abs();
    // A coefficient below 1 whose reciprocal is a whole number reads as a division.
    let recip = 1.0 / c;
    let (num_coef, den_coef) = if c != 1.0 && c < 1.0 && recip == recip.round() {
        (None, Some(recip))
    } else if c != 1.0 {
        (Some(c), None)
    } else {
        (None, None)
    };
    let mut num: Vec<String> = num_coef.map(constant).into_iter().collect();
    let mut den: Vec<String> = den_coef.map(constant).into_iter().collect();
    let mut num_prec = Prec::Atom;
    // A product of hundreds of factors (the chain rule through a deep chain) stops at
    // about the length any one text keeps (`Printer::print`), instead of building
    // megabytes to cut.
    let mut length = 0;
    for &(f, k) in &t.factors {
        if length > super::print::MAX_TEXT {
            num.push("…".to_string());
            break;
        }
        if k > 0 {
            // The first factor of a chain binds like the left operand of `*`.
            let min = if num.is_empty() {
                Prec::Product
            } else {
                Prec::Power
            };
            let (text, q) = powered(p, f, k, min);
            num_prec = q;
            length += text.len();
            num.push(text);
        }
    }
    for &(f, k) in &t.factors {
        if k < 0 {
            den.push(powered(p, f, -k, Prec::Power).0);
        }
    }
    let products = num.len() > 1;
    let mut s = if num.is_empty() {
        "1".to_string()
    } else {
        num.join(" * ")
    };
    let mut prec = if products { Prec::Product } else { num_prec };
    match den.len() {
        0 => {}
        1 => {
            s = format!("{s} / {}", den[0]);
            prec = Prec::Product;
        }
        _ => {
            s = format!("{s} / ({})", den.join(" * "));
            prec = Prec::Product;
        }
    }
    if negative {
        let inner = if prec < Prec::Power && !products && den.is_empty() {
            format!("({s})")
        } else {
            s
        };
        return (format!("-{inner}"), Prec::Prefix);
    }
    (s, prec)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::ir::sexpr::build;
    use crate::simplify::{Builder, Rewrites};

    fn show(text: &str) -> String {
        let mut b = Builder::new(Graph::default(), Rewrites::NONE);
        let id = build(&mut b, text);
        let names = HashMap::new();
        let p = Printer {
            g: b.graph(),
            names: &names,
            normalize: true,
            cache: Default::default(),
        };
        p.print(id).0
    }

    #[test]
    fn a_quotient_by_a_cancelling_sum_prints_as_written() {
        assert_eq!(show("(/ x (- x x))"), "x / 0");
        assert_eq!(show("(* 2 (powi (/ x (- x x)) 2))"), "2 * (x / 0)^2");
    }

    #[test]
    fn like_terms_add_up() {
        assert_eq!(show("(+ (* A x) (* A x))"), "2 * A * x");
        assert_eq!(show("(- (* 3 x) (* x 3))"), "0");
    }

    #[test]
    fn factors_cancel() {
        assert_eq!(show("(* (/ (/ s (exp x)) (exp x)) (exp x))"), "s / exp(x)");
        assert_eq!(
            show("(* (/ (/ s (sqrt u)) (sqrt u)) (/ 1 (* 2 (sqrt u))))"),
            "s / (2 * sqrt(u)^3)"
        );
    }

    #[test]
    fn the_course_forms_read_as_before() {
        assert_eq!(show("(* (- a y) x1)"), "(a - y) * x1");
        assert_eq!(
            show("(* (* (* (- a2 y) w2) (- 1 (powi a1 2))) x1)"),
            "(a2 - y) * w2 * (1 - a1^2) * x1"
        );
        assert_eq!(show("(- a y)"), "a - y");
        assert_eq!(show("(neg x)"), "-x");
        assert_eq!(show("(/ (- a y) (* a (- 1 a)))"), "(a - y) / (a * (1 - a))");
        assert_eq!(show("(* 2 (- z y))"), "2 * (z - y)");
        assert_eq!(show("(/ x 2)"), "x / 2");
        assert_eq!(show("(neg (- a y))"), "y - a");
        assert_eq!(show("(neg (+ a y))"), "-a - y");
        assert_eq!(show("(* -2 (powi x 2))"), "-2 * x^2");
    }
}
