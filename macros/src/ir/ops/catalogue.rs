//! What users may write, listed from the op table: the lists in error messages and the
//! table in `#[differentiable]`'s documentation (`macros/doc/body.md`, checked against
//! this by a test, so neither is kept by hand).

use super::{Class, Op, Payload, Spec};

/// Methods that change ownership, not values: accepted, and no node in the graph.
pub const IDENTITY_METHODS: &[&str] = &["clone", "to_owned", "into_owned", "view"];

fn specs() -> impl Iterator<Item = &'static Spec> {
    Op::examples().map(|op| op.spec())
}

/// Whether an op can be written in a function of floats (not only of arrays).
pub fn works_on_floats(spec: &Spec) -> bool {
    matches!(spec.class, Class::Elementwise | Class::Loss)
}

fn method_text(spec: &Spec, name: &str) -> String {
    match spec.syntax.payload {
        Payload::Axis => format!("{name}(Axis(k))"),
        Payload::Exponent | Payload::None => name.to_string(),
    }
}

fn methods(floats: bool) -> Vec<String> {
    specs()
        .filter(|s| works_on_floats(s) == floats)
        .filter_map(|s| s.syntax.method.map(|m| method_text(s, m)))
        .collect()
}

fn functions(floats: bool) -> Vec<String> {
    specs()
        .filter(|s| works_on_floats(s) == floats)
        .filter_map(|s| s.syntax.function.map(str::to_string))
        .collect()
}

/// `exp, ln, …, and on arrays dot, t, …`: the methods a body may call.
pub fn methods_list() -> String {
    let (identity_floats, identity_arrays): (Vec<&str>, Vec<&str>) =
        IDENTITY_METHODS.iter().partition(|m| **m == "clone");
    let mut floats = methods(true);
    floats.extend(identity_floats.into_iter().map(str::to_string));
    let mut arrays = methods(false);
    arrays.extend(identity_arrays.into_iter().map(str::to_string));
    format!("{}, and on arrays {}", floats.join(", "), arrays.join(", "))
}

/// `sigmoid, tanh, …, and on arrays softmax, …`: the functions a body may call.
pub fn functions_list() -> String {
    format!(
        "{}, and on arrays {}",
        functions(true).join(", "),
        functions(false).join(", ")
    )
}

#[cfg(test)]
fn code_list(items: &[String]) -> String {
    format!("`{}`", items.join(" "))
}

/// The documentation table of what a body may contain.
#[cfg(test)]
fn body_table_markdown() -> String {
    let (float_methods, array_methods) = (methods(true), methods(false));
    let (float_functions, array_functions) = (functions(true), functions(false));
    format!(
        "<!-- Generated from the op table (macros/src/ops/table.rs) by the test \
`ops::catalogue::tests::the_documented_table_is_the_op_table`; do not edit by hand. -->\n\
| | scalar functions (`f32`/`f64` arguments) | tensor functions (ndarray arrays, `#[derive(Parameters)]` structs) |\n\
|---|---|---|\n\
| operators | `+ - * /`, unary `-`, parentheses, float literals, `const`s in scope | the same, with ndarray broadcasting; `&x` where Rust needs it |\n\
| methods | {} | elementwise methods as for floats; {} |\n\
| functions | {} | those, and {} |\n\
| fields | — | `p.w1`, `p.enc.w` (nested parameter structs) |\n\
| views | — | `x.slice(s![a..b, ..])` (steps, single indices), `x.row(i)`, `x.column(j)`, `x.index_axis(Axis(k), i)`, `x.select(Axis(k), ids)` |\n\
| joins | — | `concatenate![Axis(k), a, b]`, `stack![Axis(k), a, b]`, `concatenate(Axis(k), &[a.view(), b.view()])`, `stack(Axis(k), &[..])`; per-step values a loop pushed, `stack(Axis(k), &outs)` |\n\
| axes | — | `softmax(&x)` and `log_softmax(&x)` along the last axis, `softmax(&x, Axis(k))` along any; `max_axis(&x, Axis(k))`, `min_axis`, `logsumexp` |\n\
| loops | `for` over ranges, float arrays; any number of carried `let mut` values | the same, over stacks of layers and array axes; `outs.push(..)` onto a `Vec` declared before the loop; the index in integer operands (`t + 1`) |\n\
| integers | `n as f64` for an integer argument | the same; strides, paddings, windows, indices, `s![..]` and ids from integer arguments, sizes (`x.nrows()`, `x.len_of(Axis(k))`) and constants |\n\
| no-ops | `.clone()` | `.clone()`, `.to_owned()`, `.into_owned()`, `.view()` |\n",
        code_list(&float_methods),
        code_list(&array_methods),
        code_list(&float_functions),
        code_list(&array_functions),
    )
}

/// The runtime functions generated code calls by the names in the op table, as the
/// `use` lines of `tests/runtime_names.rs`: that file compiles only if each exists.
#[cfg(test)]
fn runtime_names_rs() -> String {
    use super::Emit;
    let mut names: Vec<String> = Vec::new();
    for spec in specs() {
        if let Emit::Scalar(n) = spec.emit {
            names.push(format!("scalar::{n}"));
            names.push(format!("lanes::{n}"));
        }
        if let (Emit::Method(n), true) = (spec.emit, spec.lanes) {
            names.push(format!("lanes::{n}"));
        }
        if let Some(n) = spec.fast {
            names.push(format!("t::fast::{n}"));
        }
        if let Some(n) = spec.tensor {
            names.push(format!("t::{n}"));
        }
    }
    names.sort();
    names.dedup();
    let uses: String = names
        .iter()
        .map(|n| format!("use cadena::__private::{n} as _;\n"))
        .collect();
    format!(
        "//! Generated from the op table (macros/src/ir/ops/table.rs) by the test\n\
//! `ir::ops::catalogue::tests::the_runtime_names_file_is_the_op_table`; do not edit by hand.\n\
//! Every runtime function generated code calls by a name from the table exists: this\n\
//! file compiles only if each of these {} paths resolves.\n\
#![allow(unused_imports)]\n\n{uses}\n\
#[test]\n\
fn every_runtime_name_the_op_table_emits_is_listed() {{\n    \
let uses = include_str!(\"runtime_names.rs\")\n        \
.lines()\n        \
.filter(|l| l.starts_with(\"use \"));\n    \
assert_eq!(uses.count(), {});\n\
}}\n",
        names.len(),
        names.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated beside the op table: `CADENA_BLESS=1` rewrites it after a table change.
    #[test]
    fn the_runtime_names_file_is_the_op_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/runtime_names.rs");
        let expected = runtime_names_rs();
        if std::env::var_os("CADENA_BLESS").is_some() {
            std::fs::write(path, &expected).expect("write tests/runtime_names.rs");
        }
        let actual = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            actual == expected,
            "tests/runtime_names.rs is out of date with the op table; run \
             `CADENA_BLESS=1 cargo test -p cadena-macros` and commit it"
        );
    }

    /// The documented table is generated: set `CADENA_BLESS=1` to rewrite it after
    /// changing the op table.
    #[test]
    fn the_documented_table_is_the_op_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/doc/body.md");
        let expected = body_table_markdown();
        if std::env::var_os("CADENA_BLESS").is_some() {
            std::fs::write(path, &expected).expect("write doc/body.md");
        }
        let actual = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            actual == expected,
            "macros/doc/body.md is out of date with the op table; run \
             `CADENA_BLESS=1 cargo test -p cadena-macros` and commit it"
        );
    }

    #[test]
    fn the_lists_name_every_op_users_can_write() {
        let (m, f) = (methods_list(), functions_list());
        for spec in specs() {
            if let Some(name) = spec.syntax.method {
                assert!(m.contains(name), "{name} missing from {m}");
            }
            if let Some(name) = spec.syntax.function {
                assert!(f.contains(name), "{name} missing from {f}");
            }
        }
    }
}
