//! Valid bodies from a small grammar, beside the seeds: scalar functions of one to four
//! floats and sometimes an integer `k` (`+ - * /`, the methods and functions of the body
//! table, `let`s, `if`/`else` on comparisons, `match k`, loops carrying one value or two,
//! `+=`, values swapped by a tuple assignment, nested loops), and tensor functions of the
//! parameter struct of tests/tensor_programs.rs (`dot`, `tanh`, `sum`, `mean`,
//! `softmax_cross_entropy`, slices, `concatenate!`, loops over `x`'s rows pushing to a
//! `Vec` then `stack`ed, nested loops), each value's shape tracked so the body type-checks. Domains are kept
//! safe (logarithms and roots of positive expressions, denominators `1 + u²`), so a
//! generated body is valid and finite, and its gradient is checked.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{RngExt, seq::IndexedRandom};

use crate::body::{Body, Twin, Unit};
use crate::tokens::lex;

const SCALAR_CONTEXT: &str =
    "use cadena::prelude::*;\nconst K: f64 = 0.75;\nconst K32: f32 = 0.75;\n";

pub const TENSOR_CONTEXT: &str = "use cadena::ndarray::{Array1, Array2, Axis};\nuse cadena::prelude::*;\n\
#[derive(Parameters, Clone, Debug)]\npub struct P { pub w: Array2<f64>, pub b: Array1<f64>, pub v: Array2<f64>, pub c: Array1<f64>, pub s: f64 }\n";

/// Unary forms of one operand, safe on every finite input of moderate size.
const UNARY: &[&str] = &[
    "{a}.exp() * 0.1",
    "exp({a} * 0.5)",
    "({a} * {a} + 1.0).ln()",
    "ln({a} * {a} + 0.5)",
    "({a} * {a} + 1.0).sqrt()",
    "sqrt(softplus({a}))",
    "{a}.sin()",
    "{a}.cos()",
    "{a}.tanh()",
    "tanh({a})",
    "sigmoid({a})",
    "softplus({a})",
    "softsign({a})",
    "relu({a})",
    "{a}.abs()",
    "{a}.powi(2)",
    "{a}.powi(3)",
    "(softplus({a}) + 0.5).powi(-2)",
    "softplus({a}).powf(1.5)",
    "({a} * {a}).ln_1p()",
    "({a} * 0.5).exp_m1()",
    "({a} * {a} + 1.0).recip()",
    "({a} * {a} + 0.1).log2()",
    "({a} * {a} + 0.1).log10()",
    "{a}.tanh().tan()",
    "-{a}",
    "({a})",
];

/// Binary forms.
const BINARY: &[&str] = &[
    "{a} + {b}",
    "{a} - {b}",
    "{a} * {b}",
    "{a} / ({b} * {b} + 1.0)",
    "{a}.max({b})",
    "{a}.min({b})",
    "maximum({a}, {b})",
    "minimum({a}, {b})",
    "bce(sigmoid({a}), {b})",
    "mse({a}, {b})",
    "(softplus({a}) + 0.1).powf({b}.tanh())",
];

const COMPARISONS: &[&str] = &[">", "<", ">=", "<="];

const LITERALS: &[&str] = &["0.5", "2.0", "1.5", "0.25", "3.0", "1e-3", "0.1"];

const PARAMS: &[&str] = &["a", "b", "c", "x", "y", "w", "z"];

fn fill(template: &str, a: &str, b: &str) -> String {
    template.replace("{a}", a).replace("{b}", b)
}

struct Scalar<'r> {
    rng: &'r mut StdRng,
    scope: Vec<String>,
    f32: bool,
}

impl Scalar<'_> {
    fn leaf(&mut self) -> String {
        match self.rng.random_range(0..10) {
            0..7 => self
                .scope
                .choose(self.rng)
                .cloned()
                .unwrap_or_else(|| "1.0".into()),
            // Typed: a bare literal bound by a `let`, or a method's receiver, is a float
            // of no type yet (`let v = 0.5; v.ln()`), an error in any Rust.
            7..9 => format!(
                "{}_{}",
                LITERALS.choose(self.rng).unwrap_or(&"0.5"),
                if self.f32 { "f32" } else { "f64" }
            ),
            _ => if self.f32 { "K32" } else { "K" }.into(),
        }
    }

    /// An expression of `depth` levels of operators at most.
    fn expr(&mut self, depth: usize) -> String {
        if depth == 0 || self.rng.random_bool(0.2) {
            return self.leaf();
        }
        if self.rng.random_bool(0.55) {
            let mut a = self.expr(depth - 1);
            // `0.5.exp()` is a method on an ambiguous numeric type: an error in any Rust.
            if a.starts_with(|c: char| c.is_ascii_digit()) {
                a = self.scope[0].clone();
            }
            let a = if a.contains(' ') { format!("({a})") } else { a };
            fill(UNARY.choose(self.rng).unwrap_or(&"{a}"), &a, "")
        } else {
            let (a, b) = (self.expr(depth - 1), self.expr(depth - 1));
            let paren = |s: String| if s.contains(' ') { format!("({s})") } else { s };
            fill(
                BINARY.choose(self.rng).unwrap_or(&"{a} + {b}"),
                &paren(a),
                &paren(b),
            )
        }
    }

    /// A loop of `n` steps carrying `v`, its step reading `step`.
    fn carried(&mut self, v: &str, n: &str) -> String {
        let (init, step) = (self.expr(1), self.expr(1));
        format!(
            "let mut {v} = {init};\nfor _ in 0..{n} {{\n{v} = {v} * 0.5 + ({v} * {step}).sin();\n}}"
        )
    }

    fn branch(&mut self, depth: usize) -> String {
        let cmp = COMPARISONS.choose(self.rng).unwrap_or(&">");
        let (l, r) = (self.expr(1), self.expr(1));
        let (t, e) = (self.expr(depth), self.expr(depth));
        if self.rng.random_bool(0.3) {
            let (l2, m) = (self.leaf(), self.expr(depth));
            format!("if {l} {cmp} {r} {{ {t} }} else if {l2} < 0.0 {{ {m} }} else {{ {e} }}")
        } else {
            format!("if {l} {cmp} {r} {{ {t} }} else {{ {e} }}")
        }
    }
}

/// A scalar function named `name`.
pub fn scalar(rng: &mut StdRng, n: usize) -> Body {
    let f32 = rng.random_bool(0.2);
    let ty = if f32 { "f32" } else { "f64" };
    let arity = rng.random_range(1..=4);
    let mut params: Vec<String> = PARAMS.iter().map(|s| s.to_string()).collect();
    for i in (1..params.len()).rev() {
        params.swap(i, rng.random_range(0..=i));
    }
    params.truncate(arity);
    // An integer argument chooses a configuration: `match k`, loops of `k` steps.
    let k = rng.random_bool(0.25);
    let attr = match rng.random_range(0..10) {
        0..5 => String::new(),
        5..8 => {
            let wrt: Vec<&str> = params
                .iter()
                .filter(|_| rng.random_bool(0.6))
                .map(String::as_str)
                .collect();
            let wrt = if wrt.is_empty() {
                vec![params[0].as_str()]
            } else {
                wrt
            };
            format!("(wrt({}))", wrt.join(", "))
        }
        _ => "(assume_finite)".into(),
    };
    let mut g = Scalar {
        rng,
        scope: params.clone(),
        f32,
    };
    let mut body = String::new();
    for i in 1..=g.rng.random_range(0..=6) {
        let v = format!("v{i}");
        let mut also = None;
        let line = match g.rng.random_range(0..16) {
            0 => format!("let {v} = {};", g.branch(2)),
            1 => {
                let n = g.rng.random_range(0..4).to_string();
                g.carried(&v, &n)
            }
            // Two values carried, one a running sum (tests/carried_values.rs).
            2 => {
                let n = g.rng.random_range(1..4);
                let (init, step) = (g.expr(1), g.expr(1));
                also = Some(format!("{v}s"));
                format!(
                    "let mut {v} = {init};\nlet mut {v}s = 0.0;\nfor _ in 0..{n} {{\n{v} = {v} * 0.5 + ({v} * {step}).sin();\n{v}s += {v} * {v};\n}}"
                )
            }
            // Two values that swap each step.
            3 => {
                let (a, b) = (g.expr(1), g.expr(1));
                let step = g.expr(1);
                also = Some(format!("{v}b"));
                format!(
                    "let mut {v} = {a};\nlet mut {v}b = {b};\nfor _ in 0..3 {{\n({v}, {v}b) = ({v}b * 0.5, {v} + ({v}b * {step}).sin());\n}}"
                )
            }
            // Nested loops (tests/nested_loops.rs), the inner one `k` steps long.
            4 => {
                let (init, step) = (g.expr(1), g.expr(1));
                let inner = if k { "k" } else { "2" };
                format!(
                    "let mut {v} = {init};\nfor _ in 0..2 {{\nfor _ in 0..{inner} {{\n{v} = {v} * 0.5 + ({v} * {step}).sin();\n}}\n}}"
                )
            }
            5 if k => g.carried(&v, "k"),
            // A match on the configuration (tests/branches.rs), every arm a value.
            6 if k => {
                let (a, b, c) = (g.expr(2), g.expr(2), g.expr(2));
                format!("let {v} = match k {{\n0 => {a},\n1 | 2 => {b},\n_ => {c},\n}};")
            }
            _ => format!("let {v} = {};", g.expr(3)),
        };
        body.push_str(&line);
        body.push('\n');
        g.scope.push(v);
        g.scope.extend(also);
    }
    let tail = if g.rng.random_bool(0.15) {
        g.branch(2)
    } else {
        g.expr(3)
    };
    // Every parameter read, so none is unused (a warning, not a finding).
    let mut reads: Vec<String> = params.iter().map(|p| format!("{p} * 1e-3")).collect();
    let mut args: Vec<String> = params.iter().map(|p| format!("{p}: {ty}")).collect();
    if k {
        reads.push(format!("k as {ty} * 1e-3"));
        args.push("k: usize".into());
    }
    let src = format!(
        "#[differentiable{attr}]\nfn g{n}({}) -> {ty} {{\n{body}({tail}) + {}\n}}\n",
        args.join(", "),
        reads.join(" + ")
    );
    generated(format!("grammar scalar {n}"), SCALAR_CONTEXT, &src, false)
}

/// Shapes of tensor values: x is 5x3, p.w 3x4, p.v 4x2.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Hidden,
    Out,
    Scalar,
}

/// A tensor function of `p: &P, x, y` named `t{n}`. Its values are `u1, u2, ..`, and in
/// one body in four `t1, t2, ..`: the names of the macro's own temporaries (`tN`), which a
/// user's `t3` met (the first finding of the long run; README, "Fuzzing the macro"). In
/// every body they would hide the other findings behind that one.
pub fn tensor(rng: &mut StdRng, n: usize) -> Body {
    let prefix = if rng.random_bool(0.25) { "t" } else { "u" };
    let mut values: Vec<(String, Shape)> = Vec::new();
    let mut body = String::new();
    let pick = |rng: &mut StdRng, values: &[(String, Shape)], shape: Shape| -> Option<String> {
        let of: Vec<&String> = values
            .iter()
            .filter(|(_, s)| *s == shape)
            .map(|(v, _)| v)
            .collect();
        of.choose(rng).map(|v| (*v).clone())
    };
    for i in 1..=rng.random_range(2..=8) {
        let h = pick(rng, &values, Shape::Hidden);
        let o = pick(rng, &values, Shape::Out);
        let s = pick(rng, &values, Shape::Scalar);
        let hidden = h.clone().unwrap_or_else(|| "(x.dot(&p.w) + &p.b)".into());
        let (expr, shape) = match rng.random_range(0..19) {
            0 => ("x.dot(&p.w) + &p.b".to_string(), Shape::Hidden),
            1 => (format!("tanh({hidden})"), Shape::Hidden),
            2 => (format!("sigmoid({hidden})"), Shape::Hidden),
            3 => (format!("&{hidden} * &{hidden}"), Shape::Hidden),
            4 => (format!("&{hidden} * p.s"), Shape::Hidden),
            5 => (format!("{hidden}.dot(&p.v) + &p.c"), Shape::Out),
            6 => (
                format!("{hidden}.slice(s![.., 0..2]).to_owned()"),
                Shape::Out,
            ),
            7 => match &o {
                Some(o) => (format!("concatenate![Axis(1), {o}, {o}]"), Shape::Hidden),
                None => (format!("softplus({hidden})"), Shape::Hidden),
            },
            8 => (format!("mean({hidden})"), Shape::Scalar),
            9 => (format!("sum({hidden}) * 0.1"), Shape::Scalar),
            10 => (
                format!("{hidden}.sum_axis(Axis(0)).sum() * 0.1"),
                Shape::Scalar,
            ),
            11 => match &o {
                Some(o) => (format!("softmax_cross_entropy({o}, y)"), Shape::Scalar),
                None => (format!("mean({hidden} * {hidden})"), Shape::Scalar),
            },
            12 => (format!("{hidden}.mean_axis(Axis(0)).sum()"), Shape::Scalar),
            13 => (
                format!("&{hidden} / (&{hidden} * &{hidden} + 1.0)"),
                Shape::Hidden,
            ),
            14 => match &s {
                Some(s) => (format!("{hidden} * {s}"), Shape::Hidden),
                None => (format!("relu({hidden})"), Shape::Hidden),
            },
            15 => (
                format!("{hidden}.t().to_owned().t().to_owned()"),
                Shape::Hidden,
            ),
            // One output per row of x, pushed and stacked (tests/loop_outputs.rs).
            16 => {
                body.push_str(&format!(
                    "let mut outs{i} = Vec::new();\nfor xt in x.axis_iter(Axis(0)) {{\nouts{i}.push(tanh(xt.dot(&p.w) + &p.b));\n}}\n"
                ));
                (format!("stack(Axis(0), &outs{i})"), Shape::Hidden)
            }
            // A state carried over the rows, each step's pushed.
            17 => {
                body.push_str(&format!(
                    "let mut h{i} = p.b.to_owned();\nlet mut outs{i} = Vec::new();\nfor xt in x.axis_iter(Axis(0)) {{\nh{i} = tanh(xt.dot(&p.w) + &h{i} * p.s);\nouts{i}.push(h{i}.clone());\n}}\n"
                ));
                (format!("stack(Axis(0), &outs{i})"), Shape::Hidden)
            }
            // Nested loops carrying a hidden value.
            _ => {
                body.push_str(&format!(
                    "let mut n{i} = {hidden};\nfor _ in 0..2 {{\nfor _ in 0..2 {{\nn{i} = n{i}.dot(&p.w.t()).dot(&p.w) * 0.3 + &p.b;\n}}\n}}\n"
                ));
                (format!("n{i}"), Shape::Hidden)
            }
        };
        body.push_str(&format!("let {prefix}{i} = {expr};\n"));
        values.push((format!("{prefix}{i}"), shape));
    }
    let mut parts: Vec<String> = values
        .iter()
        .map(|(v, shape)| match shape {
            Shape::Scalar => v.clone(),
            _ => format!("mean(&{v} * &{v})"),
        })
        .collect();
    parts.push("mse(x.dot(&p.w).dot(&p.v), y) * 0.1".into());
    let src = format!(
        "#[differentiable(wrt(p))]\nfn t{n}(p: &P, x: &Array2<f64>, y: &Array2<f64>) -> f64 {{\n{body}{}\n}}\n",
        parts.join(" + ")
    );
    generated(format!("grammar tensor {n}"), TENSOR_CONTEXT, &src, true)
}

fn generated(origin: String, context: &str, src: &str, tensor_p: bool) -> Body {
    Body {
        origin,
        mutations: Vec::new(),
        unit: Arc::new(Unit {
            context: context.to_string(),
            callees: Vec::new(),
            tensor_p,
        }),
        item: lex(src),
        parent_twin: Twin::Unknown,
    }
}
