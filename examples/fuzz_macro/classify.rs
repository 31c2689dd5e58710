//! What each body's evidence says: the expander's answer, rustc's diagnostics on the
//! function's module and on its plain twin, and the check binary's verdict on its value and
//! gradient.

use crate::body::{Twin, normalise};
use crate::expander::{Expanded, Expansion};
use crate::scratch::Diagnostic;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Compiles (and, where it could be checked, its value and gradient are right).
    Ok,
    /// Rejected with errors on the tokens the user wrote, naming nothing internal.
    CleanError,
    /// An error spanned on generated code or naming the macro's internals, or errors at
    /// all where the macro accepted a body that compiles without it.
    GeneratedError,
    /// Compiles with the attribute, not without it (and not the way its parent did not).
    InvalidAccepted,
    /// Compiles with the attribute; without it rustc objects only to what the documented
    /// dialect allows on purpose: in tensor code arrays are values (read again after a
    /// move, a reference where ndarray wants an owned array or the reverse), and the float
    /// methods apply to arrays elementwise (`x.max(1.0)`); in a generic function a float
    /// literal is a `T`. Reported, not a finding.
    Dialect,
    WrongGradient,
    /// `f::grad`'s value or the rewritten `f` differs from the plain function.
    WrongValue,
    /// Generated code panics at run time where the plain function does not.
    RuntimePanic,
    MacroPanic,
    /// rustc crashed (an internal compiler error, a signal), or the expander did.
    Crash,
    /// rustc crashed on the body as written too, without the macro (its parser's stack,
    /// at a thousand levels of nesting): a limit of rustc's, which no macro can lift.
    /// Reported, not a finding.
    RustcLimit,
    /// The expansion took 2 s or more (or was stopped at 5 s): not compiled, since rustc
    /// would run it again. Its finding is the slow expansion.
    Slow,
}

impl Class {
    pub const ALL: [Class; 12] = [
        Class::Ok,
        Class::CleanError,
        Class::GeneratedError,
        Class::InvalidAccepted,
        Class::Dialect,
        Class::WrongGradient,
        Class::WrongValue,
        Class::RuntimePanic,
        Class::MacroPanic,
        Class::Crash,
        Class::RustcLimit,
        Class::Slow,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Class::Ok => "compiles",
            Class::CleanError => "clean spanned error",
            Class::GeneratedError => "error inside generated code",
            Class::InvalidAccepted => "invalid body accepted",
            Class::Dialect => "accepted in the documented dialect, not plain Rust",
            Class::WrongGradient => "wrong gradient",
            Class::WrongValue => "wrong value",
            Class::RuntimePanic => "generated code panics",
            Class::MacroPanic => "proc-macro panic",
            Class::Crash => "compiler or expander crash",
            Class::RustcLimit => "crashes rustc without the macro too (rustc's limit)",
            Class::Slow => "expansion too slow to compile (2 s or more)",
        }
    }

    /// A finding of its own kind (slow expansions are grouped by their time instead).
    pub fn is_finding(self) -> bool {
        !matches!(
            self,
            Class::Ok | Class::CleanError | Class::Slow | Class::Dialect | Class::RustcLimit
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// Not a signature the check binary knows how to call.
    NotCheckable,
    Checked,
    Unchecked(String),
}

#[derive(Clone, Debug)]
pub struct Verdict {
    pub class: Class,
    /// The message behind the class (the first error for a clean error).
    pub detail: String,
    /// What a smaller body must show to be the same finding: the diagnostic's message,
    /// labels and notes without numbers, or the class alone for run-time findings.
    pub signature: String,
    pub check: Check,
    /// The expansion alone took 1 s or more.
    pub slow: bool,
    /// A warning on generated code or naming internals.
    pub warning: Option<String>,
    /// What the plain twin did, for bodies that become parents.
    pub twin: Twin,
}

pub struct Evidence<'a> {
    pub expanded: &'a Expanded,
    pub crash: Option<String>,
    /// rustc crashed on the twin.
    pub twin_crash: Option<String>,
    pub diagnostics: &'a [Diagnostic],
    pub twin: &'a [Diagnostic],
    /// Whether the twin was compiled (not for bodies the macro rejected: nothing reads it).
    pub twin_built: bool,
    /// The check binary's outcome (`ok`, `wrong-gradient`, ...) and detail.
    pub run: Option<(String, String)>,
    pub checkable: bool,
    pub parent_twin: &'a Twin,
    /// Lines of the function's module holding its attributes: an error there is on the
    /// arguments the user wrote (`derivative(undefined)`), not in generated code.
    pub attribute_lines: std::ops::Range<usize>,
    /// The body's own tokens' texts: a marker the body wrote itself is not internal.
    pub written: &'a [String],
}

pub const SLOW_MICROS: u64 = 1_000_000;

/// Expansions this slow are not compiled.
pub const NOT_COMPILED_MICROS: u64 = 2_000_000;

/// Text of the macro's runtime paths and generated names that a user never wrote.
pub fn internal_name(text: &str) -> Option<String> {
    const MARKERS: &[&str] = &[
        "__private",
        "__cadena",
        "cadena_coll",
        "cadena_cap",
        "grad_struct",
        "num_traits",
        "pulp::",
        "lanes::",
        "::scalar::",
        "::t::",
    ];
    // cadena re-exports `num_traits` (`cadena::num_traits::Float`), a public path rustc
    // names when it lists the traits that define a method.
    let text = &text.replace("cadena::num_traits::", "cadena::");
    if let Some(m) = MARKERS.iter().find(|m| text.contains(*m)) {
        return Some(m.to_string());
    }
    // Numbered names: the fused maps (`map2`), derivatives and results (`cadena_d3`).
    ["map", "cadena_d", "cadena_r"]
        .iter()
        .find_map(|p| numbered(text, p))
}

/// `prefix` followed by a digit, not inside a longer name.
fn numbered(text: &str, prefix: &str) -> Option<String> {
    let b = text.as_bytes();
    let n = prefix.len();
    (0..b.len().saturating_sub(n))
        .find(|&i| {
            b[i..].starts_with(prefix.as_bytes())
                && b[i + n].is_ascii_digit()
                && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        })
        .map(|i| String::from_utf8_lossy(&b[i..=i + n]).into_owned())
}

/// The documented error of a call to a function without the attribute, or of another
/// crate's without `export` (README, "A short tour"): it names a generated macro on
/// purpose. And the function's name defined twice (E0428): its module (`f::grad`, the
/// contract) shares the type namespace with a struct or enum of the same name, which
/// the macro cannot see unless the signature names it. And cadena's own trait errors
/// (`cadena::checks`, `diagnostic::on_unimplemented`: a loop's range of `u8`, model
/// parameters of the other float type), which name `#[differentiable]` and say what the
/// body may hold. And a model struct that is not `Clone` (`#[derive(Parameters, Clone)]`
/// in the contract: `Grad` holds one), which rustc reports on the argument's type.
fn documented(d: &Diagnostic) -> bool {
    d.message.contains("_needs_differentiable_attribute")
        || d.message.contains("_needs_differentiable_export")
        || d.code.as_deref() == Some("E0428")
        || d.message.contains("#[differentiable]")
        || d.code.as_deref() == Some("E0277")
            && d.message.ends_with(": Clone` is not satisfied")
            && d.rendered
                .contains("originates in the derive macro `Clone`")
}

fn errors(ds: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    ds.iter().filter(|d| d.level == "error")
}

pub fn classify(e: &Evidence) -> Verdict {
    let micros = e.expanded.micros;
    let twin_errors: Vec<&Diagnostic> = errors(e.twin).filter(|d| !d.unused_lint()).collect();
    let twin = if !e.twin_built {
        Twin::Unknown
    } else if twin_errors.is_empty() {
        Twin::Compiles
    } else {
        Twin::Fails(twin_errors.iter().map(|d| normalise(&d.message)).collect())
    };
    let warning = e
        .diagnostics
        .iter()
        .filter(|d| d.level == "warning")
        .find(|d| {
            let ours = d.generated || internal_name(&d.text).is_some();
            ours && !e
                .twin
                .iter()
                .any(|t| normalise(&t.message) == normalise(&d.message))
        })
        .map(|d| d.message.clone());
    let mut v = Verdict {
        class: Class::Ok,
        detail: String::new(),
        signature: String::new(),
        check: if e.checkable {
            Check::Unchecked("not run".into())
        } else {
            Check::NotCheckable
        },
        slow: micros >= SLOW_MICROS,
        warning,
        twin,
    };
    let mut set = |class: Class, detail: String, signature: &str| {
        v.class = class;
        v.detail = detail;
        v.signature = signature.chars().filter(|c| !c.is_ascii_digit()).collect();
    };
    match &e.expanded.expansion {
        Expansion::Panicked(m) => {
            set(
                Class::MacroPanic,
                m.clone(),
                m.split(" at ").next().unwrap_or(""),
            );
            return v;
        }
        Expansion::Crashed(m) => {
            set(Class::Crash, format!("the expander died: {m}"), "expander");
            return v;
        }
        _ if micros >= NOT_COMPILED_MICROS => {
            set(
                Class::Slow,
                format!("the expansion took {:.1} s", micros as f64 / 1e6),
                "slow",
            );
            return v;
        }
        _ => {}
    }
    if let Some(c) = &e.crash {
        // Met without the macro too, it is rustc's own limit: the body as written is
        // beyond it, whatever the macro does.
        match &e.twin_crash {
            Some(_) => set(
                Class::RustcLimit,
                format!("{c} (and on the plain function too)"),
                "rustc",
            ),
            None => set(Class::Crash, c.clone(), "rustc"),
        }
        return v;
    }
    let errs: Vec<&Diagnostic> = errors(e.diagnostics).collect();
    if let Some(d) = errs
        .iter()
        .find(|d| d.text.contains("proc macro panicked") || d.text.contains("proc-macro panicked"))
    {
        set(Class::MacroPanic, d.text.clone(), &d.text);
        return v;
    }
    if errs.is_empty() {
        let parent_allows = |m: &String| match e.parent_twin {
            Twin::Compiles => false,
            Twin::Fails(known) => known.contains(m),
            Twin::Unknown => true,
        };
        if let Twin::Fails(msgs) = &v.twin
            && let Some(i) = msgs.iter().position(|m| !parent_allows(m))
        {
            let new: Vec<&Diagnostic> = (msgs.iter().zip(&twin_errors))
                .filter(|(m, _)| !parent_allows(m))
                .map(|(_, d)| *d)
                .collect();
            let d = twin_errors[i];
            let class = match dialect_only(&new, &twin_errors) {
                true => Class::Dialect,
                false => Class::InvalidAccepted,
            };
            set(
                class,
                format!("without the attribute: {}", first_lines(&d.rendered, d)),
                &d.text,
            );
            return v;
        }
        if let Some((kind, detail)) = &e.run {
            v.check = Check::Checked;
            match kind.as_str() {
                "wrong-gradient" if zero_times_infinity(detail, e.written) => {
                    v.check = Check::Unchecked(
                        "a non-finite constant: 0 · ∞ is NaN in any reverse sweep".into(),
                    )
                }
                "wrong-gradient" => set(Class::WrongGradient, detail.clone(), kind),
                "wrong-value" => set(Class::WrongValue, detail.clone(), kind),
                "panicked" => set(Class::RuntimePanic, detail.clone(), kind),
                "unchecked" => v.check = Check::Unchecked(detail.clone()),
                _ => {}
            }
        }
        return v;
    }
    if let Some(d) = errs.iter().find(|d| d.generated) {
        set(
            Class::GeneratedError,
            format!("spanned on generated code: {}", first_lines(&d.rendered, d)),
            &d.text,
        );
    } else if let Some((d, m)) = errs.iter().find_map(|d| {
        // A name the body itself wrote (a mutant calling `x.__private()`, a path
        // `cadena::ops::scalar::sigmoid`, its tokens joined) is the user's, and the body
        // without the attribute fails on it too.
        let written = e.written.concat();
        internal_name(&d.text)
            .filter(|m| {
                !e.twin.iter().any(|t| t.text.contains(m.as_str())) && !written.contains(m.as_str())
            })
            .map(|m| (d, m))
    }) {
        set(
            Class::GeneratedError,
            format!("names `{m}`: {}", first_lines(&d.rendered, d)),
            &d.text,
        );
    } else if e.expanded.expansion == Expansion::Accepted
        && v.twin == Twin::Compiles
        && let Some(d) = errs
            .iter()
            .find(|d| d.numbered() && !documented(d) && !e.attribute_lines.contains(&d.line))
    {
        set(
            Class::GeneratedError,
            format!(
                "the macro accepted a body that compiles without it, and its expansion does not compile: {}",
                first_lines(&d.rendered, d)
            ),
            &d.text,
        );
    } else {
        set(Class::CleanError, errs[0].message.clone(), &errs[0].text);
    }
    v
}

/// Whether a gradient that is not a number beside finite differences comes from an
/// intermediate that is not finite where the function's value is: a constant of the body
/// that is not finite or overflows (`f64::INFINITY`, `f64::MAX`, `1e308`), or a NaN that
/// `max`/`min` discard (Rust's `b.max(NaN)` is `b`: `b.max(sqrt(w))` at `w < 0`). Its
/// local derivative meets a zero adjoint (`tanh'(∞) · 0`, `sqrt'(w) · 0`), NaN by the
/// chain rule in cadena as in PyTorch and JAX, while a difference quotient sees a flat
/// function. Reported as not decided.
fn zero_times_infinity(detail: &str, written: &[String]) -> bool {
    let not_a_number = detail.contains(" is NaN") || detail.contains(" is inf");
    let huge = |t: &String| {
        ["INFINITY", "NEG_INFINITY", "NAN", "MAX", "MIN"].contains(&t.as_str())
            || t.parse::<f64>()
                .is_ok_and(|v| !v.is_finite() || v.abs() > 1e30)
    };
    let discards = |t: &String| ["max", "min", "maximum", "minimum", "clamp"].contains(&t.as_str());
    not_a_number && written.iter().any(|t| huge(t) || discards(t))
}

/// Whether rustc's objection to the plain twin is one the dialect lifts on purpose
/// (see [`Class::Dialect`]): a value used after a move or moved while borrowed (scalar
/// bodies cannot meet these: floats are `Copy`), an array where a reference to one is
/// expected or the reverse (`h += array`), a view by value in arithmetic, a float method
/// called on an array, an array's method on `mean_axis`'s result (an `Option` in
/// ndarray), or a generic function's float literal read as a `T`.
/// Whether rustc's errors on the plain twin are the dialect's, and the inference
/// failures one of them leaves behind: after `v1.dot(p.v)` (the dialect's array by
/// value), the product's type is unknown, so a later `v4.dot(&w)` finds "multiple
/// applicable items" (E0034) or needs annotations (E0282, E0283).
///
/// `new` are the errors the parent's twin did not have, `all` the twin's: an inference
/// failure the mutant added after a dialect error its parent already had is the dialect's
/// too (`a: impl Float` added beside the parent's `mean_axis(..).sum()`).
fn dialect_only(new: &[&Diagnostic], all: &[&Diagnostic]) -> bool {
    // And ndarray's `concatenate!`, having tried its slice impl of `From` for the
    // dialect's `&y`, reports a view of one axis it then expected (E0308 in the macro).
    let cascade = |d: &Diagnostic| {
        matches!(d.code.as_deref(), Some("E0034" | "E0282" | "E0283"))
            || d.code.as_deref() == Some("E0308")
                && d.rendered.contains("originates in the macro `concatenate`")
            // `let u1 = v.mean_axis(Axis(0)).sum();` beside an unused `a: impl Float`: with
            // `u1`'s type unknown after the dialect's `Option`, rustc tries the function's
            // one type parameter for it, and every sum after it mismatches.
            || d.code.as_deref() == Some("E0308")
                && d.rendered.contains("expected type parameter `impl ")
    };
    all.iter().any(|d| dialect(d)) && new.iter().all(|d| dialect(d) || cascade(d))
}

fn dialect(d: &Diagnostic) -> bool {
    let text = &d.rendered;
    match d.code.as_deref() {
        // Arrays are values: one read after a move, or a view of a temporary kept
        // (`(a + b).slice(..).clone()`, E0716).
        Some("E0382" | "E0505" | "E0507" | "E0716") => true,
        // A generic function's float literal is a `T` to the macro (`x * 0.5` with
        // `x: T`), as documented; rustc's plain twin sees a float, also where a `T` is
        // given to what a literal started (`(a, b) = (b, ..)` after `(b, 1.0)`).
        Some("E0308" | "E0277" | "E0369")
            if text.contains("type parameter `")
                && (text.contains("found floating-point number")
                    || text.contains("expected floating-point number, found type parameter")
                    || d.message.contains("{float}")) =>
        {
            true
        }
        // A view by value in arithmetic (`xt * &w`, `-xt`), which ndarray takes only
        // borrowed; a reference to an array argument (`&x` of `x: &Array2<f64>`), which
        // is the array.
        Some("E0369" | "E0600") => {
            d.message.contains("`ArrayBase<ViewRepr") || d.message.contains("`&&ArrayBase<")
        }
        // `x.dot(&w)` of `w: &Array2<f64>`: ndarray's `dot` takes `&Rhs`, so `Rhs` is the
        // reference (`Dot<&ArrayBase<..>>`), which no impl covers; the dialect's `&w` is `w`.
        // `concatenate![Axis(1), a, y]` of `y: &Array2<f64>`: ndarray's macro views
        // `&y`, a `&&ArrayBase`, which only its slice impl of `From` might take
        // (`ArrayBase: AsRef<[_]>`); the dialect's `y` is the array.
        Some("E0277") => {
            // `&t * &h` of a float `t` and an array `h`: ndarray scales by a float, not
            // by a reference to one; the dialect's `&t` is `t`.
            let float_reference = (d.message.contains("`&f64`") || d.message.contains("`&f32`"))
                && d.message.contains("ArrayBase<")
                && d.message.starts_with("cannot ")
                // `x.dot(&p.w) + &p.s` of a float field `s`: the same, said of the bound.
                || d.message.starts_with("the trait bound `&f64: ScalarOperand`")
                || d.message.starts_with("the trait bound `&f32: ScalarOperand`");
            // `sigmoid(v.mean_axis(Axis(1)))`: the dialect's `mean_axis` is the array,
            // which ndarray's `Option` of it is not to cadena's ops either.
            let option = d.message.starts_with("the trait bound `Option<ArrayBase<");
            // `max_axis(&x, ..)` of `x: &Array3`, said through the impl for a reference
            // to a float, the only one a reference to a reference could meet.
            // `h += tanh(..)` (E0271 below), said of the operator's trait as well.
            let assign_by_value = ["add", "subtract", "multiply", "divide"].iter().any(|op| {
                d.message
                    .starts_with(&format!("cannot {op}-assign `ArrayBase<"))
            }) && d.message.contains("` to `ArrayBase<");
            let double_reference = d.message.starts_with("the trait bound `&ArrayBase<")
                && d.message.ends_with(": cadena::Float` is not satisfied");
            float_reference
                || option
                || assign_by_value
                || double_reference
                || d.message.contains("`&&ArrayBase<")
                || d.message.contains(": Dot<&ArrayBase<")
                || d.message.starts_with("the trait bound `ArrayBase<")
                    && d.message.ends_with(": AsRef<[_]>` is not satisfied")
        }
        // `h += tanh(..)`: ndarray's `+=` takes a reference to an array or a scalar; the
        // dialect's arrays are values (`h = h + tanh(..)`).
        Some("E0271")
            if ["AddAssign", "SubAssign", "MulAssign", "DivAssign"]
                .iter()
                .any(|t| text.contains(&format!("to implement `{t}`")))
                && d.message.contains("ArrayBase<") =>
        {
            true
        }
        Some("E0308") => {
            let arrays = text.contains("`&ArrayBase") && text.contains("`ArrayBase");
            // `let mut h = p.b.t();` then `h = tanh(..)` in a loop: a view carried on as
            // the owned arrays the steps give (arrays are values, views too).
            let carried_view = text.contains("expected `ArrayBase<ViewRepr<")
                && text.contains("found `ArrayBase<OwnedRepr<");
            // `x.powf(w)` of two arrays: elementwise in the dialect, as `x.max(w)` is;
            // ndarray's `powf` takes one float (a float's `powf` of an array is the
            // macro's error).
            let powers = text.contains(".powf(")
                && (text.contains("expected `f64`, found `&ArrayBase<")
                    || text.contains("expected `f64`, found `ArrayBase<")
                    || text.contains("expected `f32`, found `&ArrayBase<")
                    || text.contains("expected `f32`, found `ArrayBase<"));
            if powers {
                return true;
            }
            // `x.dot(w)`: ndarray's `dot` takes any reference (`&_`), the dialect an array.
            let any_reference = text.contains("expected `&_`, found `ArrayBase")
                // `stack(Axis(0), outs)`: the per-step arrays by value, as arrays are.
                || text.contains("expected `&[_]`, found `Vec<ArrayBase");
            (arrays || any_reference || carried_view)
                && !text.contains("`f32`")
                && !text.contains("`f64`")
        }
        Some("E0599") => {
            const METHODS: &[&str] = &[
                "max", "min", "exp", "ln", "tanh", "sqrt", "abs", "sin", "cos", "tan", "powi",
                "powf", "recip", "ln_1p", "exp_m1", "log2", "log10",
            ];
            // `x.mean_axis(Axis(0)).sum()`: the dialect's `mean_axis` is the array, not
            // ndarray's `Option` of it.
            // The `Option` may be carried on (`let x = softplus(v.mean_axis(..)); x.dot(w)`),
            // its method then missing on `Option<T>`.
            let option = d.message.contains("for enum `Option<ArrayBase")
                || d.message.contains("for enum `Option<T>`")
                    && text.contains("in `Option<ArrayBase<");
            option
                || text.contains("ArrayBase")
                    && METHODS.iter().any(|m| {
                        d.message
                            .starts_with(&format!("no method named `{m}` found"))
                    })
        }
        _ => false,
    }
}

/// The start of a rendered diagnostic, or its message.
fn first_lines(rendered: &str, d: &Diagnostic) -> String {
    let lines: Vec<&str> = rendered.lines().take(12).collect();
    if lines.is_empty() {
        d.message.clone()
    } else {
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::{
        Class, Evidence, classify, dialect, dialect_only, documented, internal_name,
        zero_times_infinity,
    };
    use crate::body::Twin;
    use crate::expander::{Expanded, Expansion};
    use crate::scratch::Diagnostic;

    #[test]
    fn a_crash_of_the_body_as_written_too_is_rustcs_limit() {
        let expanded = Expanded {
            expansion: Expansion::Rejected(vec!["a constant of the other float type".into()]),
            micros: 1_000,
        };
        let crash = "note: rustc unexpectedly overflowed its stack! this is a bug";
        let verdict = |twin_crash: Option<String>| {
            classify(&Evidence {
                expanded: &expanded,
                crash: Some(crash.into()),
                twin_crash,
                diagnostics: &[],
                twin: &[],
                twin_built: false,
                run: None,
                checkable: false,
                parent_twin: &Twin::Unknown,
                attribute_lines: 0..0,
                written: &[],
            })
            .class
        };
        assert_eq!(verdict(Some(crash.into())), Class::RustcLimit);
        assert!(!Class::RustcLimit.is_finding());
        assert_eq!(verdict(None), Class::Crash);
        assert!(Class::Crash.is_finding());
    }

    fn error(code: &str, message: &str) -> Diagnostic {
        Diagnostic {
            level: "error".into(),
            message: message.into(),
            code: Some(code.into()),
            module: None,
            line: 1,
            generated: false,
            text: message.into(),
            rendered: message.into(),
        }
    }

    #[test]
    fn the_dialect_is_told_apart_from_other_errors() {
        let view =
            "cannot apply unary operator `-` to type `ArrayBase<ViewRepr<&f64>, Dim<[usize; 2]>>`";
        assert!(dialect(&error("E0600", view)));
        let borrowed =
            "cannot multiply `f64` by `&&ArrayBase<OwnedRepr<f64>, Dim<[usize; 2]>, f64>`";
        assert!(dialect(&error("E0277", borrowed)));
        assert!(!dialect(&error(
            "E0277",
            "cannot multiply `f64` by `&[usize]`"
        )));
        assert!(!dialect(&error(
            "E0600",
            "cannot apply unary operator `-` to type `usize`"
        )));
        let dot = "the trait bound `ArrayRef<f64, Dim<[usize; 2]>>: Dot<&ArrayBase<OwnedRepr<f64>, Dim<[usize; 2]>, f64>>` is not satisfied";
        assert!(dialect(&error("E0277", dot)));
        let assign = "type mismatch resolving `<OwnedRepr<f64> as RawData>::Elem == ArrayBase<OwnedRepr<f64>, Dim<[usize; 1]>, f64>` required for `ArrayBase<OwnedRepr<f64>, Dim<[usize; 1]>, f64>` to implement `AddAssign`";
        assert!(dialect(&error("E0271", assign)));
        assert!(!dialect(&error(
            "E0271",
            "type mismatch resolving `<Tensor as Kind>::Wrap<f64, ..> == ArrayBase<..>`"
        )));
        let carried = error(
            "E0599",
            "no method named `dot` found for enum `Option<T>` in the current scope",
        );
        let carried = crate::scratch::Diagnostic {
            rendered:
                "method not found in `Option<ArrayBase<OwnedRepr<f64>, Dim<[usize; 2]>, f64>>`"
                    .into(),
            ..carried
        };
        assert!(dialect(&carried));
        let steps =
            "mismatched types: expected `&[_]`, found `Vec<ArrayBase<OwnedRepr<f64>, ..., f64>>`";
        assert!(dialect(&error("E0308", steps)));
        let scaled = "cannot multiply `&f64` by `&ArrayBase<OwnedRepr<f64>, Dim<[usize; 2]>, f64>`";
        assert!(dialect(&error("E0277", scaled)));
        assert!(!dialect(&error(
            "E0277",
            "cannot multiply `&f64` by `&str`"
        )));
        let joined = "the trait bound `ArrayBase<OwnedRepr<f64>, Dim<[usize; 2]>, f64>: AsRef<[_]>` is not satisfied";
        assert!(dialect(&error("E0277", joined)));
        let slice = "the trait bound `Vec<f64>: AsRef<[_]>` is not satisfied";
        assert!(!dialect(&error("E0277", slice)));
        let field = "the trait bound `&f64: ScalarOperand` is not satisfied";
        assert!(dialect(&error("E0277", field)));
        let mean = "the trait bound `Option<ArrayBase<OwnedRepr<f64>, Dim<[usize; 1]>, f64>>: Elementwise` is not satisfied";
        assert!(dialect(&error("E0277", mean)));
        let twice = "the trait bound `&ArrayBase<OwnedRepr<f64>, Dim<[usize; 3]>, f64>: cadena::Float` is not satisfied";
        assert!(dialect(&error("E0277", twice)));
        let added = "cannot add-assign `ArrayBase<OwnedRepr<f64>, Dim<[usize; 2]>, f64>` to `ArrayBase<OwnedRepr<f64>, Dim<[usize; 2]>, f64>`";
        assert!(dialect(&error("E0277", added)));
        let labels_added = "cannot add-assign `&[usize]` to `{float}`";
        assert!(!dialect(&error("E0277", labels_added)));
        let labels = "the trait bound `&[usize]: cadena::Float` is not satisfied";
        assert!(!dialect(&error("E0277", labels)));
        let option = "the trait bound `Option<f64>: Elementwise` is not satisfied";
        assert!(!dialect(&error("E0277", option)));
        let powers =
            "let a = x.powf(w); expected `f64`, found `&ArrayBase<OwnedRepr<f64>, ..., f64>`";
        assert!(dialect(&error("E0308", powers)));
        let carried = "mismatched types: expected `ArrayBase<ViewRepr<&f64>, Dim<[usize; 1]>>`, found `ArrayBase<OwnedRepr<f64>, Dim<[usize; 2]>, f64>`";
        assert!(dialect(&error("E0308", carried)));
        let literal = "mismatched types: expected type parameter `T`, found floating-point number";
        assert!(dialect(&error("E0308", literal)));
        let started = "mismatched types: expected floating-point number, found type parameter `T`";
        assert!(dialect(&error("E0308", started)));
        let other = "mismatched types: expected type parameter `T`, found `usize`";
        assert!(!dialect(&error("E0308", other)));
    }

    #[test]
    fn inference_failures_after_the_dialect_are_the_dialect() {
        let by_value = error(
            "E0308",
            "mismatched types: expected `&_`, found `ArrayBase<OwnedRepr<f64>, ..., f64>`",
        );
        let ambiguous = error("E0034", "multiple applicable items in scope");
        assert!(dialect_only(
            &[&by_value, &ambiguous],
            &[&by_value, &ambiguous]
        ));
        assert!(!dialect_only(&[&ambiguous], &[&ambiguous]));
        let joined = error(
            "E0277",
            "the trait bound `ArrayBase<OwnedRepr<f64>, Dim<[usize; 2]>, f64>: AsRef<[_]>` is not satisfied",
        );
        let viewed = crate::scratch::Diagnostic {
            rendered: "expected an array with a size of 1, found one with a size of 2 ... this error originates in the macro `concatenate`".into(),
            ..error("E0308", "mismatched types")
        };
        assert!(dialect_only(&[&joined, &viewed], &[&joined, &viewed]));
        let other = error("E0425", "cannot find value `q` in this scope");
        assert!(!dialect_only(&[&by_value, &other], &[&by_value, &other]));
        let option = error(
            "E0599",
            "no method named `dot` found for enum `Option<ArrayBase<OwnedRepr<f64>, Dim<[usize; 1]>, f64>>` in the current scope",
        );
        let guessed = crate::scratch::Diagnostic {
            rendered: "expected type parameter `impl Float`, found `f64`".into(),
            ..error("E0308", "mismatched types")
        };
        assert!(dialect_only(&[&option, &guessed], &[&option, &guessed]));
        assert!(!dialect_only(&[&guessed], &[&guessed]));
        // The parent's twin had the `Option`'s error; the mutant adds only the guesses.
        assert!(dialect_only(&[&guessed], &[&option, &guessed]));
    }

    #[test]
    fn a_nan_gradient_from_an_infinite_constant_is_not_decided() {
        let nan = "d/ds[0] is NaN, central differences give 0e0";
        let body = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(zero_times_infinity(nan, &body(&["f64", "::", "INFINITY"])));
        assert!(zero_times_infinity(nan, &body(&["1e300"])));
        assert!(!zero_times_infinity(nan, &body(&["x", "*", "0.5"])));
        assert!(zero_times_infinity(
            nan,
            &body(&["b", ".", "max", "(", "sqrt"])
        ));
        let finite = "d/ds[0] is 2e0, central differences give 0e0";
        assert!(!zero_times_infinity(
            finite,
            &body(&["f64", "::", "INFINITY"])
        ));
    }

    #[test]
    fn the_documented_errors_are_told_apart_from_other_errors() {
        let clash = "the name `Other` is defined multiple times";
        assert!(documented(&error("E0428", clash)));
        let call = "cannot find macro `g_needs_differentiable_attribute` in this scope";
        assert!(documented(&error("E0433", call)));
        assert!(!documented(&error(
            "E0425",
            "cannot find value `t3` in this scope"
        )));
        let range = "a #[differentiable] loop counts its steps in `usize`: `Range<u8>` is not a range of `usize`";
        assert!(documented(&error("E0277", range)));
        let not_clone = crate::scratch::Diagnostic {
            rendered: "the trait `Clone` is not implemented for `Model` ... this error originates in the derive macro `Clone` which comes from the expansion of the attribute macro `differentiable`".into(),
            ..error("E0277", "the trait bound `a35::Model: Clone` is not satisfied")
        };
        assert!(documented(&not_clone));
        assert!(!documented(&error(
            "E0277",
            "the trait bound `a35::Model: Clone` is not satisfied"
        )));
    }

    #[test]
    fn internal_names_are_found_and_user_names_are_not() {
        assert_eq!(
            internal_name("cannot find `cadena_d3` here").as_deref(),
            Some("cadena_d3")
        );
        assert_eq!(internal_name("expected `map2`").as_deref(), Some("map2"));
        assert_eq!(
            internal_name("::cadena::__private::t::owned").as_deref(),
            Some("__private")
        );
        assert_eq!(
            internal_name("cannot find `cadena_test_callee` or `remap2`"),
            None
        );
        // cadena's public re-export, and the internal path to the same crate.
        assert_eq!(
            internal_name("candidate #1: `cadena::num_traits::Float`"),
            None
        );
        assert_eq!(
            internal_name("candidate #2: `cadena::num_traits::real::Real`"),
            None
        );
        assert_eq!(
            internal_name("`cadena::__private::num_traits::float::Float`").as_deref(),
            Some("__private")
        );
    }
}
