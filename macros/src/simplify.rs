//! Rewrites applied as nodes are created: each is named, one-way (toward fewer, cheaper
//! or more stable operations), and carries its law in a one-line comment.
//!
//! Three groups, switched by [`Rules`]: `ALGEBRA` (exact clean-up, always on), `FUSE`
//! (replace an unstable composition by a stable function of the same value) and
//! `ASSUME_FINITE` (laws that fail for infinities or NaN, opt-in with
//! `#[differentiable(assume_finite)]`). Rules may build new nodes; those are rewritten in
//! turn, and every rule strictly shrinks or canonicalises, so this terminates.

use proc_macro2::Span;

use crate::graph::{Fun, Graph, NodeId, Op, Rules};
use crate::semantics;

type Rule = fn(&mut Graph, &Op, &[NodeId], Span) -> Option<NodeId>;

const ALGEBRA: &[(&str, Rule)] = &[
    ("fold_constants", fold_constants),
    ("add_zero", add_zero),
    ("sub_zero", sub_zero),
    ("zero_sub", zero_sub),
    ("add_neg", add_neg),
    ("sub_neg", sub_neg),
    ("mul_one", mul_one),
    ("mul_minus_one", mul_minus_one),
    ("constant_first", constant_first),
    ("merge_constant_factors", merge_constant_factors),
    ("neg_out_of_product", neg_out_of_product),
    ("div_one", div_one),
    ("neg_neg", neg_neg),
    ("powi_one", powi_one),
    ("powi_zero", powi_zero),
    ("ln_exp", ln_exp),
];

const FUSE: &[(&str, Rule)] = &[
    ("bce_of_sigmoid", bce_of_sigmoid),
    ("ln_of_sigmoid", ln_of_sigmoid),
    ("ln_of_one_minus_sigmoid", ln_of_one_minus_sigmoid),
    ("ln_1p_of_neg_sigmoid", ln_1p_of_neg_sigmoid),
    ("ln_of_one_plus", ln_of_one_plus),
    ("ln_1p_of_exp", ln_1p_of_exp),
    ("exp_minus_one", exp_minus_one),
    ("logistic_by_hand", logistic_by_hand),
    ("cross_entropy_of_softmax", cross_entropy_of_softmax),
    ("ln_of_softmax", ln_of_softmax),
];

const ASSUME_FINITE: &[(&str, Rule)] = &[("mul_zero", mul_zero), ("sub_self", sub_self)];

/// Offers a node about to be created to every enabled rule; the first that fires wins.
pub fn rewrite(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    let rules: Rules = g.rules;
    let groups = [
        (rules.algebra, ALGEBRA),
        (rules.fuse, FUSE),
        (rules.assume_finite, ASSUME_FINITE),
    ];
    for (enabled, group) in groups {
        if !enabled {
            continue;
        }
        for (_name, rule) in group {
            if let Some(id) = rule(g, op, args, span) {
                return Some(id);
            }
        }
    }
    None
}

fn is_const(g: &Graph, id: NodeId, v: f64) -> bool {
    g.const_value(id) == Some(v)
}

/// The operand of `id` if `id` is `f(operand)`.
fn unary_of(g: &Graph, id: NodeId, f: Fun) -> Option<NodeId> {
    (*g.op(id) == Op::Fun(f)).then(|| g.args(id)[0])
}

fn neg_of(g: &Graph, id: NodeId) -> Option<NodeId> {
    (*g.op(id) == Op::Neg).then(|| g.args(id)[0])
}

// f(c1, c2, ...) == the constant it evaluates to
fn fold_constants(g: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    if op.is_leaf() || args.is_empty() {
        return None;
    }
    let values: Option<Vec<f64>> = args.iter().map(|&a| g.const_value(a)).collect();
    let v = semantics::eval(op, &values?)?;
    Some(g.constant(v))
}

// x + 0 == x, 0 + x == x (up to the sign of a zero result)
fn add_zero(g: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    match op {
        Op::Add if is_const(g, args[1], 0.0) => Some(args[0]),
        Op::Add if is_const(g, args[0], 0.0) => Some(args[1]),
        _ => None,
    }
}

// x - 0 == x
fn sub_zero(g: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    (*op == Op::Sub && is_const(g, args[1], 0.0)).then(|| args[0])
}

// 0 - x == -x
fn zero_sub(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    (*op == Op::Sub && is_const(g, args[0], 0.0)).then(|| g.neg(args[1], span))
}

// a + (-b) == a - b
fn add_neg(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Add {
        return None;
    }
    let b = neg_of(g, args[1])?;
    Some(g.sub(args[0], b, span))
}

// a - (-b) == a + b
fn sub_neg(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Sub {
        return None;
    }
    let b = neg_of(g, args[1])?;
    Some(g.add(args[0], b, span))
}

// x * 1 == x, 1 * x == x
fn mul_one(g: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    match op {
        Op::Mul if is_const(g, args[1], 1.0) => Some(args[0]),
        Op::Mul if is_const(g, args[0], 1.0) => Some(args[1]),
        _ => None,
    }
}

// -1 * x == -x
fn mul_minus_one(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    match op {
        Op::Mul if is_const(g, args[0], -1.0) => Some(g.neg(args[1], span)),
        Op::Mul if is_const(g, args[1], -1.0) => Some(g.neg(args[0], span)),
        _ => None,
    }
}

// x * c == c * x (constants first, so that factors can merge and print as `2 * x`)
fn constant_first(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    let movable =
        *op == Op::Mul && g.const_value(args[1]).is_some() && g.const_value(args[0]).is_none();
    movable.then(|| g.mul(args[1], args[0], span))
}

// c1 * (c2 * x) == (c1 c2) * x (one rounding instead of two)
fn merge_constant_factors(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Mul {
        return None;
    }
    let c1 = g.const_value(args[0])?;
    if *g.op(args[1]) != Op::Mul {
        return None;
    }
    let inner = g.args(args[1]).to_vec();
    let c2 = g.const_value(inner[0])?;
    let c = g.constant(c1 * c2);
    Some(g.mul(c, inner[1], span))
}

// (-a) * b == -(a * b), a * (-b) == -(a * b), (-a) / b == -(a / b)
fn neg_out_of_product(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if !matches!(op, Op::Mul | Op::Div) {
        return None;
    }
    let (a, b) = if let Some(a) = neg_of(g, args[0]) {
        (a, args[1])
    } else if *op == Op::Mul {
        (args[0], neg_of(g, args[1])?)
    } else {
        return None;
    };
    let inner = g.node_at(op.clone(), vec![a, b], span);
    Some(g.neg(inner, span))
}

// x / 1 == x
fn div_one(g: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    (*op == Op::Div && is_const(g, args[1], 1.0)).then(|| args[0])
}

// -(-x) == x
fn neg_neg(g: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    if *op != Op::Neg {
        return None;
    }
    neg_of(g, args[0])
}

// x^1 == x
fn powi_one(_: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    (*op == Op::Powi(1)).then(|| args[0])
}

// x^0 == 1 (also for NaN and infinities, as `powi` defines it)
fn powi_zero(g: &mut Graph, op: &Op, _: &[NodeId], _: Span) -> Option<NodeId> {
    (*op == Op::Powi(0)).then(|| g.constant(1.0))
}

// ln(exp(x)) == x (and no overflow for large x)
fn ln_exp(g: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    if *op != Op::Fun(Fun::Ln) {
        return None;
    }
    unary_of(g, args[0], Fun::Exp)
}

// bce(sigmoid(z), y) == softplus(z) - y z, finite for every finite z
fn bce_of_sigmoid(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Bce {
        return None;
    }
    let z = unary_of(g, args[0], Fun::Sigmoid)?;
    Some(g.node_at(Op::BceLogits, vec![z, args[1]], span))
}

// ln(sigmoid(z)) == -softplus(-z)
fn ln_of_sigmoid(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Fun(Fun::Ln) {
        return None;
    }
    let z = unary_of(g, args[0], Fun::Sigmoid)?;
    let minus_z = g.neg(z, span);
    let sp = g.fun(Fun::Softplus, minus_z, span);
    Some(g.neg(sp, span))
}

// ln(1 - sigmoid(z)) == -softplus(z)
fn ln_of_one_minus_sigmoid(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Fun(Fun::Ln) || *g.op(args[0]) != Op::Sub {
        return None;
    }
    let [one, s] = g.args(args[0]) else {
        return None;
    };
    let (one, s) = (*one, *s);
    if !is_const(g, one, 1.0) {
        return None;
    }
    let z = unary_of(g, s, Fun::Sigmoid)?;
    let sp = g.fun(Fun::Softplus, z, span);
    Some(g.neg(sp, span))
}

// ln_1p(-sigmoid(z)) == -softplus(z)
fn ln_1p_of_neg_sigmoid(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Fun(Fun::Ln1p) {
        return None;
    }
    let s = neg_of(g, args[0])?;
    let z = unary_of(g, s, Fun::Sigmoid)?;
    let sp = g.fun(Fun::Softplus, z, span);
    Some(g.neg(sp, span))
}

// ln(1 + x) == ln_1p(x), exact for small x
fn ln_of_one_plus(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Fun(Fun::Ln) || *g.op(args[0]) != Op::Add {
        return None;
    }
    let [a, b] = g.args(args[0]) else { return None };
    let (a, b) = (*a, *b);
    let x = if is_const(g, a, 1.0) {
        b
    } else if is_const(g, b, 1.0) {
        a
    } else {
        return None;
    };
    Some(g.fun(Fun::Ln1p, x, span))
}

// ln_1p(exp(x)) == softplus(x), no overflow for large x
fn ln_1p_of_exp(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Fun(Fun::Ln1p) {
        return None;
    }
    let x = unary_of(g, args[0], Fun::Exp)?;
    Some(g.fun(Fun::Softplus, x, span))
}

// exp(x) - 1 == exp_m1(x), exact for small x
fn exp_minus_one(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Sub || !is_const(g, args[1], 1.0) {
        return None;
    }
    let x = unary_of(g, args[0], Fun::Exp)?;
    Some(g.fun(Fun::ExpM1, x, span))
}

// 1 / (1 + exp(-z)) == sigmoid(z), no overflow for very negative z
fn logistic_by_hand(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Div || !is_const(g, args[0], 1.0) || *g.op(args[1]) != Op::Add {
        return None;
    }
    let [a, b] = g.args(args[1]) else { return None };
    let (a, b) = (*a, *b);
    let e = if is_const(g, a, 1.0) {
        b
    } else if is_const(g, b, 1.0) {
        a
    } else {
        return None;
    };
    let minus_z = unary_of(g, e, Fun::Exp)?;
    let z = neg_of(g, minus_z)?;
    Some(g.fun(Fun::Sigmoid, z, span))
}

// cross_entropy(softmax(z), y) == softmax_cross_entropy(z, y), from logits via log-sum-exp
fn cross_entropy_of_softmax(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::CrossEntropy || *g.op(args[0]) != Op::Softmax {
        return None;
    }
    let z = g.args(args[0])[0];
    Some(g.node_at(Op::SoftmaxCe, vec![z, args[1]], span))
}

// ln(softmax(z)) == log_softmax(z), no log of an underflowed probability
fn ln_of_softmax(g: &mut Graph, op: &Op, args: &[NodeId], span: Span) -> Option<NodeId> {
    if *op != Op::Fun(Fun::Ln) || *g.op(args[0]) != Op::Softmax {
        return None;
    }
    let z = g.args(args[0])[0];
    Some(g.node_at(Op::LogSoftmax, vec![z], span))
}

// x * 0 == 0 (false for infinite or NaN x: opt-in)
fn mul_zero(g: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    let zero = *op == Op::Mul && (is_const(g, args[0], 0.0) || is_const(g, args[1], 0.0));
    zero.then(|| g.constant(0.0))
}

// x - x == 0 (false for infinite or NaN x: opt-in)
fn sub_self(g: &mut Graph, op: &Op, args: &[NodeId], _: Span) -> Option<NodeId> {
    (*op == Op::Sub && args[0] == args[1]).then(|| g.constant(0.0))
}

#[cfg(test)]
mod tests {
    use crate::graph::Rules;
    use crate::sexpr::simplified;

    fn check(input: &str, expected: &str) {
        assert_eq!(simplified(input, Rules::ALL), expected, "rewriting {input}");
    }

    #[test]
    fn fold_constants() {
        check("(+ 2 (* 3 4))", "14");
    }
    #[test]
    fn add_zero() {
        check("(+ x 0)", "x");
        check("(+ 0 x)", "x");
    }
    #[test]
    fn sub_zero() {
        check("(- x 0)", "x");
    }
    #[test]
    fn zero_sub() {
        check("(- 0 x)", "(neg x)");
    }
    #[test]
    fn add_neg() {
        check("(+ a (neg b))", "(- a b)");
    }
    #[test]
    fn sub_neg() {
        check("(- a (neg b))", "(+ a b)");
    }
    #[test]
    fn mul_one() {
        check("(* x 1)", "x");
        check("(* 1 x)", "x");
    }
    #[test]
    fn mul_minus_one() {
        check("(* -1 x)", "(neg x)");
    }
    #[test]
    fn constant_first() {
        check("(* x 2)", "(* 2 x)");
    }
    #[test]
    fn merge_constant_factors() {
        check("(* 2 (* 3 x))", "(* 6 x)");
    }
    #[test]
    fn neg_out_of_product() {
        check("(* (neg a) b)", "(neg (* a b))");
        check("(/ (neg a) b)", "(neg (/ a b))");
    }
    #[test]
    fn div_one() {
        check("(/ x 1)", "x");
    }
    #[test]
    fn neg_neg() {
        check("(neg (neg x))", "x");
    }
    #[test]
    fn powi_one_and_zero() {
        check("(powi x 1)", "x");
        check("(powi x 0)", "1");
    }
    #[test]
    fn ln_exp() {
        check("(ln (exp x))", "x");
    }
    #[test]
    fn bce_of_sigmoid() {
        check("(bce (sigmoid z) y)", "(bce_logits z y)");
    }
    #[test]
    fn ln_of_sigmoid() {
        check("(ln (sigmoid z))", "(neg (softplus (neg z)))");
    }
    #[test]
    fn ln_of_one_minus_sigmoid() {
        check("(ln (- 1 (sigmoid z)))", "(neg (softplus z))");
    }
    #[test]
    fn ln_1p_of_neg_sigmoid() {
        check("(ln_1p (neg (sigmoid z)))", "(neg (softplus z))");
    }
    #[test]
    fn ln_of_one_plus() {
        check("(ln (+ 1 x))", "(ln_1p x)");
    }
    #[test]
    fn ln_of_one_plus_exp_is_softplus() {
        check("(ln (+ 1 (exp x)))", "(softplus x)");
    }
    #[test]
    fn exp_minus_one() {
        check("(- (exp x) 1)", "(exp_m1 x)");
    }
    #[test]
    fn logistic_by_hand() {
        check("(/ 1 (+ 1 (exp (neg z))))", "(sigmoid z)");
    }
    #[test]
    fn cross_entropy_of_softmax() {
        check(
            "(cross_entropy (softmax z) y)",
            "(softmax_cross_entropy z y)",
        );
    }
    #[test]
    fn ln_of_softmax() {
        check("(ln (softmax z))", "(log_softmax z)");
    }
    #[test]
    fn mul_zero_only_when_assuming_finite() {
        check("(* x 0)", "(* 0 x)");
        let finite = Rules {
            assume_finite: true,
            ..Rules::ALL
        };
        assert_eq!(simplified("(* x 0)", finite), "0");
    }
    #[test]
    fn sub_self_only_when_assuming_finite() {
        check("(- x x)", "(- x x)");
        let finite = Rules {
            assume_finite: true,
            ..Rules::ALL
        };
        assert_eq!(simplified("(- x x)", finite), "0");
    }
    #[test]
    fn fusion_is_off_in_the_algebra_only_rules() {
        assert_eq!(
            simplified("(bce (sigmoid z) y)", Rules::ALGEBRA),
            "(bce (sigmoid z) y)"
        );
    }
    #[test]
    fn shared_subexpressions_are_one_node() {
        use crate::graph::Graph;
        use crate::sexpr::parse;
        let mut g = Graph::new(Rules::ALL);
        let a = parse(&mut g, "(* (+ x y) (+ x y))");
        let [l, r] = g.args(a) else {
            panic!("a product")
        };
        assert_eq!(l, r);
    }
}
