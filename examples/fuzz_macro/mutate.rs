//! Mutations of a function, at the token level: token trees deleted, duplicated and
//! swapped; types changed; names made undefined or swapped for other operations (supported
//! or not); odd attributes on the function and its statements, and odd arguments to
//! `#[differentiable]`; deep expressions and long bodies; odd literals; statements Rust
//! allows and the macro may not (`loop`, `return`, closures, items in a body); operators
//! swapped; parameters and the function's header changed; statements taken from another
//! body. Every edit replaces whole token trees, so delimiters stay balanced.

use rand::rngs::StdRng;
use rand::{RngExt, seq::IndexedRandom};

use crate::body::{Body, body_range, signature_start};
use crate::tokens::{Kind, Token, closing, lex, tree_end};

const KEYWORDS: &[&str] = &[
    "let", "fn", "if", "else", "for", "in", "mut", "return", "as", "pub", "while", "loop", "match",
    "true", "false", "self", "Self", "crate", "super", "move", "ref", "where", "impl", "dyn",
    "const", "unsafe", "async", "await", "break", "continue", "struct", "use", "mod", "type",
];

/// Names a body may call or read: the body table's and Rust's, supported or not.
const VOCABULARY: &[&str] = &[
    "exp",
    "ln",
    "log",
    "log10",
    "log2",
    "sqrt",
    "cbrt",
    "sin",
    "cos",
    "tan",
    "tanh",
    "sinh",
    "cosh",
    "asin",
    "atan",
    "atan2",
    "abs",
    "signum",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fract",
    "powi",
    "powf",
    "max",
    "min",
    "clamp",
    "hypot",
    "mul_add",
    "recip",
    "exp_m1",
    "ln_1p",
    "to_degrees",
    "sigmoid",
    "relu",
    "softplus",
    "softsign",
    "bce",
    "mse",
    "maximum",
    "minimum",
    "dot",
    "t",
    "sum",
    "mean",
    "mean_axis",
    "sum_axis",
    "insert_axis",
    "softmax",
    "log_softmax",
    "softmax_cross_entropy",
    "cross_entropy",
    "max_axis",
    "min_axis",
    "logsumexp",
    "slice",
    "row",
    "column",
    "index_axis",
    "select",
    "to_owned",
    "clone",
    "view",
    "into_owned",
    "len",
    "nrows",
    "ncols",
    "iter",
    "map",
    "unwrap",
    "is_nan",
    "Axis",
    "s",
    "concatenate",
    "stack",
    "push",
    "Vec",
    "new",
    "axis_iter",
    "len_of",
    "f64",
    "f32",
    "Array2",
    "P",
    "x",
    "y",
    "p",
    "w",
    "b",
    "K",
    "grad",
    "Grad",
    "DERIVATION",
    "conv1d",
    "max_pool1d",
    "dropout",
    "println",
    "vec",
    "std",
    "core",
    "cadena",
    "__private",
];

const TYPES: &[&str] = &[
    "f64",
    "f32",
    "i32",
    "i64",
    "u8",
    "usize",
    "bool",
    "char",
    "String",
    "()",
    "&f64",
    "&mut f64",
    "[f64; 3]",
    "&[f64]",
    "&[f64; 2]",
    "Vec<f64>",
    "(f64, f64)",
    "Option<f64>",
    "Box<f64>",
    "Array1<f64>",
    "Array2<f64>",
    "Array2<f32>",
    "ArrayView2<f64>",
    "&Array2<f64>",
    "&P",
    "P",
    "Self",
    "_",
    "impl Fn(f64) -> f64",
    "&dyn Fn()",
    "T",
    "!",
    "&'static f64",
    "std::primitive::f64",
    "cadena::ndarray::Array2<f64>",
];

const ATTRIBUTES: &[&str] = &[
    "#[inline]",
    "#[inline(always)]",
    "#[must_use]",
    "#[allow(unused)]",
    "#[deny(warnings)]",
    "#[cfg(all())]",
    "#[cfg(any())]",
    "#[cfg_attr(all(), inline)]",
    "#[doc = \"d\"]",
    "#[track_caller]",
    "#[cold]",
    "#[differentiable]",
    "#[differentiable(wrt(x))]",
    "#[rustfmt::skip]",
    "#[deprecated]",
    "#[allow(clippy::all)]",
    "#[forbid(unused)]",
    "#[deny(unused_variables)]",
    "#[test]",
    "#[derive(Clone)]",
    "#[warn(unused)]",
    "#[cfg_attr(any(), differentiable)]",
    "#[allow(non_snake_case)]",
];

const STATEMENT_ATTRIBUTES: &[&str] = &[
    "#[allow(unused)]",
    "#[cfg(any())]",
    "#[cfg(all())]",
    "#[rustfmt::skip]",
    "#[differentiable]",
    "#[inline]",
    "#[deny(warnings)]",
    "#[doc = \"d\"]",
    "#[allow(unused_parens)]",
];

/// Arguments of `#[differentiable]`; `{p}` is a parameter's name.
const ATTRIBUTE_ARGUMENTS: &[&str] = &[
    "",
    "()",
    "(wrt())",
    "(wrt({p}))",
    "(wrt({p}, {p}))",
    "(wrt(undefined))",
    "(wrt(self))",
    "(assume_finite)",
    "(assume_finite, assume_finite)",
    "(export)",
    "(derivative(f))",
    "(derivative())",
    "(derivative({p}))",
    "(wrt = {p})",
    "(wrt[{p}])",
    "(42)",
    "(\"wrt\")",
    "(wrt({p}), wrt({p}))",
    "(wrt({p},))",
    "(,)",
    "(wrt({p}) assume_finite)",
    "(Wrt({p}))",
    "(wrt({p}), assume_finite, export)",
    "(wrt(::{p}))",
    "(wrt({p}.0))",
    "[wrt({p})]",
    "{wrt({p})}",
    "(wrt(r#{p}))",
    "(export, export)",
    "(derivative(std::f64::exp))",
    "(wrt({p}), derivative(f))",
    "(wrt({p}, assume_finite))",
    "(assume_finite = true)",
    "(wrt(p.w))",
    "(wrt(_))",
    "(wrt(1))",
    "(r#wrt({p}))",
    "(wrt({p}) (x))",
];

const LITERALS: &[&str] = &[
    "0.0",
    "-0.0",
    "1e308",
    "1e-320",
    "1e400",
    "0.1e1",
    "1_0.5_0",
    "1.",
    "1f32",
    "1f64",
    "2.5f32",
    "1",
    "0",
    "0x10",
    "1u8",
    "-1",
    "usize::MAX",
    "f64::NAN",
    "f64::INFINITY",
    "f64::NEG_INFINITY",
    "f64::EPSILON",
    "f64::MAX",
    "f64::MIN_POSITIVE",
    "std::f64::consts::PI",
    "true",
    "'c'",
    "\"s\"",
    "b'x'",
    "1e-0",
    "3_f64",
    "1E5",
    "999999999999999999999999999999",
    "0.000000000000000000000000000001",
    "1.0e+3",
    "-1e-300",
    "(1.0)",
    "{ 1.0 }",
    "K",
    "1i32",
    "2.0_f32",
    "1e38f32",
    "1e39f32",
];

/// Statements and expressions Rust allows in a body; `{v}` is a name in scope.
const INSERTS: &[&str] = &[
    "return {v};",
    "loop {}",
    "while true {}",
    "let _ = 1.0;",
    "let mut m = {v}; m += 1.0;",
    "unsafe {}",
    "let c = |u: f64| u * 2.0;",
    "let (q, r) = ({v}, 2.0);",
    "let [q] = [{v}];",
    "match 1 { _ => {} }",
    "println!(\"x\");",
    "assert!(true);",
    "let v = vec![{v}];",
    "let s = [{v}, 2.0];",
    "{ }",
    ";",
    "let _ = async {};",
    "break;",
    "continue;",
    "'l: for _ in 0..1 {}",
    "for i in 0..3 {}",
    "let r = &mut 1.0;",
    "let t = ({v},).0;",
    "const L: f64 = 1.0;",
    "fn inner() {}",
    "struct S;",
    "use std::f64::consts::PI;",
    "macro_rules! m { () => {} }",
    "let {v} = {v};",
    "drop({v});",
    "let v = {v} as i32;",
    "let v: f64;",
    "let v = if true { {v} } else { {v} };",
    "let v = { {v} };",
    "if {v} > 0.0 { return {v}; }",
    "let v = {v}.clone();",
    "let v = &{v};",
    "let v = *&{v};",
    "let _ = {v};",
    "let v = ({v}, {v});",
    "let v = {v}?;",
    "let v = {v}.max(1.0).min(2.0);",
    "let mut acc = {v}; for _ in 0..2 { acc = acc * 0.5; }",
    "let mut acc = {v}; for _ in 0..2 { acc = acc * 0.5; acc = acc + 1.0; }",
    "let mut a = {v}; let mut b = {v}; for _ in 0..2 { a = a + b; b = b * a; }",
    "let v = {v} as f64 as f32;",
    "let v = -{v};",
    "let v = !{v};",
    "let v = {v}.into();",
    "let v = f64::from({v});",
    "let v = Some({v}).unwrap();",
    "let v = [{v}; 3][0];",
    "let v = {v} % 2.0;",
    "let v = {v}.exp().ln().exp().ln();",
    "let v = {v} == {v};",
    "let v = x.len() as f64;",
    "let v = unreachable!();",
    "let v = todo!();",
    "let v = f(x);",
    "let v = self.w;",
    "let v = p.w.t().dot(&p.w);",
    "let mut outs = Vec::new(); for _ in 0..2 { outs.push({v}); }",
    "let mut outs = Vec::new(); outs.push({v}); let v = stack(Axis(0), &outs);",
    "let mut acc = {v}; for _ in 0..2 { for _ in 0..2 { acc = acc * 0.5; } }",
    "let mut acc = {v}; for i in 0..2 { for j in 0..i { acc = acc * 0.5 + j as f64; } }",
    "let mut acc = 0.0; for _ in 0..3 { acc += {v}; }",
    "let (mut a, mut b) = ({v}, 1.0); for _ in 0..3 { (a, b) = (b, a * 0.5); }",
    "let v = match 1 { 0 => {v}, _ => -{v} };",
    "let v = match {v} { _ => {v} };",
    "let v = match {v} > 0.0 { true => {v}, false => 0.0 };",
];

const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "%", "<", ">", "<=", ">=", "==", "!=", "&&", "||", "&", "|", "^", "<<",
    ">>", "+=", "=", "..", "..=",
];

const PARAMETERS: &[&str] = &[
    "extra: f64",
    "n: usize",
    "v: &[f64; 3]",
    "q: &P",
    "flag: bool",
    "k: i32",
    "t: f32",
    "mut m: f64",
    "_: f64",
    "(u, w2): (f64, f64)",
    "self",
    "&self",
    "&mut self",
    "r: &mut f64",
    "a: impl Float",
    "h: Array2<f64>",
    "xs: &[f64]",
];

const HEADERS: &[&str] = &[
    "pub ",
    "pub(crate) ",
    "const ",
    "async ",
    "unsafe ",
    "extern \"C\" ",
    "pub(super) ",
];

const GENERICS: &[&str] = &[
    "<T>",
    "<T: Float>",
    "<const N: usize>",
    "<'a>",
    "<T: Float, U>",
    "<F: Fn(f64) -> f64>",
];

const RETURNS: &[&str] = &[
    "(f64, f64)",
    "()",
    "[f64; 2]",
    "impl Float",
    "Result<f64, ()>",
    "Self",
    "!",
    "f32",
    "f64",
    "Array2<f64>",
    "(f64,)",
    "usize",
    "&f64",
    "Option<f64>",
];

const NAMES: &[&str] = &[
    "grad",
    "r#fn",
    "main",
    "Grad",
    "f_needs_differentiable_attribute",
    "cadena",
    "differentiable",
    "exp",
    "tanh",
    "sigmoid",
    "x",
    "P",
    "DERIVATION",
    "hvp",
    "__private",
    "s",
];

fn toks(s: &str) -> Vec<Token> {
    lex(s)
}

fn text(tokens: &[Token]) -> String {
    let t: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let s = t.join(" ");
    if s.len() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// A random token position in `[start, end)` that opens a tree (not a closing delimiter).
fn tree_at(rng: &mut StdRng, item: &[Token], start: usize, end: usize) -> Option<(usize, usize)> {
    let starts: Vec<usize> = (start..end)
        .filter(|&i| item[i].kind != Kind::Close)
        .collect();
    let &i = starts.choose(rng)?;
    Some((i, tree_end(item, i)))
}

/// Positions where a statement may start in the body: its start and after each `;` at
/// the body's own level.
fn statement_starts(item: &[Token], start: usize, end: usize) -> Vec<usize> {
    let mut out = vec![start];
    let mut i = start;
    while i < end {
        if item[i].is(";") {
            out.push(i + 1);
        }
        i = tree_end(item, i);
    }
    out
}

/// The parameters' names.
fn parameter_names(item: &[Token]) -> Vec<String> {
    let Some(f) = signature_start(item) else {
        return Vec::new();
    };
    let Some(open) = (f..item.len()).find(|&i| item[i].is("(")) else {
        return Vec::new();
    };
    let close = closing(item, open);
    let mut names = Vec::new();
    let mut depth = 0;
    for i in open + 1..close {
        match item[i].kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            _ => {}
        }
        if depth == 0 && item[i].kind == Kind::Ident && item.get(i + 1).is_some_and(|t| t.is(":")) {
            names.push(item[i].text.clone());
        }
    }
    names
}

/// The range of the last expression of the body (after its last `;`), if any.
fn tail(item: &[Token], start: usize, end: usize) -> Option<(usize, usize)> {
    let s = *statement_starts(item, start, end).last()?;
    (s < end).then_some((s, end))
}

/// One mutation; `None` where it does not apply to this item.
fn mutate_once(rng: &mut StdRng, item: &mut Vec<Token>, donor: &[Token]) -> Option<String> {
    let (bs, be) = body_range(item)?;
    let names = parameter_names(item);
    let name = names.choose(rng).cloned().unwrap_or_else(|| "x".into());
    let fill = |s: &str| s.replace("{v}", &name).replace("{p}", &name);
    let f = signature_start(item)?;
    match rng.random_range(0..100) {
        // Token trees deleted, duplicated, swapped.
        0..12 => {
            let (i, j) = tree_at(rng, item, bs, be)?;
            let gone: Vec<Token> = item.drain(i..j).collect();
            Some(format!("delete `{}`", text(&gone)))
        }
        12..18 => {
            let (i, j) = tree_at(rng, item, bs, be)?;
            let copy: Vec<Token> = item[i..j].to_vec();
            item.splice(j..j, copy.clone());
            Some(format!("duplicate `{}`", text(&copy)))
        }
        18..24 => {
            let (i, j) = tree_at(rng, item, bs, be)?;
            if j >= be || item[j].kind == Kind::Close {
                return None;
            }
            let k = tree_end(item, j);
            let (a, b) = (item[i..j].to_vec(), item[j..k].to_vec());
            item.splice(i..k, b.iter().chain(&a).cloned());
            Some(format!("swap `{}` and `{}`", text(&a), text(&b)))
        }
        // Types.
        24..32 => {
            let ty = *TYPES.choose(rng)?;
            if rng.random_bool(0.5) {
                let types: Vec<usize> = (f..bs)
                    .filter(|&i| {
                        item[i].kind == Kind::Ident
                            && i > 0
                            && matches!(item[i - 1].text.as_str(), ":" | "->" | "&" | "<")
                    })
                    .collect();
                let &i = types.choose(rng)?;
                let old = item[i].text.clone();
                item.splice(i..i + 1, toks(ty));
                Some(format!("type `{old}` to `{ty}`"))
            } else {
                let lets: Vec<usize> = (bs..be)
                    .filter(|&i| item[i].is("let") && item.get(i + 2).is_some_and(|t| t.is("=")))
                    .collect();
                let &i = lets.choose(rng)?;
                item.splice(i + 2..i + 2, toks(&format!(": {ty}")));
                Some(format!("annotate a let with `{ty}`"))
            }
        }
        // Names.
        32..40 => {
            let idents: Vec<usize> = (bs..be)
                .filter(|&i| {
                    item[i].kind == Kind::Ident && !KEYWORDS.contains(&item[i].text.as_str())
                })
                .collect();
            let &i = idents.choose(rng)?;
            let old = item[i].text.clone();
            let new = match rng.random_range(0..3) {
                0 => format!("undefined_{old}"),
                1 => names.choose(rng).cloned().unwrap_or_else(|| "x".into()),
                _ => (*VOCABULARY.choose(rng)?).to_string(),
            };
            item[i] = Token::ident(&new);
            Some(format!("name `{old}` to `{new}`"))
        }
        // Attributes.
        40..48 => match rng.random_range(0..3) {
            0 => {
                let a = *ATTRIBUTES.choose(rng)?;
                let at = crate::tokens::attributes(item);
                let positions: Vec<usize> = std::iter::once(0)
                    .chain(at.iter().map(|&(_, e)| e))
                    .collect();
                let &p = positions.choose(rng)?;
                item.splice(p..p, toks(a));
                Some(format!("attribute `{a}` on the function"))
            }
            1 => {
                let a = *STATEMENT_ATTRIBUTES.choose(rng)?;
                let &p = statement_starts(item, bs, be).choose(rng)?;
                item.splice(p..p, toks(a));
                Some(format!("attribute `{a}` on a statement"))
            }
            _ => {
                let (s, e) = crate::expander::differentiable_attribute(item)?;
                let args = fill(ATTRIBUTE_ARGUMENTS.choose(rng)?);
                item.splice(s + 3..e - 1, toks(&args));
                Some(format!("arguments `#[differentiable{args}]`"))
            }
        },
        // Deep expressions.
        48..53 => {
            let (s, e) = tail(item, bs, be)?;
            let inner = item[s..e].to_vec();
            let k = *[10usize, 40, 150, 400].choose(rng)?;
            let e_text = crate::tokens::render(&inner).trim().to_string();
            let (wrapped, what) = match rng.random_range(0..6) {
                0 => (
                    format!("{}{e_text}{}", "(".repeat(k), ")".repeat(k)),
                    "parentheses",
                ),
                1 => (format!("{}({e_text})", "- ".repeat(k)), "negations"),
                2 => (format!("({e_text}){}", ".tanh()".repeat(k)), "method calls"),
                3 => (
                    format!("{}{e_text}{}", "tanh(".repeat(k), ")".repeat(k)),
                    "function calls",
                ),
                4 => (vec![format!("({e_text})"); k].join(" + "), "terms"),
                _ => {
                    let mut s = format!("({e_text})");
                    for _ in 0..k {
                        s = format!("if {name} > 0.0 {{ {s} }} else {{ 0.5 }}");
                    }
                    (s, "nested ifs")
                }
            };
            item.splice(s..e, toks(&wrapped));
            Some(format!("deep: {k} {what}"))
        }
        // Long bodies.
        53..57 => {
            let (s, e) = tail(item, bs, be)?;
            let k = *[50usize, 200, 600].choose(rng)?;
            let seed = if item.iter().any(|t| t.is("P")) {
                "p.s".to_string()
            } else {
                name.clone()
            };
            let mut lets = format!("let fz0 = {seed};\n");
            for i in 1..=k {
                lets.push_str(&format!("let fz{i} = fz{} * 0.5 + {seed};\n", i - 1));
            }
            let old = crate::tokens::render(&item[s..e]).trim().to_string();
            item.splice(s..e, toks(&format!("{lets}({old}) + fz{k} * 1e-3")));
            Some(format!("long: {k} lets"))
        }
        // Literals.
        57..64 => {
            let lits: Vec<usize> = (bs..be)
                .filter(|&i| item[i].kind == Kind::Literal)
                .collect();
            let &i = lits.choose(rng)?;
            let new = *LITERALS.choose(rng)?;
            let old = item[i].text.clone();
            item.splice(i..i + 1, toks(new));
            Some(format!("literal `{old}` to `{new}`"))
        }
        // Statements.
        64..72 => {
            let ins = fill(INSERTS.choose(rng)?);
            let &p = statement_starts(item, bs, be).choose(rng)?;
            item.splice(p..p, toks(&ins));
            Some(format!("insert `{ins}`"))
        }
        // Another body's statements and expressions.
        72..79 => {
            let (ds, de) = body_range(donor)?;
            if rng.random_bool(0.5) {
                let starts = statement_starts(donor, ds, de);
                let k = rng.random_range(0..starts.len());
                let end = starts.get(k + 1).copied().unwrap_or(de);
                let stmt = donor[starts[k]..end].to_vec();
                let &p = statement_starts(item, bs, be).choose(rng)?;
                item.splice(p..p, stmt.iter().cloned());
                Some(format!("insert a donor's `{}`", text(&stmt)))
            } else {
                let (i, j) = tree_at(rng, item, bs, be)?;
                let (di, dj) = tree_at(rng, donor, ds, de)?;
                let new = donor[di..dj].to_vec();
                let old: Vec<Token> = item.splice(i..j, new.iter().cloned()).collect();
                Some(format!(
                    "replace `{}` by a donor's `{}`",
                    text(&old),
                    text(&new)
                ))
            }
        }
        // Operators.
        79..86 => {
            let ops: Vec<usize> = (bs..be)
                .filter(|&i| {
                    item[i].kind == Kind::Punct && OPERATORS.contains(&item[i].text.as_str())
                })
                .collect();
            let &i = ops.choose(rng)?;
            let new = *OPERATORS.choose(rng)?;
            let old = std::mem::replace(&mut item[i], Token::punct(new));
            Some(format!("operator `{}` to `{new}`", old.text))
        }
        // Parameters.
        86..93 => {
            let open = (f..bs).find(|&i| item[i].is("("))?;
            let close = closing(item, open);
            match rng.random_range(0..4) {
                0 => {
                    let p = *PARAMETERS.choose(rng)?;
                    let at = if rng.random_bool(0.5) {
                        open + 1
                    } else {
                        close
                    };
                    let new = if at == open + 1 {
                        format!("{p},")
                    } else {
                        format!(", {p}")
                    };
                    item.splice(at..at, toks(&new));
                    Some(format!("parameter `{p}` added"))
                }
                1 => {
                    // Remove the parameter whose name is `name`, with its comma.
                    let i =
                        (open + 1..close).find(|&i| item[i].is(&name) && item[i + 1].is(":"))?;
                    let mut j = i;
                    while j < close && !item[j].is(",") {
                        j = tree_end(item, j);
                    }
                    let j = if j < close { j + 1 } else { j };
                    item.drain(i..j);
                    Some(format!("parameter `{name}` removed"))
                }
                2 => {
                    let i =
                        (open + 1..close).find(|&i| item[i].is(&name) && item[i + 1].is(":"))?;
                    item.insert(i, Token::ident("mut"));
                    Some(format!("parameter `{name}` made mut"))
                }
                _ => {
                    let i =
                        (open + 1..close).find(|&i| item[i].is(&name) && item[i + 1].is(":"))?;
                    let mut j = i;
                    while j < close && !item[j].is(",") {
                        j = tree_end(item, j);
                    }
                    let copy = item[i..j].to_vec();
                    item.splice(close..close, toks(", ").into_iter().chain(copy));
                    Some(format!("parameter `{name}` twice"))
                }
            }
        }
        // The header.
        _ => match rng.random_range(0..4) {
            0 => {
                let h = *HEADERS.choose(rng)?;
                item.splice(f..f, toks(h));
                Some(format!("header `{}`", h.trim()))
            }
            1 => {
                let g = *GENERICS.choose(rng)?;
                item.splice(f + 2..f + 2, toks(g));
                Some(format!("generics `{g}`"))
            }
            2 => {
                let arrow = (f..bs).find(|&i| item[i].is("->"))?;
                let new = *RETURNS.choose(rng)?;
                if rng.random_bool(0.2) {
                    item.drain(arrow..bs - 1);
                    Some("return type removed".into())
                } else {
                    item.splice(arrow + 1..bs - 1, toks(new));
                    Some(format!("return type `{new}`"))
                }
            }
            _ => {
                let new = *NAMES.choose(rng)?;
                let old = std::mem::replace(&mut item[f + 1], Token::ident(new));
                Some(format!("function `{}` renamed `{new}`", old.text))
            }
        },
    }
}

/// A mutant of `parent` with one to five mutations, `donor` lending statements.
pub fn mutate(rng: &mut StdRng, parent: &Body, donor: &Body) -> Body {
    let count = match rng.random_range(0..20) {
        0..12 => 1,
        12..17 => 2,
        _ => rng.random_range(3..=5),
    };
    let mut item = parent.item.clone();
    let mut mutations = Vec::new();
    let mut tries = 0;
    while mutations.len() < count && tries < 20 {
        tries += 1;
        let mut next = item.clone();
        if let Some(what) = mutate_once(rng, &mut next, &donor.item) {
            item = next;
            mutations.push(what);
        }
    }
    Body {
        origin: parent.origin.clone(),
        mutations,
        unit: parent.unit.clone(),
        item,
        parent_twin: parent.parent_twin.clone(),
    }
}
