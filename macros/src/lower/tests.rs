//! Lowering, a body at a time: the graph it gives (printed as an s-expression), the
//! calls it waits for, or the mistakes it reports.

use syn::ItemFn;

use super::{Lowered, Lowering, lower};
use crate::attr;
use crate::ctxt::Ctxt;
use crate::handover::Callee;
use crate::ir::sexpr::print;

fn item(source: &str) -> ItemFn {
    syn::parse_str(source).expect("a function")
}

/// Lowers `source` with the arguments `attr`, knowing the bodies of `known`; the
/// lowering and the messages of the mistakes reported.
fn lowering(attr: &str, source: &str, known: &[Callee]) -> (Lowering, Vec<String>) {
    let mut cx = Ctxt::default();
    let args = attr::parse(&mut cx, attr.parse().expect("tokens"));
    let lowering = lower(&mut cx, &item(source), &args, known);
    let errors = match cx.check() {
        Ok(()) => Vec::new(),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    };
    (lowering, errors)
}

fn lowered_with(source: &str, known: &[Callee]) -> Box<Lowered> {
    match lowering("", source, known) {
        (Lowering::Done(lowered), errors) if errors.is_empty() => lowered,
        (_, errors) => panic!("{source} did not lower: {errors:?}"),
    }
}

fn lowered(source: &str) -> Box<Lowered> {
    lowered_with(source, &[])
}

/// The function's result as an s-expression.
fn graph(source: &str) -> String {
    let lowered = lowered(source);
    print(&lowered.graph, lowered.output)
}

fn errors(source: &str) -> Vec<String> {
    let (lowering, errors) = lowering("", source, &[]);
    assert!(matches!(lowering, Lowering::Failed(_)), "{source} lowered");
    errors
}

fn callee(source: &str, custom: bool) -> Callee {
    Callee {
        item: item(source),
        custom,
        krate: None,
        shown: None,
    }
}

#[test]
fn lets_and_operators_become_nodes_as_written() {
    assert_eq!(
        graph("fn f(x: f64, y: f64) -> f64 { let z = x * y; z + 1.0 - -y }"),
        "(- (+ (* x y) 1) (neg y))"
    );
}

#[test]
fn methods_and_functions_are_found_in_the_op_table() {
    assert_eq!(
        graph("fn f(x: f64) -> f64 { let a = x.tanh(); sigmoid(a).powi(2) }"),
        "(powi (sigmoid (tanh x)) 2)"
    );
}

#[test]
fn a_name_bound_twice_reads_with_a_subscript_in_derivations() {
    let lowered = lowered("fn f(x: f64) -> f64 { let a = x * x; let a = a + x; a }");
    let g = &lowered.graph;
    let names: Vec<&str> = g.ids().filter_map(|id| g.name(id)).collect();
    assert!(names.contains(&"a₁") && names.contains(&"a₂"), "{names:?}");
}

#[test]
fn a_let_never_read_is_handed_to_the_emitter_unless_its_name_starts_with_an_underscore() {
    let lowered = lowered("fn f(x: f64) -> f64 { let unused = x * 2.0; let _quiet = x; x }");
    let unread: Vec<String> = (lowered.usage.unread_lets.iter())
        .map(|(ident, _)| ident.to_string())
        .collect();
    assert_eq!(unread, ["unused"]);
}

#[test]
fn an_if_on_values_computes_both_arms_and_keeps_the_taken_ones_value() {
    let out = graph("fn f(x: f64) -> f64 { if x > 0.0 { x } else { -x } }");
    assert!(out.starts_with("(if_else (compare x 0"), "{out}");
    assert!(out.ends_with(" x (neg x))"), "{out}");
}

#[test]
fn a_not_equal_condition_on_a_let_compares_values() {
    // `t != 0.0` is not a macro call `t!`: the condition reads a value of the graph.
    let out = graph("fn f(x: f64) -> f64 { let t = x * x; if t != 0.0 { t } else { x } }");
    assert!(out.starts_with("(if_else (compare (* x x) 0"), "{out}");
}

#[test]
fn a_loop_becomes_one_node_over_a_body_graph_of_its_own() {
    let lowered = lowered("fn f(x: f64) -> f64 { let mut h = x; for _ in 0..3 { h = h * x; } h }");
    assert_eq!(lowered.graph.loops.len(), 1);
    assert_eq!(print(&lowered.graph, lowered.output), "(loop x x 0)");
    let body = &lowered.graph.loops[0];
    assert_eq!(print(&body.graph, body.outputs[0]), "(* h[i-1] x)");
}

#[test]
fn a_loop_carrying_two_values_is_their_tuple_read_apart() {
    let lowered = lowered(
        "fn f(x: f64) -> f64 { let mut a = x; let mut s = 0.0; for _ in 0..3 { a = a * x; s += a; } s }",
    );
    assert_eq!(
        print(&lowered.graph, lowered.output),
        "(loop_out (loop x 0 x 0) 1)"
    );
    let body = &lowered.graph.loops[0];
    let outs: Vec<String> = body
        .outputs
        .iter()
        .map(|&o| print(&body.graph, o))
        .collect();
    assert_eq!(outs, ["(* a[i-1] x)", "(+ s[i-1] (* a[i-1] x))"]);
}

#[test]
fn a_helper_s_integer_parameter_reads_the_caller_s_integer() {
    let first = callee(
        "fn first(x: &Array2<f64>, k: usize) -> Array2<f64> { x.slice(s![.., 0..k]).to_owned() }",
        false,
    );
    let lowered = lowered_with(
        "fn f(x: &Array2<f64>, n: usize) -> f64 { first(x, 2 * n).sum() }",
        &[first],
    );
    let out = print(&lowered.graph, lowered.output);
    assert!(out.contains("0..(2*n)"), "{out}");
}

#[test]
fn a_tuple_result_gives_one_part_per_value() {
    let lowered = lowered("fn f(x: f64) -> (f64, f64) { (x * 2.0, x + 1.0) }");
    let parts: Vec<String> = (lowered.parts.iter())
        .map(|&p| print(&lowered.graph, p))
        .collect();
    assert_eq!(parts, ["(* x 2)", "(+ x 1)"]);
}

#[test]
fn a_call_to_a_function_whose_body_is_not_known_waits_for_it() {
    let (lowering, errors) = lowering("", "fn f(x: f64) -> f64 { helper(x) * 2.0 }", &[]);
    assert!(errors.is_empty(), "{errors:?}");
    let Lowering::Needs(path) = lowering else {
        panic!("lowered without the callee's body")
    };
    assert_eq!(quote::quote!(#path).to_string(), "helper");
}

#[test]
fn names_bound_to_a_pending_call_lower_on_without_a_spurious_mistake() {
    let (lowering, errors) = lowering(
        "",
        "fn f(x: f64) -> f64 {
            let (a, b) = pair(x);
            let mut h = scale(a);
            for _ in 0..3 { h = h * b; }
            h + x
        }",
        &[],
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert!(matches!(lowering, Lowering::Needs(_)));
}

#[test]
fn a_known_callee_is_inlined_and_its_result_named_after_it() {
    let square = callee("fn square(t: f64) -> f64 { t * t }", false);
    let lowered = lowered_with("fn f(x: f64) -> f64 { square(x) + 1.0 }", &[square]);
    assert_eq!(print(&lowered.graph, lowered.output), "(+ (* x x) 1)");
    let g = &lowered.graph;
    assert!(g.ids().any(|id| g.name(id) == Some("square")));
}

#[test]
fn a_callee_with_a_hand_written_derivative_is_one_opaque_node() {
    let swish = callee("fn swish(t: f64) -> f64 { t * sigmoid(t) }", true);
    let lowered = lowered_with("fn f(x: f64) -> f64 { swish(x) * 2.0 }", &[swish]);
    assert_eq!(print(&lowered.graph, lowered.output), "(* (custom x 0) 2)");
    assert_eq!(lowered.graph.customs[0].name, "swish");
}

#[test]
fn recursion_is_reported_with_the_chain_of_calls() {
    let f = "fn f(x: f64) -> f64 { f(x) }";
    let (lowering, errors) = lowering("", f, &[callee(f, false)]);
    assert!(matches!(lowering, Lowering::Failed(_)));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("recursion is not supported") && errors[0].contains("(f → f)"));
}

#[test]
fn every_mistake_in_a_body_is_reported_at_once() {
    let errors = errors("fn f(x: f64) -> f64 { let a = x * 2; let b = x % 2.0; x.bogus() }");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].contains("integer literal `2`"), "{errors:?}");
    assert!(
        errors[1].contains("operator `%` is not supported"),
        "{errors:?}"
    );
    assert!(errors[2].contains("bogus"), "{errors:?}");
}

#[test]
fn a_value_re_assigned_outside_a_loop_is_reported() {
    let errors = errors("fn f(x: f64) -> f64 { let mut h = x; h = h * x; h }");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("re-assigned only inside a `for` loop"));
}

#[test]
fn a_loop_that_changes_nothing_is_reported() {
    let errors = errors("fn f(x: f64) -> f64 { let h = x; for _ in 0..3 { let y = h; } h }");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("this loop changes nothing")),
        "{errors:?}"
    );
}

#[test]
fn values_pushed_in_a_loop_are_its_output_joined_after_it() {
    let lowered = lowered(
        "fn f(x: &Array3<f64>, w: &Array2<f64>) -> f64 { let mut outs = Vec::new(); for xt in x.axis_iter(Axis(1)) { outs.push(sigmoid(xt.dot(w))); } let wide = concatenate(Axis(1), &outs); wide.sum() }",
    );
    assert_eq!(
        print(&lowered.graph, lowered.output),
        "(sum (concatenate_seq (loop_out (loop w x 0) 0) 1))"
    );
}
