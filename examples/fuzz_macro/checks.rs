//! Which compiled functions the check binary can call, and the code that calls them: a
//! scalar function of `f32` or `f64` arguments, or a tensor function `(p: &P, x, y) -> f64`
//! of the parameter struct of tests/tensor_programs.rs. `fuzz_check` is appended to the
//! function's module and `fuzz_plain` to its twin's; `fz.rs` does the comparing.

use crate::body::{Body, signature_start};
use crate::expander::differentiable_attribute;
use crate::tokens::{Kind, Token, closing};

pub enum Checkable {
    Scalar {
        name: String,
        ty: String,
        arity: usize,
        /// `Grad`'s fields, with the argument each differentiates.
        fields: Vec<(String, usize)>,
    },
    Tensor {
        name: String,
    },
}

/// How `body` can be checked at run time, if it can.
pub fn checkable(body: &Body) -> Option<Checkable> {
    let item = &body.item;
    let (s, e) = differentiable_attribute(item)?;
    let f = signature_start(item)?;
    // Only `pub` visibility before `fn`, no other attribute but the one.
    let vis: Vec<&str> = item[e..f].iter().map(|t| t.text.as_str()).collect();
    if s != 0
        || crate::tokens::attributes(item).len() != 1
        || !matches!(vis.as_slice(), [] | ["pub"] | ["pub", "(", "crate", ")"])
    {
        return None;
    }
    let name = item
        .get(f + 1)
        .filter(|t| t.kind == Kind::Ident)?
        .text
        .clone();
    let open = f + 2;
    if !item.get(open)?.is("(") {
        return None;
    }
    let close = closing(item, open);
    let params = split_commas(&item[open + 1..close]);
    let ret: Vec<&str> = item
        .get(close + 1..)?
        .iter()
        .take_while(|t| !t.is("{"))
        .map(|t| t.text.as_str())
        .collect();
    let wrt = wrt(&item[s + 3..e - 1])?;
    let texts: Vec<String> = params
        .iter()
        .map(|p| {
            p.iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    if body.unit.tensor_p
        && texts == ["p : & P", "x : & Array2 < f64 >", "y : & Array2 < f64 >"]
        && ret == ["->", "f64"]
    {
        return wrt
            .as_ref()
            .is_none_or(|w| w == &["p"])
            .then_some(Checkable::Tensor { name });
    }
    let ty = ret
        .get(1)
        .filter(|t| ret.len() == 2 && matches!(**t, "f32" | "f64"))?
        .to_string();
    let mut names = Vec::new();
    for p in &params {
        match p.as_slice() {
            [n, colon, t]
                if n.kind == Kind::Ident
                    && colon.is(":")
                    && t.is(&ty)
                    && !names.contains(&n.text) =>
            {
                names.push(n.text.clone())
            }
            _ => return None,
        }
    }
    let fields = match wrt {
        None => names
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, n)| (n, i))
            .collect(),
        Some(w) => w
            .into_iter()
            .map(|n| names.iter().position(|m| *m == n).map(|i| (n, i)))
            .collect::<Option<Vec<_>>>()?,
    };
    (!names.is_empty()).then_some(Checkable::Scalar {
        name,
        ty,
        arity: names.len(),
        fields,
    })
}

/// The parts of a parameter list between top-level commas.
fn split_commas(tokens: &[Token]) -> Vec<Vec<Token>> {
    let mut out = vec![Vec::new()];
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].is(",") {
            out.push(Vec::new());
            i += 1;
            continue;
        }
        let end = crate::tokens::tree_end(tokens, i);
        out.last_mut()
            .unwrap_or(&mut Vec::new())
            .extend_from_slice(&tokens[i..end]);
        i = end;
    }
    out.retain(|p| !p.is_empty());
    out
}

/// The attribute's arguments as `Some(wrt)` when they hold only `wrt(..)` (distinct
/// names), `assume_finite` and `export`; `None` for anything else.
fn wrt(args: &[Token]) -> Option<Option<Vec<String>>> {
    let inner = match args.first() {
        Some(t) if t.is("(") => &args[1..args.len() - 1],
        Some(_) => return None,
        None => args,
    };
    let mut wrt = None;
    for part in split_commas(inner) {
        match part.as_slice() {
            [k] if k.is("assume_finite") || k.is("export") => {}
            [k, rest @ ..]
                if k.is("wrt") && wrt.is_none() && rest.first().is_some_and(|t| t.is("(")) =>
            {
                let names: Vec<String> = split_commas(&rest[1..rest.len() - 1])
                    .into_iter()
                    .map(|n| match n.as_slice() {
                        [t] if t.kind == Kind::Ident => Some(t.text.clone()),
                        _ => None,
                    })
                    .collect::<Option<_>>()?;
                let mut unique = names.clone();
                unique.sort();
                unique.dedup();
                if names.is_empty() || unique.len() != names.len() {
                    return None;
                }
                wrt = Some(names);
            }
            _ => return None,
        }
    }
    Some(wrt)
}

/// `fuzz_check`, for the function's module; `twin` names the twin's module when it
/// compiled.
pub fn check_code(c: &Checkable, twin: Option<&str>) -> String {
    match c {
        Checkable::Scalar {
            name,
            ty,
            arity,
            fields,
        } => {
            let args: Vec<String> = (0..*arity).map(|i| format!("v[{i}] as {ty}")).collect();
            let args = args.join(", ");
            let plain = twin.map_or("None".into(), |t| {
                format!("Some(&|v: &[f64]| crate::{t}::fuzz_plain({args}) as f64)")
            });
            let grads: Vec<String> = fields
                .iter()
                .map(|(f, _)| format!("g.{f} as f64"))
                .collect();
            let wrt: Vec<String> = fields.iter().map(|(_, i)| i.to_string()).collect();
            format!(
                "\npub(crate) fn fuzz_check() -> crate::fz::Outcome {{\n    crate::fz::scalar(crate::fz::Scalar {{\n        arity: {arity},\n        f32: {},\n        wrt: &[{}],\n        f: &|v: &[f64]| {name}({args}) as f64,\n        plain: {plain},\n        grad: &|v: &[f64]| {{\n            let (value, g) = {name}::grad({args});\n            (value as f64, vec![{}])\n        }},\n    }})\n}}\n",
                ty == "f32",
                wrt.join(", "),
                grads.join(", ")
            )
        }
        Checkable::Tensor { name } => {
            let plain = twin.map_or("None".into(), |t| {
                format!("Some(&|q: &P| crate::{t}::fuzz_plain(q, &x, &y))")
            });
            format!(
                "\npub(crate) fn fuzz_check() -> crate::fz::Outcome {{\n    use crate::fz::smooth;\n    let p = P {{\n        w: smooth(3, 4, 0.1) * 0.7,\n        b: smooth(1, 4, 0.7).row(0).to_owned() * 0.3,\n        v: smooth(4, 2, 1.3) * 0.7,\n        c: smooth(1, 2, 2.1).row(0).to_owned() * 0.3,\n        s: 0.9,\n    }};\n    let (x, y) = crate::fz::data();\n    crate::fz::params(&p, &|q: &P| {name}(q, &x, &y), {plain}, &|q: &P| {{\n        let (value, g) = {name}::grad(q, &x, &y);\n        (value, g.p)\n    }})\n}}\n"
            )
        }
    }
}

/// `fuzz_plain`, for the twin's module; `module` is the function's own module, whose `P`
/// the check builds.
pub fn plain_code(c: &Checkable, module: &str) -> String {
    match c {
        Checkable::Scalar {
            name, ty, arity, ..
        } => {
            let params: Vec<String> = (0..*arity).map(|i| format!("v{i}: {ty}")).collect();
            let args: Vec<String> = (0..*arity).map(|i| format!("v{i}")).collect();
            format!(
                "\npub(crate) fn fuzz_plain({}) -> {ty} {{\n    {name}({})\n}}\n",
                params.join(", "),
                args.join(", ")
            )
        }
        Checkable::Tensor { name } => format!(
            "\npub(crate) fn fuzz_plain(q: &crate::{module}::P, x: &cadena::ndarray::Array2<f64>, y: &cadena::ndarray::Array2<f64>) -> f64 {{\n    let q = P {{ w: q.w.clone(), b: q.b.clone(), v: q.v.clone(), c: q.c.clone(), s: q.s }};\n    {name}(&q, x, y)\n}}\n"
        ),
    }
}
