use proc_macro2::Span;

use super::*;
use crate::ir::interp::eval;
use crate::ir::pattern::Bindings;
use crate::ir::sexpr::{build, print};

fn simplified(input: &str, rewrites: Rewrites) -> String {
    let mut b = Builder::new(Graph::default(), rewrites);
    let id = build(&mut b, input);
    print(b.graph(), id)
}

fn check(input: &str, expected: &str) {
    assert_eq!(
        simplified(input, Rewrites::EXACT),
        expected,
        "rewriting {input}"
    );
}

const FINITE: Rewrites = Rewrites {
    assume_finite: true,
    ..Rewrites::EXACT
};

/// A small deterministic generator, so the law checks see the same points every run.
struct Points(u64);

impl Points {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        // Uniform in [-2, 2).
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
    }
}

/// Binds each variable of a law to an input named after it (constants `#c` to inputs
/// too: they take random values).
fn inputs_for(b: &mut Builder, vars: &[String]) -> Bindings {
    vars.iter().map(|v| (v.clone(), b.input(&v[1..]))).collect()
}

#[test]
fn every_law_holds_at_random_points() {
    let mut points = Points(0x9e37_79b9_7f4a_7c15);
    let mut not_evaluable = Vec::new();
    for c in compile(REWRITES).iter() {
        let mut b = Builder::new(Graph::default(), Rewrites::NONE);
        let vars = c.lhs.variables();
        let bind = inputs_for(&mut b, &vars);
        let span = Span::call_site();
        let (l, r) = (
            c.lhs.build(&mut b, &bind, None, span),
            c.rhs.build(&mut b, &bind, None, span),
        );
        let mut finite = 0;
        for _ in 0..50 {
            let x: Vec<f64> = vars.iter().map(|_| points.next()).collect();
            let v = eval(b.graph(), &x, &[]);
            let (lv, rv) = (v[l.index()], v[r.index()]);
            if lv.is_nan() && rv.is_nan() {
                continue;
            }
            finite += 1;
            assert!(
                (lv - rv).abs() <= 1e-12 * (1.0 + lv.abs()),
                "{}: {} = {lv} but {} = {rv} at {x:?}",
                c.rule.name,
                c.rule.lhs,
                c.rule.rhs
            );
        }
        if finite == 0 {
            not_evaluable.push(c.rule.name);
        }
    }
    // Array laws have no float meaning; they are checked by the example test below and
    // by the tensor tests against finite differences.
    assert_eq!(
        not_evaluable,
        [
            "cross_entropy_of_softmax",
            "ln_of_softmax",
            "slice_vjps_summed",
            "slice_vjp_added",
            "slice_vjp_added_first"
        ]
    );
}

#[test]
fn every_law_fires_on_its_own_left_side() {
    for c in compile(REWRITES).iter() {
        let mut b = Builder::new(Graph::default(), FINITE);
        // Variables become inputs, constants 2, 3, 5: no identity law sees a 0 or a 1.
        let mut constants = [2.0, 3.0, 5.0].into_iter();
        let bind: Bindings = c
            .lhs
            .variables()
            .into_iter()
            .map(|v| {
                let id = if v.starts_with('#') {
                    b.constant(constants.next().expect("at most three constants"))
                } else {
                    b.input(&v[1..])
                };
                (v, id)
            })
            .collect();
        let span = Span::call_site();
        let l = c.lhs.build(&mut b, &bind, None, span);
        assert!(
            b.fired().contains(&c.rule.name),
            "{} did not fire on {}; fired: {:?}",
            c.rule.name,
            c.rule.lhs,
            b.fired()
        );
        let r = c.rhs.build(&mut b, &bind, None, span);
        assert_eq!(
            print(b.graph(), l),
            print(b.graph(), r),
            "{}: the left side became something else than the right",
            c.rule.name
        );
        assert!(b.deepest() <= MAX_REWRITE_DEPTH / 2, "{}", c.rule.name);
    }
}

#[test]
fn rule_names_are_unique() {
    for (i, r) in REWRITES.iter().enumerate() {
        assert!(
            REWRITES[..i].iter().all(|q| q.name != r.name),
            "{} twice",
            r.name
        );
    }
}

#[test]
fn a_rewrite_cycle_stops_at_the_depth_bound() {
    static COMMUTE: &[Rewrite] = &[Rewrite {
        name: "commute",
        group: crate::ir::Group::Algebra,
        lhs: "(* ?a ?b)",
        rhs: "(* ?b ?a)",
    }];
    let mut b = Builder::with_table(Graph::default(), Rewrites::ALGEBRA, compile(COMMUTE));
    let (x, y) = (b.input("x"), b.input("y"));
    let id = b.node(Op::Mul, vec![x, y], Span::call_site());
    assert_eq!(b.deepest(), MAX_REWRITE_DEPTH);
    assert_eq!(*b.graph().op(id), Op::Mul);
}

#[test]
fn fold_constants() {
    check("(+ 2 (* 3 4))", "14");
}

#[test]
fn identities() {
    check("(+ x 0)", "x");
    check("(+ 0 x)", "x");
    check("(- x 0)", "x");
    check("(- 0 x)", "(neg x)");
    check("(* x 1)", "x");
    check("(* 1 x)", "x");
    check("(/ x 1)", "x");
    check("(powi x 1)", "x");
    check("(powi x 0)", "1");
}

#[test]
fn negations() {
    check("(+ a (neg b))", "(- a b)");
    check("(- a (neg b))", "(+ a b)");
    check("(* -1 x)", "(neg x)");
    check("(neg (neg x))", "x");
    check("(* (neg a) b)", "(neg (* a b))");
    check("(/ (neg a) b)", "(neg (/ a b))");
    check("(* (neg a) (neg b))", "(* a b)");
}

#[test]
fn constants_gather_in_front() {
    check("(* x 2)", "(* 2 x)");
    check("(* 2 (* 3 x))", "(* 6 x)");
}

#[test]
fn stable_forms() {
    check("(ln (exp x))", "x");
    check("(bce (sigmoid z) y)", "(bce_logits z y)");
    check("(ln (sigmoid z))", "(neg (softplus (neg z)))");
    check("(ln (- 1 (sigmoid z)))", "(neg (softplus z))");
    check("(ln_1p (neg (sigmoid z)))", "(neg (softplus z))");
    check("(ln (+ 1 x))", "(ln_1p x)");
    check("(ln (+ 1 (exp x)))", "(softplus x)");
    check("(- (exp x) 1)", "(exp_m1 x)");
    check("(/ 1 (+ 1 (exp (neg z))))", "(sigmoid z)");
    check(
        "(cross_entropy (softmax z) y)",
        "(softmax_cross_entropy z y)",
    );
    check("(ln (softmax z))", "(log_softmax z)");
}

#[test]
fn finite_only_laws_are_opt_in() {
    check("(* x 0)", "(* 0 x)");
    check("(- x x)", "(- x x)");
    assert_eq!(simplified("(* x 0)", FINITE), "0");
    assert_eq!(simplified("(- x x)", FINITE), "0");
}

#[test]
fn stable_forms_are_off_in_the_algebra_only_set() {
    assert_eq!(
        simplified("(bce (sigmoid z) y)", Rewrites::ALGEBRA),
        "(bce (sigmoid z) y)"
    );
}

#[test]
fn shared_subexpressions_are_one_node() {
    let mut b = Builder::new(Graph::default(), Rewrites::EXACT);
    let a = build(&mut b, "(* (+ x y) (+ x y))");
    let [l, r] = b.graph().args(a) else {
        panic!("a product")
    };
    assert_eq!(l, r);
}
