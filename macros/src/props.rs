//! Property test of the whole pipeline (lower → simplify → reverse): random expression
//! DAGs over every supported op, written as Rust source, differentiated by the macro's own
//! code, evaluated by the interpreter and compared with central finite differences.
//!
//! Generation is domain-safe by construction: arguments of `ln`, `sqrt`, `log*`, `recip`,
//! negative powers and denominators are squared plus a positive constant. Cases whose
//! values overflow, or that sit within 1e-3 of a kink (`abs`, `relu`, `max`, `min`), are
//! rejected rather than checked, because finite differences are meaningless there.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRng, TestRunner};

use crate::attr::Args;
use crate::ctxt::Ctxt;
use crate::ir::interp::eval;
use crate::ir::{Graph, Op};
use crate::lower::{Lowering, lower};
use crate::reverse::gradients;
use crate::simplify::{Builder, Rewrites};

const INPUTS: usize = 3;
const CONSTS: &[(&str, f64)] = &[("std::f64::consts::PI", std::f64::consts::PI)];

/// One operation template per supported construct; `{a}`, `{b}` are earlier values.
const TEMPLATES: &[&str] = &[
    "{a} + {b}",
    "{a} - {b}",
    "{a} * {b}",
    "{a} / ({b} * {b} + 0.5)",
    "-{a}",
    "{a} * 2.5 - 0.75",
    "{a} * std::f64::consts::PI",
    "{a}.exp()",
    "{a}.exp_m1()",
    "({a} * {a} + 0.5).ln()",
    "({a} * {a} + 0.5).log10()",
    "({a} * {a} + 0.5).log2()",
    "({a} * {a} + 0.5).sqrt()",
    "({a} * {a}).ln_1p()",
    "({a} * {a} + 0.5).recip()",
    "{a}.sin()",
    "{a}.cos()",
    "{a}.tanh().tan()",
    "{a}.tanh()",
    "tanh({a})",
    "{a}.abs()",
    "relu({a})",
    "{a}.max({b})",
    "{a}.min({b})",
    "sigmoid({a})",
    "softplus({a})",
    "softsign({a})",
    "exp({a})",
    "ln({a} * {a} + 0.25)",
    "{a}.powi(2)",
    "{a}.powi(3)",
    "({a} * {a} + 0.5).powi(-2)",
    "({a} * {a} + 0.5).powf({b}.tanh())",
    "bce(sigmoid({a}), 0.3)",
    "bce({a}.tanh() * 0.45 + 0.5, 0.8)",
    "mse({a}, {b})",
    "sigmoid({a}).ln()",
    "(1.0 - sigmoid({a})).ln()",
    "1.0 / (1.0 + (-{a}).exp())",
    "(1.0 + {a}.exp()).ln()",
    "{a}.exp() - 1.0",
    "{a} * 1.0 + 0.0",
    "-(-{a})",
];

/// A random DAG: each step picks a template and two earlier values (fan-out included).
fn source(steps: &[(usize, usize, usize)]) -> String {
    let mut body = String::new();
    let names: Vec<String> = (0..INPUTS).map(|i| format!("x{i}")).collect();
    let mut values = names.clone();
    for (i, &(t, a, b)) in steps.iter().enumerate() {
        let a = &values[a % values.len()];
        let b = &values[b % values.len()];
        let expr = TEMPLATES[t % TEMPLATES.len()]
            .replace("{a}", &format!("({a})"))
            .replace("{b}", &format!("({b})"));
        body.push_str(&format!("let v{i} = {expr};\n"));
        values.push(format!("v{i}"));
    }
    // The result mixes the last two values so both branches of the DAG matter.
    let n = values.len();
    body.push_str(&format!("{} + {}", values[n - 1], values[n - 2]));
    let params: Vec<String> = names.iter().map(|n| format!("{n}: f64")).collect();
    format!("fn f({}) -> f64 {{\n{body}\n}}", params.join(", "))
}

/// Why a case cannot be checked by finite differences, if it cannot.
fn unsuitable(g: &Graph, values: &[f64]) -> bool {
    if values.iter().any(|v| !v.is_finite() || v.abs() > 1e6) {
        return true;
    }
    g.ids().any(|id| {
        let arg = |k: usize| values[g.args(id)[k].index()];
        match g.op(id) {
            Op::Abs | Op::Relu => arg(0).abs() < 1e-3,
            Op::Max | Op::Min => (arg(0) - arg(1)).abs() < 1e-3,
            _ => false,
        }
    })
}

/// No sigmoid saturated to within 1e-6 of 0 or 1, where `ln(sigmoid(z))` as written loses
/// digits that the fused softplus form keeps.
fn well_conditioned(g: &Graph, values: &[f64]) -> bool {
    !g.ids()
        .any(|id| *g.op(id) == Op::Sigmoid && values[g.args(id)[0].index()].abs() > 14.0)
}

fn check(steps: &[(usize, usize, usize)], x: &[f64]) -> Result<(), TestCaseError> {
    let src = source(steps);
    let item: syn::ItemFn =
        syn::parse_str(&src).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
    let Lowering::Done(lowered) = lower(&mut Ctxt::default(), &item, &Args::default(), &[]) else {
        return Err(TestCaseError::fail(format!("did not lower\n{src}")));
    };
    let raw = &lowered.graph;
    let raw_values = eval(raw, x, CONSTS);
    prop_assume!(!unsuitable(raw, &raw_values));
    let value = raw_values[lowered.output.index()];

    let (mut b, map) = Builder::rebuild(raw, Rewrites::EXACT);
    let output = map[lowered.output.index()];
    let wrt: Vec<_> = lowered
        .params
        .iter()
        .map(|p| map[p.input.expect("float").index()])
        .collect();
    let grads = gradients(&mut b, output, &wrt, false);
    let g = b.into_graph();
    let values = eval(&g, x, CONSTS);

    let fused = values[output.index()];
    // Where the graph as written is ill-conditioned (ln of a saturated sigmoid), the fused
    // form is the accurate one and the two may differ by the written form's error.
    if well_conditioned(raw, &raw_values) {
        prop_assert!(
            (fused - value).abs() <= 1e-9 * (1.0 + value.abs()),
            "fused forward {fused} vs {value}\n{src}"
        );
    }
    // Finite differences of what the macro emits: the fused forward.
    let f = |x: &[f64]| eval(&g, x, CONSTS)[output.index()];
    for (i, grad) in grads.iter().enumerate() {
        let ad = values[grad.index()];
        let central = |h: f64| {
            let (mut up, mut down) = (x.to_vec(), x.to_vec());
            up[i] += h;
            down[i] -= h;
            (f(&up) - f(&down)) / (2.0 * h)
        };
        let h = 1e-5 * (1.0 + x[i].abs());
        let (coarse, fd) = (central(h), central(h / 2.0));
        // Where halving the step moves the estimate, the function is too curved (or too
        // oscillatory) here for finite differences to be a reference.
        prop_assume!(fd.is_finite() && fd.abs() < 1e5);
        prop_assume!((coarse - fd).abs() <= 1e-6 * (1.0 + fd.abs()));
        prop_assert!(
            (ad - fd).abs() <= 1e-4 * (1.0 + ad.abs().max(fd.abs())),
            "d/dx{i}: reverse {ad} vs finite difference {fd} at {x:?}\n{src}"
        );
    }
    Ok(())
}

#[test]
fn random_dags_differentiate_like_finite_differences() {
    let config = Config {
        cases: 10_000,
        max_global_rejects: 100_000,
        failure_persistence: None,
        ..Config::default()
    };
    // A fixed seed: CI sees the same 10,000 cases every run.
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let step = (0..TEMPLATES.len(), 0usize..64, 0usize..64);
    let strategy = (
        prop::collection::vec(step, 1..9),
        prop::collection::vec(-2.0f64..2.0, INPUTS),
    );
    runner
        .run(&strategy, |(steps, x)| check(&steps, &x))
        .unwrap();
}

#[test]
fn every_template_is_lowered_without_error() {
    for t in 0..TEMPLATES.len() {
        let src = source(&[(t, 0, 1)]);
        let item: syn::ItemFn = syn::parse_str(&src).unwrap();
        assert!(
            matches!(
                lower(&mut Ctxt::default(), &item, &Args::default(), &[]),
                Lowering::Done(_)
            ),
            "{src}"
        );
    }
}
