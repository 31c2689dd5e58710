use proc_macro2::Span;

use super::*;
use crate::ir::Rewrites;
use crate::ir::interp::eval;
use crate::ir::sexpr::{build, print};

/// Operand `k`'s derivative of `expr`: the local derivative in scalar code (adjoint 1),
/// the vector-Jacobian product with an adjoint called `g` in tensor code.
fn d(expr: &str, k: usize, tensor: bool) -> String {
    let mut b = Builder::new(Graph::default(), Rewrites::ALGEBRA);
    let node = build(&mut b, expr);
    let adjoint = if tensor {
        b.input("g")
    } else {
        b.constant(1.0)
    };
    let id = vjp(&mut b, node, k, adjoint, tensor);
    print(b.graph(), id)
}

/// One line per op and operand: (expression, operand, tensor code, derivative).
const DERIVATIVES: &[(&str, usize, bool, &str)] = &[
    ("(+ x y)", 0, false, "1"),
    ("(+ x y)", 1, false, "1"),
    ("(- x y)", 0, false, "1"),
    ("(- x y)", 1, false, "-1"),
    ("(* x y)", 0, false, "y"),
    ("(* x y)", 1, false, "x"),
    ("(/ x y)", 0, false, "(/ 1 y)"),
    ("(/ x y)", 1, false, "(neg (/ (/ x y) y))"),
    ("(neg x)", 0, false, "-1"),
    ("(exp x)", 0, false, "(exp x)"),
    ("(ln x)", 0, false, "(/ 1 x)"),
    ("(log10 x)", 0, false, "(/ 1 (* 2.302585092994046 x))"),
    ("(log2 x)", 0, false, "(/ 1 (* 0.6931471805599453 x))"),
    ("(sqrt x)", 0, false, "(/ 1 (* 2 (sqrt x)))"),
    ("(sin x)", 0, false, "(cos x)"),
    ("(cos x)", 0, false, "(neg (sin x))"),
    ("(tan x)", 0, false, "(+ 1 (powi (tan x) 2))"),
    ("(tanh x)", 0, false, "(- 1 (powi (tanh x) 2))"),
    ("(abs x)", 0, false, "(sign x)"),
    ("(ln_1p x)", 0, false, "(/ 1 (+ 1 x))"),
    ("(exp_m1 x)", 0, false, "(+ (exp_m1 x) 1)"),
    ("(recip x)", 0, false, "(neg (powi (recip x) 2))"),
    ("(sigmoid x)", 0, false, "(* (sigmoid x) (- 1 (sigmoid x)))"),
    ("(relu x)", 0, false, "(step x)"),
    ("(softplus x)", 0, false, "(sigmoid x)"),
    (
        "(softsign x)",
        0,
        false,
        "(powi (- 1 (abs (softsign x))) 2)",
    ),
    ("(step x)", 0, false, "0"),
    ("(sign x)", 0, false, "0"),
    ("(powi x 3)", 0, false, "(* 3 (powi x 2))"),
    ("(powf x y)", 0, false, "(* y (powf x (- y 1)))"),
    ("(powf x y)", 1, false, "(* (powf x y) (ln x))"),
    ("(max x y)", 0, false, "(ge x y)"),
    ("(max x y)", 1, false, "(- 1 (ge x y))"),
    ("(min x y)", 0, false, "(le x y)"),
    ("(min x y)", 1, false, "(- 1 (le x y))"),
    ("(ge x y)", 0, false, "0"),
    ("(ge x y)", 1, false, "0"),
    ("(bce a y)", 0, false, "(/ (- a y) (* a (- 1 a)))"),
    ("(bce a y)", 1, false, "(- (ln_1p (neg a)) (ln a))"),
    ("(bce_logits z y)", 0, false, "(bce_logits_grad z y)"),
    (
        "(bce_logits_grad z y)",
        0,
        false,
        "(* (sigmoid z) (- 1 (sigmoid z)))",
    ),
    ("(bce_logits_grad z y)", 1, false, "-1"),
    ("(bce_logits z y)", 1, false, "(neg z)"),
    ("(mse a y)", 0, false, "(* 2 (- a y))"),
    ("(mse a y)", 1, false, "(* -2 (- a y))"),
    // Tensor code: contributions to broadcast operands are summed back to their shapes,
    // and labels are data.
    ("(* x y)", 0, true, "(sum_to (* g y) x)"),
    (
        "(* (tanh x) y)",
        0,
        true,
        "(sum_to (* g y) (shape_of (tanh x)))",
    ),
    ("(bce a y)", 0, true, "(sum_to (bce_vjp_a a y g) a)"),
    ("(bce a y)", 1, true, "0"),
    (
        "(bce_logits z y)",
        0,
        true,
        "(sum_to (bce_logits_vjp z y g) z)",
    ),
    ("(mse a y)", 0, true, "(sum_to (mse_vjp a y g) a)"),
    ("(mse a y)", 1, true, "(sum_to (neg (mse_vjp a y g)) y)"),
    ("(dot a b)", 0, true, "(dot_vjp_lhs g b)"),
    ("(dot a b)", 1, true, "(dot_vjp_rhs a g)"),
    ("(transpose x)", 0, true, "(transpose g)"),
    ("(sum x)", 0, true, "(broadcast_to g x)"),
    ("(mean x)", 0, true, "(mean_vjp g x)"),
    // The backward ops `hvp` differentiates again.
    ("(sum_to a b)", 0, true, "(broadcast_to g a)"),
    ("(sum_to a b)", 1, true, "0"),
    ("(broadcast_to a b)", 0, true, "(sum_to g a)"),
    ("(broadcast_to a b)", 1, true, "0"),
    ("(mean_vjp a b)", 0, true, "(mean g)"),
    ("(mean_vjp a b)", 1, true, "0"),
    ("(dot_vjp_lhs a b)", 0, true, "(dot g b)"),
    ("(dot_vjp_lhs a b)", 1, true, "(dot_vjp_rhs g a)"),
    ("(dot_vjp_rhs a b)", 0, true, "(dot_vjp_lhs b g)"),
    ("(dot_vjp_rhs a b)", 1, true, "(dot a g)"),
    ("(broadcast_axis_to a b 1)", 0, true, "(sum_axis g 1)"),
    ("(broadcast_axis_to a b 1)", 1, true, "0"),
    ("(remove_axis a 1)", 0, true, "(insert_axis g 1)"),
    ("(mean_axis_vjp a b 0)", 0, true, "(mean_axis g 0)"),
    ("(mean_axis_vjp a b 0)", 1, true, "0"),
    ("(slice_vjp a x s)", 0, true, "(slice g s)"),
    ("(slice_vjp a x s)", 1, true, "0"),
    ("(slice_vjp a x s)", 2, true, "0"),
    ("(slice_add a b s)", 0, true, "g"),
    ("(slice_add a b s)", 1, true, "(slice g s)"),
    ("(slice_add a b s)", 2, true, "0"),
    ("(index_axis_vjp a x i 1)", 0, true, "(index_axis g i 1)"),
    ("(index_axis_vjp a x i 1)", 1, true, "0"),
    ("(index_axis_vjp a x i 1)", 2, true, "0"),
    ("(select_vjp a x ids 0)", 0, true, "(select g ids 0)"),
    ("(select_vjp a x ids 0)", 1, true, "0"),
    ("(select_vjp a x ids 0)", 2, true, "0"),
    ("(avg_pool1d_vjp a x k s)", 0, true, "(avg_pool1d g k s)"),
    ("(avg_pool2d_vjp a x k s)", 0, true, "(avg_pool2d g k s)"),
    ("(avg_pool1d_vjp a x k s)", 1, true, "0"),
    ("(avg_pool2d_vjp a x k s)", 1, true, "0"),
    ("(avg_pool1d_vjp a x k s)", 2, true, "0"),
    ("(avg_pool2d_vjp a x k s)", 2, true, "0"),
    ("(avg_pool1d_vjp a x k s)", 3, true, "0"),
    ("(avg_pool2d_vjp a x k s)", 3, true, "0"),
    (
        "(conv1d_vjp_x a w x s p)",
        0,
        true,
        "(conv1d g w (sum_axis (sum_axis (shape_of a) 2) 0) s p)",
    ),
    (
        "(conv1d_vjp_x a w x s p)",
        1,
        true,
        "(conv1d_vjp_w a g w s p)",
    ),
    (
        "(conv1d_vjp_w a x w s p)",
        0,
        true,
        "(conv1d x g (sum_axis (sum_axis (shape_of a) 2) 0) s p)",
    ),
    (
        "(conv1d_vjp_w a x w s p)",
        1,
        true,
        "(conv1d_vjp_x a g x s p)",
    ),
    ("(conv1d_vjp_x a w x s p)", 2, true, "0"),
    ("(conv1d_vjp_w a x w s p)", 2, true, "0"),
    ("(conv1d_vjp_x a w x s p)", 3, true, "0"),
    ("(conv1d_vjp_w a x w s p)", 3, true, "0"),
    ("(conv1d_vjp_x a w x s p)", 4, true, "0"),
    ("(conv1d_vjp_w a x w s p)", 4, true, "0"),
    ("(conv1d_vjp_b a b)", 1, true, "0"),
    (
        "(conv2d_vjp_x a w x s p)",
        0,
        true,
        "(conv2d g w (sum_axis (sum_axis (sum_axis (shape_of a) 3) 2) 0) s p)",
    ),
    (
        "(conv2d_vjp_x a w x s p)",
        1,
        true,
        "(conv2d_vjp_w a g w s p)",
    ),
    (
        "(conv2d_vjp_w a x w s p)",
        0,
        true,
        "(conv2d x g (sum_axis (sum_axis (sum_axis (shape_of a) 3) 2) 0) s p)",
    ),
    (
        "(conv2d_vjp_w a x w s p)",
        1,
        true,
        "(conv2d_vjp_x a g x s p)",
    ),
    ("(conv2d_vjp_x a w x s p)", 2, true, "0"),
    ("(conv2d_vjp_w a x w s p)", 2, true, "0"),
    ("(conv2d_vjp_x a w x s p)", 3, true, "0"),
    ("(conv2d_vjp_w a x w s p)", 3, true, "0"),
    ("(conv2d_vjp_x a w x s p)", 4, true, "0"),
    ("(conv2d_vjp_w a x w s p)", 4, true, "0"),
    ("(conv2d_vjp_b a b)", 1, true, "0"),
    (
        "(conv1d_vjp_b a b)",
        0,
        true,
        "(broadcast_to (insert_axis g 1) a)",
    ),
    (
        "(conv2d_vjp_b a b)",
        0,
        true,
        "(broadcast_to (insert_axis (insert_axis g 1) 2) a)",
    ),
    (
        "(max_pool1d_vjp a x k s)",
        0,
        true,
        "(max_pool1d_gather g x k s)",
    ),
    (
        "(max_pool1d_gather c x k s)",
        0,
        true,
        "(max_pool1d_vjp g x k s)",
    ),
    ("(max_pool1d_vjp a x k s)", 1, true, "0"),
    ("(max_pool1d_gather c x k s)", 1, true, "0"),
    ("(max_pool1d_vjp a x k s)", 2, true, "0"),
    ("(max_pool1d_gather c x k s)", 2, true, "0"),
    ("(max_pool1d_vjp a x k s)", 3, true, "0"),
    ("(max_pool1d_gather c x k s)", 3, true, "0"),
    (
        "(max_pool2d_vjp a x k s)",
        0,
        true,
        "(max_pool2d_gather g x k s)",
    ),
    (
        "(max_pool2d_gather c x k s)",
        0,
        true,
        "(max_pool2d_vjp g x k s)",
    ),
    ("(max_pool2d_vjp a x k s)", 1, true, "0"),
    ("(max_pool2d_gather c x k s)", 1, true, "0"),
    ("(max_pool2d_vjp a x k s)", 2, true, "0"),
    ("(max_pool2d_gather c x k s)", 2, true, "0"),
    ("(max_pool2d_vjp a x k s)", 3, true, "0"),
    ("(max_pool2d_gather c x k s)", 3, true, "0"),
    (
        "(logsumexp_vjp a x o 1)",
        0,
        true,
        "(sum_axis (* g (exp (- x (insert_axis o 1)))) 1)",
    ),
    (
        "(logsumexp_vjp a x o 1)",
        1,
        true,
        "(* (* (insert_axis a 1) (exp (- x (insert_axis o 1)))) (- g (insert_axis (sum_axis (* (exp (- x (insert_axis o 1))) g) 1) 1)))",
    ),
    ("(logsumexp_vjp a x o 1)", 2, true, "0"),
    (
        "(extremum_axis_vjp a x m 1)",
        0,
        true,
        "(sum_axis (* g (extremum_axis_vjp (broadcast_to 1 m) x m 1)) 1)",
    ),
    ("(extremum_axis_vjp a x m 1)", 1, true, "0"),
    ("(extremum_axis_vjp a x m 1)", 2, true, "0"),
    ("(mse_vjp a y c)", 0, true, "(mse_vjp g 0 c)"),
    ("(mse_vjp a y c)", 1, true, "(neg (mse_vjp g 0 c))"),
    ("(mse_vjp a y c)", 2, true, "(sum (* g (mse_vjp a y 1)))"),
    (
        "(softmax_cross_entropy_vjp z y c)",
        0,
        true,
        "(softmax_cross_entropy_vjp z (- (softmax z) (softmax_vjp (softmax z) g)) c)",
    ),
    (
        "(softmax_vjp p h)",
        0,
        true,
        "(- (* g (- h (lane_sums (* h p)))) (* h (lane_sums (* g p))))",
    ),
    ("(softmax_vjp p h)", 1, true, "(softmax_vjp p g)"),
    (
        "(log_softmax_vjp p h)",
        0,
        true,
        "(neg (* g (* (exp p) (lane_sums h))))",
    ),
    (
        "(log_softmax_vjp p h)",
        1,
        true,
        "(- g (lane_sums (* g (exp p))))",
    ),
    ("(lane_sums x)", 0, true, "(lane_sums g)"),
    (
        "(cross_entropy_vjp_p p y c)",
        0,
        true,
        "(neg (/ (* g (cross_entropy_vjp_p p y c)) p))",
    ),
    ("(cross_entropy_vjp_p p y c)", 1, true, "0"),
    (
        "(cross_entropy_vjp_p p y c)",
        2,
        true,
        "(sum (* g (cross_entropy_vjp_p p y 1)))",
    ),
    (
        "(bce_vjp_a a y c)",
        0,
        true,
        "(sum_to (* g (/ (- (mean_vjp c (shape_of (bce_vjp_a a y c))) (* (bce_vjp_a a y c) (- 1 (* 2 a)))) (* a (- 1 a)))) a)",
    ),
    ("(bce_vjp_a a y c)", 1, true, "0"),
    (
        "(bce_vjp_a a y c)",
        2,
        true,
        "(sum (* g (bce_vjp_a a y 1)))",
    ),
    (
        "(bce_logits_vjp z y c)",
        0,
        true,
        "(sum_to (* g (* (mean_vjp c (shape_of (bce_logits_vjp z y c))) (* (sigmoid z) (sigmoid (neg z))))) z)",
    ),
    ("(bce_logits_vjp z y c)", 1, true, "0"),
    (
        "(bce_logits_vjp z y c)",
        2,
        true,
        "(sum (* g (bce_logits_vjp z y 1)))",
    ),
    ("(softmax_cross_entropy_vjp z y c)", 1, true, "0"),
    (
        "(softmax_cross_entropy_vjp z y c)",
        2,
        true,
        "(sum (* g (softmax_cross_entropy_vjp z y 1)))",
    ),
    ("(sum_axis x 1)", 0, true, "(broadcast_axis_to g x 1)"),
    ("(mean_axis x 0)", 0, true, "(mean_axis_vjp g x 0)"),
    ("(insert_axis x 1)", 0, true, "(remove_axis g 1)"),
    ("(softmax z)", 0, true, "(softmax_vjp (softmax z) g)"),
    (
        "(log_softmax z)",
        0,
        true,
        "(log_softmax_vjp (log_softmax z) g)",
    ),
    (
        "(softmax_cross_entropy z y)",
        0,
        true,
        "(softmax_cross_entropy_vjp z y g)",
    ),
    ("(softmax_cross_entropy z y)", 1, true, "0"),
    (
        "(cross_entropy p y)",
        0,
        true,
        "(cross_entropy_vjp_p p y g)",
    ),
    ("(cross_entropy p y)", 1, true, "0"),
    ("(if_else c x y)", 0, false, "0"),
    ("(if_else c x y)", 1, false, "(if_else c 1 0)"),
    ("(if_else c x y)", 2, false, "(if_else c 0 1)"),
    ("(compare x y 2)", 0, false, "0"),
    ("(compare x y 2)", 1, false, "0"),
    ("(guard g x)", 0, false, "0"),
    ("(guard g x)", 1, false, "(guard g 1)"),
    ("(le x y)", 0, false, "0"),
    ("(le x y)", 1, false, "0"),
    ("(maximum x y)", 0, false, "(above x y)"),
    ("(maximum x y)", 1, false, "(above y x)"),
    ("(minimum x y)", 0, false, "(above y x)"),
    ("(minimum x y)", 1, false, "(above x y)"),
    ("(above x y)", 0, false, "0"),
    ("(above x y)", 1, false, "0"),
    ("(maximum x y)", 0, true, "(sum_to (* g (above x y)) x)"),
    (
        "(max_axis x 1)",
        0,
        true,
        "(extremum_axis_vjp g x (max_axis x 1) 1)",
    ),
    (
        "(min_axis x 0)",
        0,
        true,
        "(extremum_axis_vjp g x (min_axis x 0) 0)",
    ),
    (
        "(logsumexp x 1)",
        0,
        true,
        "(logsumexp_vjp g x (logsumexp x 1) 1)",
    ),
    ("(slice x s)", 0, true, "(slice_vjp g x s)"),
    ("(slice x s)", 1, true, "0"),
    ("(index_axis x i 1)", 0, true, "(index_axis_vjp g x i 1)"),
    ("(index_axis x i 1)", 1, true, "0"),
    ("(select x ids 0)", 0, true, "(select_vjp g x ids 0)"),
    ("(select x ids 0)", 1, true, "0"),
    ("(stack_seq s 1)", 0, true, "(unstack_seq g 1)"),
    (
        "(concatenate_seq s 1)",
        0,
        true,
        "(unconcatenate_seq g s 1)",
    ),
    ("(conv1d x w b s p)", 0, true, "(conv1d_vjp_x g w x s p)"),
    ("(conv1d x w b s p)", 1, true, "(conv1d_vjp_w g x w s p)"),
    ("(conv1d x w b s p)", 2, true, "(conv1d_vjp_b g b)"),
    ("(conv1d x w b s p)", 3, true, "0"),
    ("(conv1d x w b s p)", 4, true, "0"),
    ("(conv2d x w b s p)", 0, true, "(conv2d_vjp_x g w x s p)"),
    ("(conv2d x w b s p)", 1, true, "(conv2d_vjp_w g x w s p)"),
    ("(conv2d x w b s p)", 2, true, "(conv2d_vjp_b g b)"),
    ("(conv2d x w b s p)", 3, true, "0"),
    ("(conv2d x w b s p)", 4, true, "0"),
    ("(max_pool1d x k s)", 0, true, "(max_pool1d_vjp g x k s)"),
    ("(avg_pool1d x k s)", 0, true, "(avg_pool1d_vjp g x k s)"),
    ("(max_pool2d x k s)", 0, true, "(max_pool2d_vjp g x k s)"),
    ("(avg_pool2d x k s)", 0, true, "(avg_pool2d_vjp g x k s)"),
    ("(max_pool1d x k s)", 1, true, "0"),
    ("(avg_pool1d x k s)", 1, true, "0"),
    ("(max_pool2d x k s)", 1, true, "0"),
    ("(avg_pool2d x k s)", 1, true, "0"),
    ("(max_pool1d x k s)", 2, true, "0"),
    ("(avg_pool1d x k s)", 2, true, "0"),
    ("(max_pool2d x k s)", 2, true, "0"),
    ("(avg_pool2d x k s)", 2, true, "0"),
];

#[test]
fn each_derivative_is_the_textbook_one() {
    for &(expr, k, tensor, expected) in DERIVATIVES {
        assert_eq!(d(expr, k, tensor), expected, "d{expr}/d(operand {k})");
    }
}

#[test]
fn every_differentiable_op_has_a_derivative_line() {
    for name in Op::NAMES {
        let op = Op::example(name).expect("every name parses");
        let spec = op.spec();
        let differentiable = spec.has_derivative();
        if !differentiable {
            continue;
        }
        for k in 0..spec.arity {
            let covered = DERIVATIVES.iter().any(|&(expr, j, _, _)| {
                j == k && crate::ir::sexpr::read(expr).is_ok_and(|e| head_name(&e) == *name)
            });
            assert!(covered, "no derivative line for operand {k} of `{name}`");
        }
    }
}

fn head_name(e: &crate::ir::sexpr::Sexpr) -> String {
    match e {
        crate::ir::sexpr::Sexpr::List(items) => {
            items.first().map(|h| h.to_string()).unwrap_or_default()
        }
        crate::ir::sexpr::Sexpr::Atom(a) => a.clone(),
    }
}

/// Every op with a float meaning: its derivative templates against central differences
/// of that meaning, at points where every op is smooth and defined.
#[test]
fn every_scalar_derivative_matches_finite_differences() {
    let points = [[0.3, 0.7, 0.2], [0.55, 0.25, 0.9], [0.8, 0.45, 0.6]];
    for name in Op::NAMES {
        let op = match Op::example(name).expect("every name parses") {
            Op::Powi(_) => Op::Powi(3),
            op => op,
        };
        let spec = op.spec();
        if spec.eval.is_none() || matches!(spec.vjp, Vjp::None) || op.is_leaf() {
            continue;
        }
        let mut b = Builder::new(Graph::default(), Rewrites::NONE);
        let inputs: Vec<NodeId> = (0..spec.arity).map(|i| b.input(&format!("x{i}"))).collect();
        let node = b.node(op.clone(), inputs, Span::call_site());
        let one = b.constant(1.0);
        let grads: Vec<NodeId> = (0..spec.arity)
            .map(|k| vjp(&mut b, node, k, one, false))
            .collect();
        for x in &points {
            let x = &x[..spec.arity];
            let values = eval(b.graph(), x, &[]);
            for (k, grad) in grads.iter().enumerate() {
                let h = 1e-6;
                let (mut up, mut down) = (x.to_vec(), x.to_vec());
                up[k] += h;
                down[k] -= h;
                let f = |v: &[f64]| op.eval(v).expect("has a meaning");
                let fd = (f(&up) - f(&down)) / (2.0 * h);
                let ad = values[grad.index()];
                assert!(
                    (ad - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
                    "d{name}/dx{k} at {x:?}: template {ad}, finite difference {fd}"
                );
            }
        }
    }
}
