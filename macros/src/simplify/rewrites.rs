//! The rewrite table: one-way laws, each toward fewer, cheaper or more stable operations,
//! written as data (`lhs => rhs` in the IR's s-expression form) and applied by matching.
//! Order matters: the first law whose left side matches wins, so specific laws come
//! before general ones. A test checks every law by evaluation at random points and by
//! building its left side and watching that very law fire.

/// A named law `lhs == rhs`, applied left to right.
#[derive(Debug)]
pub struct Rewrite {
    pub name: &'static str,
    pub group: Group,
    pub lhs: &'static str,
    pub rhs: &'static str,
}

const fn law(name: &'static str, group: Group, lhs: &'static str, rhs: &'static str) -> Rewrite {
    Rewrite {
        name,
        group,
        lhs,
        rhs,
    }
}

use crate::ir::Group;
use Group::{Algebra, AssumeFinite, StableForm};

/// Constant folding (`f(c1, c2) == its value`) runs before these; see `Builder::node`.
pub static REWRITES: &[Rewrite] = &[
    // x + 0 == x (up to the sign of a zero result)
    law("add_zero", Algebra, "(+ ?x 0)", "?x"),
    law("zero_add", Algebra, "(+ 0 ?x)", "?x"),
    law("sub_zero", Algebra, "(- ?x 0)", "?x"),
    law("zero_sub", Algebra, "(- 0 ?x)", "(neg ?x)"),
    law("add_neg", Algebra, "(+ ?a (neg ?b))", "(- ?a ?b)"),
    law("sub_neg", Algebra, "(- ?a (neg ?b))", "(+ ?a ?b)"),
    // guard(1, c) == c: only an exact 0 adjoint masks (the seed of the sweep is 1)
    law("guard_one", Algebra, "(guard 1 ?c)", "?c"),
    // guard(g, 0) == 0
    law("guard_zero", Algebra, "(guard ?g 0)", "0"),
    // if_else(c, x, x) == x
    law("same_arms", Algebra, "(if_else ?c ?x ?x)", "?x"),
    law("mul_one", Algebra, "(* ?x 1)", "?x"),
    law("one_mul", Algebra, "(* 1 ?x)", "?x"),
    law("minus_one_mul", Algebra, "(* -1 ?x)", "(neg ?x)"),
    law("mul_minus_one", Algebra, "(* ?x -1)", "(neg ?x)"),
    // Constants first, so that factors can merge and print as `2 * x`.
    law("constant_first", Algebra, "(* ?x #c)", "(* #c ?x)"),
    // One rounding instead of two.
    law(
        "merge_constant_factors",
        Algebra,
        "(* #a (* #b ?x))",
        "(* (* #a #b) ?x)",
    ),
    law(
        "neg_out_of_left_factor",
        Algebra,
        "(* (neg ?a) ?b)",
        "(neg (* ?a ?b))",
    ),
    law(
        "neg_out_of_numerator",
        Algebra,
        "(/ (neg ?a) ?b)",
        "(neg (/ ?a ?b))",
    ),
    law(
        "neg_out_of_right_factor",
        Algebra,
        "(* ?a (neg ?b))",
        "(neg (* ?a ?b))",
    ),
    law("div_one", Algebra, "(/ ?x 1)", "?x"),
    law("neg_neg", Algebra, "(neg (neg ?x))", "?x"),
    law("powi_one", Algebra, "(powi ?x 1)", "?x"),
    // Also for NaN and infinities, as `powi` defines it.
    law("powi_zero", Algebra, "(powi ?x 0)", "1"),
    // And no overflow for large x.
    law("ln_exp", Algebra, "(ln (exp ?x))", "?x"),
    // Finite for every finite z.
    law(
        "bce_of_sigmoid",
        StableForm,
        "(bce (sigmoid ?z) ?y)",
        "(bce_logits ?z ?y)",
    ),
    law(
        "ln_of_sigmoid",
        StableForm,
        "(ln (sigmoid ?z))",
        "(neg (softplus (neg ?z)))",
    ),
    law(
        "ln_of_one_minus_sigmoid",
        StableForm,
        "(ln (- 1 (sigmoid ?z)))",
        "(neg (softplus ?z))",
    ),
    law(
        "ln_1p_of_neg_sigmoid",
        StableForm,
        "(ln_1p (neg (sigmoid ?z)))",
        "(neg (softplus ?z))",
    ),
    // Exact for small x.
    law("ln_of_one_plus", StableForm, "(ln (+ 1 ?x))", "(ln_1p ?x)"),
    law("ln_of_plus_one", StableForm, "(ln (+ ?x 1))", "(ln_1p ?x)"),
    // No overflow for large x.
    law(
        "ln_1p_of_exp",
        StableForm,
        "(ln_1p (exp ?x))",
        "(softplus ?x)",
    ),
    // Exact for small x.
    law("exp_minus_one", StableForm, "(- (exp ?x) 1)", "(exp_m1 ?x)"),
    // No overflow for very negative z.
    law(
        "logistic_by_hand",
        StableForm,
        "(/ 1 (+ 1 (exp (neg ?z))))",
        "(sigmoid ?z)",
    ),
    law(
        "logistic_by_hand_swapped",
        StableForm,
        "(/ 1 (+ (exp (neg ?z)) 1))",
        "(sigmoid ?z)",
    ),
    // From logits via log-sum-exp.
    law(
        "cross_entropy_of_softmax",
        StableForm,
        "(cross_entropy (softmax ?z) ?y)",
        "(softmax_cross_entropy ?z ?y)",
    ),
    // No log of an underflowed probability.
    law(
        "ln_of_softmax",
        StableForm,
        "(ln (softmax ?z))",
        "(log_softmax ?z)",
    ),
    // The gradients of several slices of one array (an LSTM's four gates) summed into one
    // buffer, not one array of zeros per slice added together.
    law(
        "slice_vjps_summed",
        Algebra,
        "(+ (slice_vjp ?a ?l ?s) (slice_vjp ?b ?l ?t))",
        "(slice_add (slice_vjp ?a ?l ?s) ?b ?t)",
    ),
    law(
        "slice_vjp_added",
        Algebra,
        "(+ (slice_add ?c ?b ?t) (slice_vjp ?d ?l ?u))",
        "(slice_add (slice_add ?c ?b ?t) ?d ?u)",
    ),
    law(
        "slice_vjp_added_first",
        Algebra,
        "(+ (slice_vjp ?d ?l ?u) (slice_add ?c ?b ?t))",
        "(slice_add (slice_add ?c ?b ?t) ?d ?u)",
    ),
    // False for infinite or NaN x. (`x * 0` is first turned into `0 * x`.)
    law("zero_mul", AssumeFinite, "(* 0 ?x)", "0"),
    law("sub_self", AssumeFinite, "(- ?x ?x)", "0"),
];
