#!/usr/bin/env python3
"""Writes tests/tensor_programs.rs: random ndarray programs for `#[differentiable]`.

The macro's own property test (macros/src/props.rs) checks the graph pipeline on random
scalar DAGs through an interpreter; it cannot exercise what only exists in emitted tensor
code: fused maps and how they are split when they would read more than four arrays, which
values are moved or borrowed, shape records for unbroadcasting, transposes, and gradients
of struct fields. A proc macro runs only when its caller compiles, so random tensor
programs must be written out as source: this script does that, seeded, and the test file
checks every program's gradient against central finite differences.

Each tensor program reads a parameter struct (w: 3x4, b: 4, v: 4x2, c: 2, s: f64) and inputs
x: 5x3, y: 5x2, and builds 6-11 `let` bindings from the ops the macro supports, choosing
among values of three shapes (5x4, 5x2 and scalars) with operands drawn from everything
bound so far, so values are shared, reused after a consuming op, transposed and
broadcast. Only smooth ops are used (no relu/abs/max/min, whose kinks would make finite
differences flaky), and domains are kept safe (ln and sqrt of positive expressions,
division by 1 + square).

About one step in ten is a `for` loop of 0-3 iterations carrying a `let mut` value
(an array through one of LOOP_BODIES, reading values bound before the loop, or a float
accumulating a mean), so loops meet everything else: captures that are struct fields,
transposes and earlier values, a loop's result consumed in place, shared or broadcast.
Scalar programs get loops too. Every loop's result is read by the final expression.

Calls: each scalar program is also cut into 2-4 `#[differentiable]` functions at random
statement boundaries (`split_program`), each part returning what later parts read (a
tuple for several values) and `split_N` calling them in order; its gradient must equal the
unsplit program's to 1e-12 relative.

Sizes: 80 tensor programs (each costs ~0.08 s of a debug build since the maps' engines
take their closures as trait objects there; it was 0.5-0.7 s), the first 10 again in f32
against their f64 gradients, and 40 scalar programs (cheap) with their splits, checked at
two points. For a longer hunt, raise the counts or change SEED locally: 320 more tensor
programs (seeds 1-3, 11-13, the latter with relu, abs, max, min) passed when this was
written, with loops seeds 1 and 2 (80 tensor and 80 scalar programs more), and with calls
seeds 1, 2, 3 and 11 (80 tensor, 40 scalar and 40 split programs each).

Run:  python3 tests/gen_tensor_programs.py > tests/tensor_programs.rs && cargo fmt
"""

from __future__ import annotations

import random
import re

PROGRAMS = 80
SCALAR_PROGRAMS = 40
F32_PROGRAMS = 10  # the first tensor programs again in f32, against their f64 gradients
SEED = 20261127

SCALAR_UNARY = [
    "{a}.exp() * 0.1",
    "softplus({a}).ln()",
    "({a} * {a} + 1.0).sqrt()",
    "{a}.powi(2)",
    "(softplus({a}) + 0.5).powi(-2)",
    "softplus({a}).powf(1.5)",
    "{a}.sin()",
    "{a}.cos()",
    "(tanh({a}) * 0.5).tan()",
    "{a}.tanh()",
    "sigmoid({a}).ln_1p()",
    "({a} * 0.5).exp_m1()",
    "(softplus({a}) + 1.0).recip()",
    "(softplus({a}) + 0.1).log10()",
    "(softplus({a}) + 0.1).log2()",
    "sigmoid({a})",
    "softplus({a})",
    "-{a}",
]

UNARY = [
    "tanh({a})",
    "sigmoid({a})",
    "softplus({a})",
    "{a}.sin()",
    "{a}.cos()",
    "{a}.powi(2)",
    "{a}.powi(3) * 0.1",
    "exp({a} * 0.3)",
    "ln(softplus({a}) + 0.5)",
    "sqrt({a} * {a} + 1.0)",
    "-{a}",
    "{a} * 0.5 + 0.25",
    "{a}.tanh()",
    "{a}.exp_m1()",
    "ln_1p_safe",
]

# One iteration of an array loop: `{h}` the carried value (5x4), `{a}` a value from
# before the loop (5x4).
LOOP_BODIES = [
    "tanh({h} * 0.5 + {a})",
    "{h}.dot(&p.w.t()).dot(&p.w) * 0.3 + &p.b",
    "softplus({h}) * p.s - {a} * 0.1",
    "sigmoid({h} + {a}) * {h}",
    "({h} + {a}) * 0.5",
]

SCALAR_LOOP_BODIES = [
    "{h} * 0.5 + ({h} * {v}).sin()",
    "tanh({h} + {v}) * 0.9",
    "{h} - 0.1 * {h} * {v}",
]

BINARY = [
    "{a} + {b}",
    "{a} - {b}",
    "{a} * {b}",
    "{a} / ({b} * {b} + 1.0)",
    "({a} + {b}) * 0.5",
]


def mark_unread(lines: list[str], result: str) -> list[str]:
    """Prefixes `let` names nothing reads with `_`, as Rust asks of intentionally unused
    bindings (the dead code itself stays: the macro must lower and drop it)."""
    out = []
    for i, line in enumerate(lines):
        binding = re.match(r"    let (\w+) =", line)
        if binding is None:  # a loop's lines (its result is always read)
            out.append(line)
            continue
        name = binding.group(1)
        later = " ".join(lines[i + 1 :]) + " " + result
        if not re.search(rf"\b{name}\b", later):
            line = line.replace(f"let {name} =", f"let _{name} =", 1)
        out.append(line)
    return out


class Program:
    def __init__(self, rng: random.Random, index: int):
        self.rng = rng
        self.index = index
        self.lines: list[str] = []
        # name -> shape: "4" (5x4), "2" (5x2), "s" (scalar)
        self.values: dict[str, str] = {"x": "x"}
        self.loops: list[str] = []
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def pick(self, shape: str) -> str | None:
        names = [n for n, s in self.values.items() if s == shape]
        return self.rng.choice(names) if names else None

    def bind(self, expr: str, shape: str) -> str:
        name = self.fresh()
        self.lines.append(f"    let {name} = {expr};")
        self.values[name] = shape
        return name

    def unary(self, a: str) -> str:
        form = self.rng.choice(UNARY)
        if form == "ln_1p_safe":
            return f"sigmoid({a}).ln_1p()"
        return form.format(a=a)

    def loop(self, a4: str) -> None:
        rng = self.rng
        name = self.fresh()
        k = rng.randint(0, 3)
        if rng.random() < 0.7:
            body = rng.choice(LOOP_BODIES).format(h=name, a=self.pick("4"))
            self.lines.append(f"    let mut {name} = {a4};")
            shape = "4"
        else:
            body = f"{name} * 0.5 + mean({self.pick('4')} * {a4})"
            self.lines.append(f"    let mut {name} = mean({a4});")
            shape = "s"
        self.lines.append(f"    for _ in 0..{k} {{")
        self.lines.append(f"        {name} = {body};")
        self.lines.append("    }")
        self.values[name] = shape
        self.loops.append(name)

    def step(self) -> None:
        rng = self.rng
        roll = rng.random()
        a4, a2 = self.pick("4"), self.pick("2")
        if a4 is not None and rng.random() < 0.1:
            self.loop(a4)
        elif a4 is None or roll < 0.12:
            # a layer from the input, sometimes through a transpose
            form = rng.choice(
                [
                    "x.dot(&p.w) + &p.b",
                    "p.w.t().dot(&x.t()).t().to_owned() + &p.b",
                    "tanh(x.dot(&p.w)) * p.s",
                ]
            )
            self.bind(form, "4")
        elif roll < 0.40:
            self.bind(self.unary(a4), "4")
        elif roll < 0.58:
            self.bind(rng.choice(BINARY).format(a=a4, b=self.pick("4")), "4")
        elif roll < 0.66:
            self.bind(rng.choice(["softmax({a})", "log_softmax({a}) * 0.2"]).format(a=a4), "4")
        elif roll < 0.76:
            form = rng.choice(["{a}.dot(&p.v)", "{a}.dot(&p.v) + &p.c", "sigmoid({a}.dot(&p.v))"])
            self.bind(form.format(a=a4), "2")
        elif roll < 0.84 and a2 is not None:
            form = rng.choice(
                [self.unary(a2), "{a} * p.s", "{a}.dot(&p.v.t())"]
            )
            shape = "4" if "p.v.t()" in form else "2"
            self.bind(form.format(a=a2), shape)
        elif roll < 0.92:
            form = rng.choice(
                [
                    "sum({a}) * 0.1",
                    "mean({a})",
                    "{a}.sum_axis(Axis(0)).sum() * 0.1",
                    "mean({a}.mean_axis(Axis(1)))",
                ]
            )
            self.bind(form.format(a=a4), "s")
        else:
            s = self.pick("s")
            if s is None:
                self.bind(f"mean({a4})", "s")
            else:
                self.bind(rng.choice(["{a} * {s}", "{a} + {s}", "{a} * tanh({s})"]).format(a=a4, s=s), "4")

    def render(self) -> str:
        for _ in range(self.rng.randint(6, 11)):
            self.step()
        terms = []
        a2 = self.pick("2")
        if a2 is None:
            a2 = self.bind(f"{self.pick('4')}.dot(&p.v)", "2")
        terms.append(self.rng.choice([f"mse({a2}, y)", f"softmax_cross_entropy({a2}, y)", f"bce(sigmoid({a2}), y)"]))
        last4 = [n for n, s in self.values.items() if s == "4"][-1]
        terms.append(f"mean({last4} * {last4})")
        terms += [n for n, s in self.values.items() if s == "s"][-2:]
        for name in self.loops:
            term = f"mean({name} * {name})" if self.values[name] == "4" else name
            if term not in terms:
                terms.append(term)
        body = "\n".join(mark_unread(self.lines, " ".join(terms)))
        return (
            f"#[differentiable(wrt(p))]\n"
            f"fn program_{self.index}(p: &P, x: &Array2<f64>, y: &Array2<f64>) -> f64 {{\n"
            f"{body}\n"
            f"    {' + '.join(terms)}\n"
            f"}}\n"
        )


def scalar_program(rng: random.Random, index: int) -> str:
    """A random scalar function of a, b, c (differentiated) and x, y (data)."""
    names = ["a", "b", "c", "x"]
    lines = []
    loops = []
    for k in range(rng.randint(5, 10)):
        if k > 0 and rng.random() < 0.15:
            name = f"s{k + 1}"
            u, v = rng.sample(names, 2)
            body = rng.choice(SCALAR_LOOP_BODIES).format(h=name, v=v)
            lines.append(f"    let mut {name} = {u};")
            lines.append(f"    for _ in 0..{rng.randint(0, 3)} {{")
            lines.append(f"        {name} = {body};")
            lines.append("    }")
            names.append(name)
            loops.append(name)
            continue
        roll = rng.random()
        u = rng.choice(names)
        if k == 0:
            u, roll = "x", 0.6  # the data argument is always read
        # Two different operands: `x - x` is a clippy error (eq_op) in scalar code, which
        # is emitted as the expressions themselves.
        v = rng.choice([n for n in names if n != u])
        if roll < 0.5:
            expr = rng.choice(SCALAR_UNARY).format(a=u)
        elif roll < 0.85:
            expr = rng.choice(BINARY).format(a=u, b=v)
        else:
            expr = rng.choice(["bce(sigmoid({a}), y)", "mse({a}, y)", "{a} * SCALE"]).format(a=u)
        name = f"s{k + 1}"
        lines.append(f"    let {name} = {expr};")
        names.append(name)
    result = " + ".join(names[-2:]) + f" + mse({names[-3]}, y) + (a - b * c) * 0.01"
    for name in loops:
        if name not in names[-3:]:
            result += f" + {name} * 0.1"
    body = "\n".join(mark_unread(lines, result))
    source = (
        f"#[differentiable(wrt(a, b, c))]\n"
        f"fn scalar_{index}(a: f64, b: f64, c: f64, x: f64, y: f64) -> f64 {{\n"
        f"{body}\n    {result}\n}}\n"
    )
    return source, lines, result


NAME = re.compile(r"\b(s\d+|[abcxy])\b")


def split_program(rng: random.Random, index: int, lines: list[str], result: str) -> str:
    """The scalar program `index` cut into 2-4 functions at random statement boundaries:
    each part a `#[differentiable]` helper taking the values it reads and returning the
    ones later parts read (a tuple when there are several), and `split_{index}` calling
    them in order. Inlining must give the unsplit program's gradient."""
    statements: list[list[str]] = []
    for line in lines:  # a loop's four lines are one statement
        if statements and (line.startswith("    for ") or line.startswith("        ") or line == "    }"):
            statements[-1].append(line)
        else:
            statements.append([line])
    k = min(rng.randint(2, 4), len(statements))
    cuts = sorted(rng.sample(range(1, len(statements)), k - 1))
    parts = [sum(statements[i:j], []) for i, j in zip([0] + cuts, cuts + [len(statements)])]

    def defined(part: list[str]) -> list[str]:
        return [m.group(1) for m in (re.match(r"    let (?:mut )?(\w+) =", l) for l in part) if m]

    def read(text: str) -> set[str]:
        return set(NAME.findall(text))

    # Drop parts whose values nothing after them reads (merge them into the next part).
    merged: list[list[str]] = []
    for j, part in enumerate(parts):
        later = " ".join(sum(parts[j + 1 :], [])) + " " + result
        if j + 1 < len(parts) and not any(n in read(later) for n in defined(part)):
            parts[j + 1] = part + parts[j + 1]
            continue
        merged.append(part)
    parts = merged
    helpers, calls = [], []
    available = ["a", "b", "c", "x", "y"]
    for j, part in enumerate(parts):
        own = defined(part)
        later = " ".join(sum(parts[j + 1 :], [])) + " " + result
        outputs = [n for n in own if n in read(later)]
        if j + 1 == len(parts):
            calls.extend(part)
            break
        inputs = [n for n in available if n in read(" ".join(part)) and n not in own]
        available += own
        ret = outputs[0] if len(outputs) == 1 else "(" + ", ".join(outputs) + ")"
        ret_ty = "f64" if len(outputs) == 1 else "(" + ", ".join("f64" for _ in outputs) + ")"
        body = "\n".join(mark_unread(part, ret))
        params = ", ".join(f"{n}: f64" for n in inputs)
        helpers.append(
            f"#[differentiable]\nfn split_{index}_{j}({params}) -> {ret_ty} {{\n{body}\n    {ret}\n}}\n"
        )
        pattern = outputs[0] if len(outputs) == 1 else "(" + ", ".join(outputs) + ")"
        calls.append(f"    let {pattern} = split_{index}_{j}({', '.join(inputs)});")
    body = "\n".join(mark_unread(calls, result))
    main = (
        f"#[differentiable(wrt(a, b, c))]\n"
        f"fn split_{index}(a: f64, b: f64, c: f64, x: f64, y: f64) -> f64 {{\n"
        f"{body}\n    {result}\n}}\n"
    )
    return "\n".join(helpers + [main])


def main() -> None:
    rng = random.Random(SEED)
    programs = [Program(rng, i).render() for i in range(PROGRAMS)]
    scalars = [scalar_program(rng, i) for i in range(SCALAR_PROGRAMS)]
    # Their splits draw from a generator of their own, so the programs stay as they were.
    split_rng = random.Random(SEED + 1)
    splits = [split_program(split_rng, i, lines, result) for i, (_, lines, result) in enumerate(scalars)]
    scalars = [source for source, _, _ in scalars]
    print("//! Generated by `python3 tests/gen_tensor_programs.py` (seed", SEED, end="")
    print("): random ndarray programs")
    print("//! through `#[differentiable]`, each gradient checked against central finite")
    print("//! differences. See the script for what the programs contain and why. Do not edit.")
    print()
    print("// Loops of no iterations (`0..0`) are deliberate: their gradients are checked too.")
    print("#![allow(clippy::reversed_empty_ranges)]")
    print()
    print("use cadena::gradcheck::{Tolerance, check, check_params};")
    print("use cadena::ndarray::{Array1, Array2, Axis};")
    print("use cadena::prelude::*;")
    print()
    for name, t in [("P", "f64"), ("P32", "f32")]:
        print("#[derive(Parameters, Clone, Debug)]")
        print(f"pub struct {name} {{")
        print(f"    pub w: Array2<{t}>,")
        print(f"    pub b: Array1<{t}>,")
        print(f"    pub v: Array2<{t}>,")
        print(f"    pub c: Array1<{t}>,")
        print(f"    pub s: {t},")
        print("}")
        print()
    for p in programs:
        print(p)
    for i, p in enumerate(programs[:F32_PROGRAMS]):
        print(
            p.replace(f"fn program_{i}(p: &P, x: &Array2<f64>, y: &Array2<f64>) -> f64",
                      f"fn program32_{i}(p: &P32, x: &Array2<f32>, y: &Array2<f32>) -> f32")
        )
    print("type Program32 = fn(&P32, &Array2<f32>, &Array2<f32>) -> P32;")
    print()
    print("const PROGRAMS32: &[(&str, Program32)] = &[")
    for i in range(F32_PROGRAMS):
        print(f'    ("program_{i}", |p, x, y| program32_{i}::grad(p, x, y).1.p),')
    print("];")
    print()
    print("const SCALE: f64 = 0.75;")
    print()
    for p in scalars:
        print(p)
    for p in splits:
        print(p)
    print("type Scalar = fn(f64, f64, f64, f64, f64) -> f64;")
    print("type ScalarGradient = fn(f64, f64, f64, f64, f64) -> [f64; 3];")
    print()
    print("const SCALARS: &[(&str, Scalar, ScalarGradient)] = &[")
    for i in range(SCALAR_PROGRAMS):
        print(f'    ("scalar_{i}", scalar_{i}, |a, b, c, x, y| {{ let g = scalar_{i}::grad(a, b, c, x, y).1; [g.a, g.b, g.c] }}),')
    print("];")
    print()
    print("const SPLITS: &[(&str, Scalar, ScalarGradient)] = &[")
    for i in range(SCALAR_PROGRAMS):
        print(f'    ("split_{i}", split_{i}, |a, b, c, x, y| {{ let g = split_{i}::grad(a, b, c, x, y).1; [g.a, g.b, g.c] }}),')
    print("];")
    print()
    print("type Program = fn(&P, &Array2<f64>, &Array2<f64>) -> f64;")
    print("type Gradient = fn(&P, &Array2<f64>, &Array2<f64>) -> P;")
    print()
    print("const PROGRAMS: &[(&str, Program, Gradient)] = &[")
    for i in range(PROGRAMS):
        print(f'    ("program_{i}", program_{i}, |p, x, y| program_{i}::grad(p, x, y).1.p),')
    print("];")
    print()
    print(
        """fn smooth(rows: usize, cols: usize, phase: f64) -> Array2<f64> {
    Array2::from_shape_fn((rows, cols), |(i, j)| 0.8 * ((i * cols + j) as f64 * 1.37 + phase).sin())
}

fn parameters() -> P {
    P {
        w: smooth(3, 4, 0.1) * 0.7,
        b: smooth(1, 4, 0.7).row(0).to_owned() * 0.3,
        v: smooth(4, 2, 1.3) * 0.7,
        c: smooth(1, 2, 2.1).row(0).to_owned() * 0.3,
        s: 0.9,
    }
}

fn data() -> (Array2<f64>, Array2<f64>) {
    let x = smooth(5, 3, 0.4);
    let y = smooth(5, 2, 3.3).mapv(f64::abs);
    let y = &y / &y.sum_axis(Axis(1)).insert_axis(Axis(1));
    (x, y)
}

#[test]
fn random_tensor_programs_match_finite_differences() {
    let p = parameters();
    let (x, y) = data();
    let tolerance = Tolerance { rtol: 1e-4, atol: 1e-7, ..Tolerance::default() };
    let mut failures = Vec::new();
    for (name, f, grad) in PROGRAMS {
        let value = f(&p, &x, &y);
        assert!(value.is_finite(), "{name}: loss {value}");
        let g = grad(&p, &x, &y);
        if let Err(e) = check_params(|q| f(q, &x, &y), &p, &g, &tolerance) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\\n"));
}

#[test]
fn random_tensor_programs_in_f32_agree_with_f64() {
    // The f32 path has its own kernels (the fast exp/tanh/sigmoid in fused maps).
    let p = parameters();
    let (x, y) = data();
    let f32s = |a: &Array2<f64>| a.mapv(|v| v as f32);
    let p32 = P32 {
        w: f32s(&p.w),
        b: p.b.mapv(|v| v as f32),
        v: f32s(&p.v),
        c: p.c.mapv(|v| v as f32),
        s: p.s as f32,
    };
    let (x32, y32) = (f32s(&x), f32s(&y));
    let mut failures = Vec::new();
    for (&(name, grad32), &(_, _, grad64)) in PROGRAMS32.iter().zip(PROGRAMS) {
        let (g32, g64) = (grad32(&p32, &x32, &y32), grad64(&p, &x, &y));
        let mut pairs: Vec<(f32, f64)> = Vec::new();
        pairs.extend(g32.w.iter().copied().zip(g64.w.iter().copied()));
        pairs.extend(g32.b.iter().copied().zip(g64.b.iter().copied()));
        pairs.extend(g32.v.iter().copied().zip(g64.v.iter().copied()));
        pairs.extend(g32.c.iter().copied().zip(g64.c.iter().copied()));
        pairs.push((g32.s, g64.s));
        for (i, (a, b)) in pairs.into_iter().enumerate() {
            if (a as f64 - b).abs() > 1e-3 * b.abs().max(1.0) {
                failures.push(format!("{name}[{i}]: f32 {a} vs f64 {b}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\\n"));
}

#[test]
fn random_scalar_programs_match_finite_differences() {
    let tolerance = Tolerance { rtol: 1e-4, atol: 1e-7, ..Tolerance::default() };
    let mut failures = Vec::new();
    for point in [[0.3, -0.7, 1.1, 0.5, 0.25], [-1.2, 0.4, -0.2, -0.9, 0.8]] {
        let [a, b, c, x, y] = point;
        for (name, f, grad) in SCALARS {
            let value = f(a, b, c, x, y);
            assert!(value.is_finite(), "{name}: loss {value} at {point:?}");
            let g = grad(a, b, c, x, y);
            if let Err(e) = check(|v| f(v[0], v[1], v[2], x, y), &[a, b, c], &g, &["a", "b", "c"], &tolerance) {
                failures.push(format!("{name} at {point:?}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\\n"));
}

#[test]
fn programs_split_into_functions_give_the_unsplit_gradients() {
    let close = |u: f64, v: f64| (u - v).abs() <= 1e-12 * u.abs().max(v.abs()).max(1.0);
    let mut failures = Vec::new();
    for point in [[0.3, -0.7, 1.1, 0.5, 0.25], [-1.2, 0.4, -0.2, -0.9, 0.8]] {
        let [a, b, c, x, y] = point;
        for ((name, f, grad), (_, whole, whole_grad)) in SPLITS.iter().zip(SCALARS) {
            let (v, w) = (f(a, b, c, x, y), whole(a, b, c, x, y));
            let (g, h) = (grad(a, b, c, x, y), whole_grad(a, b, c, x, y));
            if !close(v, w) || !g.iter().zip(&h).all(|(&u, &v)| close(u, v)) {
                failures.push(format!("{name} at {point:?}: {v} {g:?} vs unsplit {w} {h:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\\n"));
}"""
    )


if __name__ == "__main__":
    main()
