// `fz`, the support module of the fuzzer's check binary (examples/fuzz_macro/pipeline.rs
// writes it into target/fuzz/work/run/src/fz.rs beside the functions that compiled): each
// function's `fuzz_check` calls `scalar` or `params`, which compare the value of `f::grad`
// with the function's plain twin (the same body compiled without the attribute) and the
// gradient with central differences of that twin.
//
// A difference quotient is trusted only where two step sizes agree with each other: at a
// kink (`abs`, `max`, a branch) or where rounding swamps the step they disagree, and the
// point is skipped rather than blamed on the macro.

#![allow(dead_code)]

use std::io::Write;

use cadena::ndarray::{Array2, Axis};
use cadena::{Float, Parameters};

pub enum Outcome {
    Ok,
    /// Not decided: no point where the function is finite and smooth.
    Unchecked(String),
    WrongValue(String),
    WrongGradient(String),
    /// `f::grad` or `f` panicked where the plain twin did not.
    Panicked(String),
}

/// Runs `f`, a panic as its message.
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|e| {
        let m = e.downcast_ref::<&str>().map(|s| s.to_string());
        m.or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

pub struct Scalar<'a> {
    pub arity: usize,
    pub f32: bool,
    /// A loss the macro fuses (`bce(sigmoid(z), y)`): its closed form is exact where the
    /// twin's composition loses the digits a saturated sigmoid rounds away.
    pub fused_loss: bool,
    /// Which arguments `Grad` has fields for, in its order.
    pub wrt: &'a [usize],
    /// The function as the macro rewrote it.
    pub f: &'a dyn Fn(&[f64]) -> f64,
    /// The plain twin, when it compiled.
    pub plain: Option<&'a dyn Fn(&[f64]) -> f64>,
    pub grad: &'a dyn Fn(&[f64]) -> (f64, Vec<f64>),
}

struct Tol {
    step: f64,
    agree: f64,
    value: f64,
    gradient: f64,
}

fn tol(f32: bool) -> Tol {
    if f32 {
        Tol {
            step: 1e-2,
            agree: 2e-3,
            value: 1e-4,
            gradient: 2e-2,
        }
    } else {
        Tol {
            step: 1e-4,
            agree: 1e-6,
            value: 1e-8,
            gradient: 1e-5,
        }
    }
}

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// The central difference of `f` along `e` at `x` with two steps, if they agree; the
/// steps are `scale` times the usual ones.
fn difference(f: &dyn Fn(&[f64]) -> f64, x: &[f64], i: usize, t: &Tol, scale: f64) -> Option<f64> {
    let h = scale * t.step * x[i].abs().max(1.0);
    let quotient = |h: f64| {
        let mut p = x.to_vec();
        p[i] = x[i] + h;
        let up = f(&p);
        p[i] = x[i] - h;
        (up - f(&p)) / (2.0 * h)
    };
    let (coarse, fine) = (quotient(h), quotient(h / 4.0));
    (coarse.is_finite() && fine.is_finite() && close(coarse, fine, t.agree)).then_some(fine)
}

pub fn scalar(s: Scalar) -> Outcome {
    let t = tol(s.f32);
    let oracle = s.plain.unwrap_or(s.f);
    let mut rng = Lcg(0x5eed_0000 + s.arity as u64);
    let mut decided = 0;
    for _ in 0..24 {
        let x: Vec<f64> = (0..s.arity).map(|_| rng.next() * 3.0 - 1.5).collect();
        let Ok(reference) = catch(|| oracle(&x)) else {
            continue;
        };
        if !reference.is_finite() || reference.abs() > 1e12 {
            continue;
        }
        let ((value, grad), rewritten) = match catch(|| ((s.grad)(&x), (s.f)(&x))) {
            Ok(v) => v,
            Err(m) => return Outcome::Panicked(format!("at {x:?}: {m}")),
        };
        let agrees = close(value, reference, t.value) && close(rewritten, reference, t.value);
        if !agrees && s.fused_loss {
            return Outcome::Unchecked(
                "a fused loss, more accurate than the plain composition".into(),
            );
        }
        if !agrees {
            return Outcome::WrongValue(format!(
                "at {x:?}: f::grad gives {value:e}, f gives {rewritten:e}, the plain function {reference:e}"
            ));
        }
        let mut smooth = true;
        let eps = if s.f32 {
            f32::EPSILON as f64
        } else {
            f64::EPSILON
        };
        for (k, &i) in s.wrt.iter().enumerate() {
            // What rounding the value alone leaves in a difference quotient: a term of
            // 1e5 in f32 hides a derivative of 0.03 (central differences give 0).
            let noise = |scale: f64| {
                8.0 * eps * reference.abs() / (scale * t.step * x[i].abs().max(1.0) / 4.0)
            };
            let matches = |d: f64, scale: f64| {
                grad[k].is_finite()
                    && ((grad[k] - d).abs() <= noise(scale) || close(grad[k], d, t.gradient))
            };
            match difference(oracle, &x, i, &t, 1.0) {
                Some(d) if matches(d, 1.0) => {}
                Some(d) => {
                    // Two steps can agree and both be off where the function turns fast
                    // (`sin(1e5 * v)`: a fuzzer's false finding, the gradient right to
                    // 12 digits): smaller steps settle it, or leave the point undecided.
                    let finer = [1.0 / 32.0, 1.0 / 1024.0]
                        .map(|scale| difference(oracle, &x, i, &t, scale).map(|d| (d, scale)));
                    match finer {
                        _ if finer.iter().flatten().any(|&(d, scale)| matches(d, scale)) => {}
                        [Some(_), Some(_)] => {
                            return Outcome::WrongGradient(format!(
                                "at {x:?}: d/d(argument {i}) is {:e}, central differences give {d:e}",
                                grad[k]
                            ));
                        }
                        _ => smooth = false,
                    }
                }
                None => smooth = false,
            }
        }
        if smooth {
            decided += 1;
            if decided == 3 {
                return Outcome::Ok;
            }
        }
    }
    if decided > 0 {
        Outcome::Ok
    } else {
        Outcome::Unchecked("no finite, smooth point found".into())
    }
}

pub fn smooth(rows: usize, cols: usize, phase: f64) -> Array2<f64> {
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        0.8 * ((i * cols + j) as f64 * 1.37 + phase).sin()
    })
}

/// x: 5x3 and y: 5x2 with rows summing to 1, as in tests/tensor_programs.rs.
pub fn data() -> (Array2<f64>, Array2<f64>) {
    let x = smooth(5, 3, 0.4);
    let y = smooth(5, 2, 3.3).mapv(f64::abs);
    let y = &y / &y.sum_axis(Axis(1)).insert_axis(Axis(1));
    (x, y)
}

/// Element `flat` of tensor number `tensor` of `p`, set to `set` when given.
fn element<P: Parameters>(p: &mut P, tensor: usize, flat: usize, set: Option<f64>) -> f64 {
    let (mut seen, mut old) = (0, 0.0);
    p.visit_mut(&mut |_, mut t| {
        if seen == tensor
            && let Some(v) = t.iter_mut().nth(flat)
        {
            old = v.to_f64_lossless();
            if let Some(new) = set {
                *v = P::Elem::of(new);
            }
        }
        seen += 1;
    });
    old
}

pub fn params<P: Parameters + Clone>(
    p: &P,
    f: &dyn Fn(&P) -> f64,
    plain: Option<&dyn Fn(&P) -> f64>,
    grad: &dyn Fn(&P) -> (f64, P),
) -> Outcome {
    let t = tol(false);
    let oracle = plain.unwrap_or(f);
    let reference = match catch(|| oracle(p)) {
        // As for scalar bodies: past 1e12 a difference of two values loses the digits
        // of the gradient (`mean(b) + 1e308` differs by 0), and a gradient scaled that far
        // overflows inside any reverse sweep.
        Ok(r) if r.is_finite() && r.abs() > 1e12 => {
            return Outcome::Unchecked("the plain function is over 1e12".into());
        }
        Ok(r) if r.is_finite() => r,
        Ok(r) => return Outcome::Unchecked(format!("the plain function is {r}")),
        Err(m) => return Outcome::Unchecked(format!("the plain function panics: {m}")),
    };
    let ((value, g), rewritten) = match catch(|| (grad(p), f(p))) {
        Ok(v) => v,
        Err(m) => return Outcome::Panicked(m),
    };
    if !close(value, reference, 1e-8) || !close(rewritten, reference, 1e-8) {
        return Outcome::WrongValue(format!(
            "f::grad gives {value:e}, f gives {rewritten:e}, the plain function {reference:e}"
        ));
    }
    let mut analytic = Vec::new();
    g.visit(&mut |name, t| {
        analytic.push((
            name.to_string(),
            t.iter().map(|v| v.to_f64_lossless()).collect::<Vec<_>>(),
        ))
    });
    let mut probe = p.clone();
    for (tensor, (name, values)) in analytic.iter().enumerate() {
        for (flat, &a) in values.iter().enumerate() {
            let x = element(&mut probe, tensor, flat, None);
            let mut at = |v: f64| {
                element(&mut probe, tensor, flat, Some(v));
                oracle(&probe)
            };
            let h = t.step * x.abs().max(1.0);
            let coarse = (at(x + h) - at(x - h)) / (2.0 * h);
            let fine = (at(x + h / 4.0) - at(x - h / 4.0)) / (h / 2.0);
            element(&mut probe, tensor, flat, Some(x));
            if coarse.is_finite()
                && fine.is_finite()
                && close(coarse, fine, t.agree)
                && !(a.is_finite() && close(a, fine, t.gradient))
            {
                return Outcome::WrongGradient(format!(
                    "d/d{name}[{flat}] is {a:e}, central differences give {fine:e}"
                ));
            }
        }
    }
    Outcome::Ok
}

/// Runs the checks from `--from N` on, one line each: `start i`, then `i \t outcome \t
/// detail`; a panic is an outcome, a crash or a hang leaves a `start` without its line.
pub fn main(checks: &[(usize, fn() -> Outcome)]) {
    let from: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    std::panic::set_hook(Box::new(|_| {}));
    let mut out = std::io::stdout().lock();
    for &(i, check) in checks.iter().filter(|(i, _)| *i >= from) {
        let _ = writeln!(out, "start {i}");
        let _ = out.flush();
        let (kind, detail) = match catch(check) {
            Ok(Outcome::Ok) => ("ok", String::new()),
            Ok(Outcome::Unchecked(d)) => ("unchecked", d),
            Ok(Outcome::WrongValue(d)) => ("wrong-value", d),
            Ok(Outcome::WrongGradient(d)) => ("wrong-gradient", d),
            Ok(Outcome::Panicked(d)) => ("panicked", d),
            Err(d) => ("unchecked", format!("setting up the check panicked: {d}")),
        };
        let _ = writeln!(out, "{i}\t{kind}\t{}", detail.replace('\n', " "));
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fuzzer finding that was not one: `sin(1e5 * v)` turns so fast that two steps of
    /// central differences agree with each other and both miss the gradient (right to 12
    /// digits: 6,656,751,184.71122 in 50-digit arithmetic); smaller steps find it.
    #[test]
    fn a_fast_turning_function_is_checked_with_smaller_steps() {
        let f = |p: &[f64]| {
            let (x, z, b) = (p[0], p[1], p[2]);
            let m = (z - b) * (z - b);
            let mut v = (x * x + 1.0).recip();
            for _ in 0..2 {
                v = v * 1e5 + (v * m).sin();
            }
            (v * v + 1.0).sqrt() * b.tanh().tan() + b
        };
        let x = [
            0.490_730_652_913_009_77,
            1.304_995_579_828_619_2,
            -0.957_048_954_934_968_3,
        ];
        let exact = 6_656_751_184.711_22;
        let t = tol(false);
        let coarse = difference(&f, &x, 2, &t, 1.0).expect("two steps agree");
        assert!(!close(coarse, exact, t.gradient));
        let finer = difference(&f, &x, 2, &t, 1.0 / 1024.0).expect("two smaller steps agree");
        assert!(close(finer, exact, t.gradient));
    }
}
