//! Which compiled functions the check binary can call, and the code that calls them: a
//! scalar function of `f32` or `f64` arguments, float arrays written out (`&[f64; 4]`, as
//! in tests/carried_values.rs and tests/scalar_arrays.rs) and configuration arguments
//! (integers, set to 2, and `bool`s, set to `true`), or a tensor function
//! `(p: &P, x, y) -> f64` of the parameter struct of tests/tensor_programs.rs.
//! `fuzz_check` is appended to the function's module and `fuzz_plain` to its twin's;
//! `fz.rs` does the comparing.

use crate::body::{Body, signature_start};
use crate::expander::differentiable_attribute;
use crate::tokens::{Kind, Token, closing};

pub enum Checkable {
    Scalar {
        name: String,
        ty: String,
        /// How many floats the arguments take in all (an array of N takes N).
        arity: usize,
        /// Each argument as the check writes it from the floats `v`.
        args: Vec<String>,
        /// `Grad`'s fields (`g.x`, `g.c[2]`), with the float each differentiates.
        fields: Vec<(String, usize)>,
        /// The body composes a loss the macro fuses into a closed form (`bce(sigmoid(z),
        /// y)`), more accurate than the plain twin's composition where the sigmoid
        /// saturates: a value differing from the twin's is then not called wrong.
        fused_loss: bool,
    },
    Tensor {
        name: String,
    },
}

/// Arrays longer than this are not written out in a check.
const LONGEST_ARRAY: usize = 16;

/// An argument of a scalar function the check binary can pass.
enum Argument {
    /// One float, read from `v[at]`.
    Float(usize),
    /// `&[ty; n]` (borrowed when the flag is set) or `[ty; n]`, read from `v[at..at + n]`.
    Array(usize, usize, bool),
    /// An integer or a `bool`, fixed: it chooses a configuration, not a point.
    Fixed(&'static str),
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
    let mut names: Vec<(String, Argument)> = Vec::new();
    let mut arity = 0;
    for p in &params {
        let [n, colon, t @ ..] = p.as_slice() else {
            return None;
        };
        if n.kind != Kind::Ident || !colon.is(":") || names.iter().any(|(m, _)| *m == n.text) {
            return None;
        }
        let t: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        let borrowed = t.first() == Some(&"&");
        let argument = match t.as_slice() {
            [t] if *t == ty => {
                arity += 1;
                Argument::Float(arity - 1)
            }
            ["&", "[", t, ";", len, "]"] | ["[", t, ";", len, "]"] if *t == ty => {
                let len: usize = len.parse().ok().filter(|&l| l <= LONGEST_ARRAY)?;
                arity += len;
                Argument::Array(arity - len, len, borrowed)
            }
            ["usize" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "isize"] => {
                Argument::Fixed("2")
            }
            ["bool"] => Argument::Fixed("true"),
            _ => return None,
        };
        names.push((n.text.clone(), argument));
    }
    let differentiated: Vec<&(String, Argument)> = match &wrt {
        None => names
            .iter()
            .filter(|(_, a)| !matches!(a, Argument::Fixed(_)))
            .collect(),
        Some(w) => w
            .iter()
            .map(|n| names.iter().find(|(m, _)| m == n))
            .collect::<Option<_>>()?,
    };
    let mut fields = Vec::new();
    for (n, a) in differentiated {
        match *a {
            Argument::Float(at) => fields.push((format!("g.{n}"), at)),
            Argument::Array(at, len, _) => {
                fields.extend((0..len).map(|k| (format!("g.{n}[{k}]"), at + k)))
            }
            Argument::Fixed(_) => return None,
        }
    }
    let args = names
        .iter()
        .map(|(_, a)| match *a {
            Argument::Float(at) => format!("v[{at}] as {ty}"),
            Argument::Array(at, len, borrowed) => {
                let elements: Vec<String> =
                    (at..at + len).map(|i| format!("v[{i}] as {ty}")).collect();
                let amp = if borrowed { "&" } else { "" };
                format!("{amp}[{}]", elements.join(", "))
            }
            Argument::Fixed(value) => value.to_string(),
        })
        .collect();
    let text: String = item.iter().map(|t| t.text.as_str()).collect();
    let fused_loss = ["bce(sigmoid(", "cross_entropy(softmax("]
        .iter()
        .any(|pattern| text.contains(pattern));
    (arity > 0 && !fields.is_empty()).then_some(Checkable::Scalar {
        name,
        ty,
        arity,
        args,
        fields,
        fused_loss,
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
/// compiled. The function is called by `self::` path: an argument or a local of the
/// check may have its name (`fn x(p: &P, x: &Array2<f64>, ..)`, a fuzzer false finding).
pub fn check_code(c: &Checkable, twin: Option<&str>) -> String {
    match c {
        Checkable::Scalar {
            name,
            ty,
            arity,
            args,
            fields,
            fused_loss,
        } => {
            let args = args.join(", ");
            let plain = twin.map_or("None".into(), |t| {
                format!("Some(&|v: &[f64]| crate::{t}::fuzz_plain(v) as f64)")
            });
            let grads: Vec<String> = fields.iter().map(|(f, _)| format!("{f} as f64")).collect();
            let wrt: Vec<String> = fields.iter().map(|(_, i)| i.to_string()).collect();
            format!(
                "\npub(crate) fn fuzz_check() -> crate::fz::Outcome {{\n    crate::fz::scalar(crate::fz::Scalar {{\n        arity: {arity},\n        f32: {},\n        fused_loss: {fused_loss},\n        wrt: &[{}],\n        f: &|v: &[f64]| self::{name}({args}) as f64,\n        plain: {plain},\n        grad: &|v: &[f64]| {{\n            let (value, g) = self::{name}::grad({args});\n            (value as f64, vec![{}])\n        }},\n    }})\n}}\n",
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
                "\npub(crate) fn fuzz_check() -> crate::fz::Outcome {{\n    use crate::fz::smooth;\n    let p = P {{\n        w: smooth(3, 4, 0.1) * 0.7,\n        b: smooth(1, 4, 0.7).row(0).to_owned() * 0.3,\n        v: smooth(4, 2, 1.3) * 0.7,\n        c: smooth(1, 2, 2.1).row(0).to_owned() * 0.3,\n        s: 0.9,\n    }};\n    let (x, y) = crate::fz::data();\n    crate::fz::params(&p, &|q: &P| self::{name}(q, &x, &y), {plain}, &|q: &P| {{\n        let (value, g) = self::{name}::grad(q, &x, &y);\n        (value, g.p)\n    }})\n}}\n"
            )
        }
    }
}

/// `fuzz_plain`, for the twin's module; `module` is the function's own module, whose `P`
/// the check builds.
pub fn plain_code(c: &Checkable, module: &str) -> String {
    match c {
        Checkable::Scalar { name, ty, args, .. } => format!(
            "\npub(crate) fn fuzz_plain(v: &[f64]) -> {ty} {{\n    self::{name}({})\n}}\n",
            args.join(", ")
        ),
        Checkable::Tensor { name } => format!(
            "\npub(crate) fn fuzz_plain(q: &crate::{module}::P, x: &cadena::ndarray::Array2<f64>, y: &cadena::ndarray::Array2<f64>) -> f64 {{\n    let q = P {{ w: q.w.clone(), b: q.b.clone(), v: q.v.clone(), c: q.c.clone(), s: q.s }};\n    self::{name}(&q, x, y)\n}}\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Checkable, checkable};
    use crate::body::{Body, Twin, Unit};
    use crate::tokens::lex;

    fn body(src: &str) -> Body {
        Body {
            origin: "test".into(),
            mutations: Vec::new(),
            unit: Arc::new(Unit {
                context: String::new(),
                callees: Vec::new(),
                tensor_p: false,
            }),
            item: lex(src),
            parent_twin: Twin::Unknown,
        }
    }

    #[test]
    fn arrays_are_written_out_and_configurations_fixed() {
        let b = body(
            "#[differentiable(wrt(c, x))] fn f(c: &[f64; 3], k: usize, x: f64, on: bool) -> f64 { x }",
        );
        let Some(Checkable::Scalar {
            arity,
            args,
            fields,
            ..
        }) = checkable(&b)
        else {
            panic!("not checkable");
        };
        assert_eq!(arity, 4);
        assert_eq!(
            args,
            [
                "&[v[0] as f64, v[1] as f64, v[2] as f64]",
                "2",
                "v[3] as f64",
                "true"
            ]
        );
        let fields: Vec<(&str, usize)> = fields.iter().map(|(f, i)| (f.as_str(), *i)).collect();
        assert_eq!(
            fields,
            [("g.c[0]", 0), ("g.c[1]", 1), ("g.c[2]", 2), ("g.x", 3)]
        );
    }

    #[test]
    fn a_fused_loss_is_told_apart() {
        let fused = |src: &str| match checkable(&body(src)) {
            Some(Checkable::Scalar { fused_loss, .. }) => fused_loss,
            _ => panic!("not checkable"),
        };
        assert!(fused(
            "#[differentiable] fn f(z: f64) -> f64 { bce(sigmoid(z * 2.0), 0.3) }"
        ));
        assert!(!fused(
            "#[differentiable] fn f(z: f64) -> f64 { bce(z, 0.3) + sigmoid(z) }"
        ));
    }

    #[test]
    fn an_integer_named_in_wrt_or_a_slice_is_not_checkable() {
        let wrt_int = body("#[differentiable(wrt(k))] fn f(k: usize, x: f64) -> f64 { x }");
        assert!(checkable(&wrt_int).is_none());
        let slice = body("#[differentiable] fn f(c: &[f64], x: f64) -> f64 { x }");
        assert!(checkable(&slice).is_none());
        let owned = body("#[differentiable] fn f(w: [f32; 2], x: f32) -> f32 { x }");
        let Some(Checkable::Scalar { args, .. }) = checkable(&owned) else {
            panic!("not checkable");
        };
        assert_eq!(args, ["[v[0] as f32, v[1] as f32]", "v[2] as f32"]);
    }
}
