#!/usr/bin/env python3
"""Writes tests/tensor_programs.rs: random ndarray programs for `#[differentiable]`.

The macro's own property test (macros/src/props.rs) checks the graph pipeline on random
scalar DAGs through an interpreter; it cannot exercise what only exists in emitted tensor
code: fused maps and how they are split when they would read more than four arrays, which
values are moved or borrowed, shape records for unbroadcasting, transposes, and gradients
of struct fields. A proc macro runs only when its caller compiles, so random tensor
programs must be written out as source: this script does that, seeded, and the test file
checks every program's gradient against central finite differences.

Each tensor program reads a parameter struct (w: 3x4, b: 4, v: 4x2, c: 2, s: f64, and for
the vocabulary below e: 6x4, k1: 2x2x3, kb1: 2, k2: 2x1x3x3, kb2: 2) and inputs x: 5x3,
y: 5x2 (and those of DATA its body names: ids = [3, 1, 1, 0, 4], seq: 5x3x4, sep: 5x4,
k = 2), and builds 6-11 `let` bindings from the ops the macro supports, choosing among
values of three shapes (5x4, 5x2 and scalars) with operands drawn from everything bound so
far, so values are shared, reused after a consuming op, transposed and broadcast. Only
smooth ops are used but for the extrema below, whose operands are kept apart (no relu or
abs, whose kinks would make finite differences flaky), and domains are kept safe (ln and
sqrt of positive expressions, division by 1 + square).

About one step in ten is a `for` loop of 0-3 iterations carrying a `let mut` value
(an array through one of LOOP_BODIES, reading values bound before the loop, or a float
accumulating a mean), so loops meet everything else: captures that are struct fields,
transposes and earlier values, a loop's result consumed in place, shared or broadcast.
Scalar programs get loops too, half of them carrying two floats (tuple re-assignment,
`+=`, a rotation through a `let`). Every loop's result is read by the final expression.

The newer vocabulary (VOCABULARY, one step in five once there is a 5x4 value), in
ndarray's spellings: slices of arguments and intermediates (`s![a..b, ..]`, steps
`s![0..;2, ..]`, single indices `s![.., j]`, bounds from the integer argument `k` and
`x.nrows()`), `row`, `column`, `index_axis`, `.t()` of intermediates; gathers
`select(Axis(0), ids)` with a repeated id; joins (`concatenate!`, `stack!` and the
functions `concatenate(Axis(1), &[a.view(), b.view()])`, `stack`); reductions `sum_axis`,
`mean_axis`, `max_axis`, `min_axis`, `logsumexp`; elementwise `maximum` and `minimum`;
`conv1d`, `conv2d`, `avg_pool1d`, `avg_pool2d`, `max_pool1d` and `max_pool2d` on 5x2x4 and
5x1x2x4 inputs made by stacking values or slicing `seq`; and loops carrying several
`let mut` values (a 5x4 `h`, half the time a second array `c` as in an LSTM cell or
re-assigned with `(h, c) = (.., ..)`, half the time a float summed beside them), over
`seq.axis_iter(Axis(1))`, over `0..1-3` reading `seq.index_axis(Axis(1), i)`, or over a
range of 0-3, three in four pushing a per-step output (`outs.push(h.clone())`) joined after
the loop by `stack(Axis(1), &outs)` or `concatenate(Axis(1), &outs)`. Rows and columns
come back into 5x4 and 5x2 values by broadcasting, `insert_axis` and `dot`, and every
value of the vocabulary reaches the loss. Kinks stay away from the finite differences'
steps: max/min read `tanh(..) + sep`, whose entries are 5 apart and 2.5 or more from 0
(against each other or against `tanh(..)`), or a value against itself moved by `sep` or
3; max pools read `tanh(..)` plus one or two rows of `sep`. Forms are dealt from shuffled
decks (`Decks`) rather than drawn independently, so every form of the tables comes up
(the script names on stderr any that did not).

Control flow beyond single loops. In tensor programs, the vocabulary also deals loops of
two levels (`nested`: a 5x4 `h` carried by both, the outer loop over
`seq.axis_iter(Axis(1))`, over `0..2` reading `seq.index_axis(Axis(1), i)`, or over a
range reading an earlier value; the inner one over `0..2` re-assigning `h`, in one form
pushing its states onto a Vec declared in the outer body and stacking them; half the
outer loops push and stack too; NESTED_HEADS, NESTED_INNER) and `match` on a
configuration (`let v = match mode { Mode::A => .., Mode::B => .., _ => .. }` or
`Mode::A | Mode::B => .., Mode::C => ..`, arms of one shape, 5x4, 5x2 or a float; the
loss reads the value itself, else a dead match would leave `mode` unused). `Mode { A, B,
C }` is defined in the generated file; a program (scalar or tensor) takes `mode: Mode`
only when its body names it, and the tests run those at every variant (the `bool` of the
tables), the others at `Mode::A`. Scalar programs draw, besides their loops: two levels
of loops (6% of steps: `for _ in 0..1-2 { let mut q = ..; for _ in 0..0-3 { .. } s =
.. q ..; }`, the inner body sometimes re-assigning the outer value too; the outer body
may read its index as `i as f64`, the inner one never: an enclosing loop's index in an
inner loop's integer operands is a documented compile error), `if` on values (6%, two in
five with an `else if`: conditions compare CONDITION_OPERANDS, arguments, small
polynomials of them and constants, which the script evaluates at the two test points,
SCALAR_POINTS, to keep both sides 0.25 or more apart, so finite differences never
straddle the switch), `match mode` (6%), and two in five single-value loops written as
`let mut i = 0-1; while i < n { ..; i += 1; }` (or `<=`), which the macro reads as the
`for` loop it counts. Values of an `if` or a `match` are read by the result. A split
never passes `mode` to a helper (the macro refuses non-float arguments in a call, see
tests/ui/integer-argument-in-expression.rs): no cut falls after the first statement that
reads it.

Methods: METHOD_PROGRAMS of the tensor programs, drawn with a generator of their own (so
the programs stay as they were), are written again as methods of `P` in one
`#[differentiable] impl P` block (`self.w` for `p.w`), each beside a method calling it
(`2.0 * self.method_i(..)`); their gradients must equal the function's bit for bit, and
twice it.

Calls: each scalar program is also cut into 2-4 `#[differentiable]` functions at random
statement boundaries (`split_program`), each part returning what later parts read (a
tuple for several values) and `split_N` calling them in order; its gradient must equal the
unsplit program's to 1e-12 relative.

Sizes: 80 tensor programs with about 125 vocabulary steps among them (11 of them loops
carrying several values, 4 loops of two levels, 8 matches), the first 10 again in f32 against their f64 gradients, 12 again as methods, and 40
scalar programs (cheap) with their splits, checked at two points. Building the test, with
its dependencies built (`CARGO_INCREMENTAL=0 cargo test --no-run --test tensor_programs`
after touching it), takes 14.5-17 s of CPU against 11.8-13.1 s before the vocabulary
(+27%, interleaved runs on the project's 2-core VM shared with other builds, load average
3.5-5; wall times 15-28 s against 12-21 s). The nested loops, matches, `if`s and
`while`s added 10-13% more: 16.5-16.7 s of CPU against 14.6-15.2 s, wall 13.6-13.8 s
against 12.0-12.3 s (interleaved, load 1.3-1.9). Code generation dominates, and each loop
carrying several values costs ~0.09 s of it, each convolution or extremum ~0.02 s, each
slice ~0.01 s: raise VOCABULARY_RATE with care. The test itself runs in ~1.5 s.

For a longer hunt, raise the counts or change SEED locally: 320 more tensor programs
(seeds 1-3, 11-13, the latter with relu, abs, max, min) passed before the vocabulary, with
loops seeds 1 and 2 (80 tensor and 80 scalar programs more), and with calls seeds 1, 2, 3
and 11 (80 tensor, 40 scalar and 40 split programs each); with it, seeds 1-4 at
VOCABULARY_RATE 0.3 passed, and seed 3 with only loops carrying several values (151).
With nested loops, matches, `if`s and `while`s: seeds 1 and 2 passed, and seed 3 at
VOCABULARY_RATE 0.3 with the weights of `nested` and `match` at 25.
The second value scalar loops carry is named like the macro's temporaries (`t6`): see
SECOND_CARRIED.

Run:  python3 tests/gen_tensor_programs.py > tests/tensor_programs.rs && cargo fmt
"""

from __future__ import annotations

import random
import re
import sys

PROGRAMS = 80
SCALAR_PROGRAMS = 40
F32_PROGRAMS = 10  # the first tensor programs again in f32, against their f64 gradients
METHOD_PROGRAMS = 12  # tensor programs again as methods of `P`, drawn with a generator of their own
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

# One iteration of a scalar loop carrying two floats `{h}` and `{g}`, `{v}` from before it:
# a tuple re-assignment, statements in order, a rotation through a `let`, `+=`.
SCALAR_PAIR_BODIES = [
    ["({h}, {g}) = ({g} * 0.9 + ({h} * {v}).sin() * 0.1, tanh({h} + {g}) * 0.8);"],
    ["{h} = {h} * 0.5 + ({g} * {v}).sin();", "{g} = {g} * 0.8 + {h} * 0.1;"],
    ["let w = 0.5 * {h} + 0.3 * {g}.sin();", "{h} = {g};", "{g} = w;"],
    ["({h}, {g}) = ({g}, {h} + {v} * 0.5);"],
    ["{g} += {h} * {v};", "{h} = tanh({h} + {v});"],
]

# Scalar loops of two levels carrying `{h}` (`{q}` a float declared in the outer body,
# `{v}` from before the loop): the inner body (may re-assign `{h}` too), then the outer
# body after the inner loop. The outer index `i` is read as a float in the outer body
# only: an enclosing loop's index in an inner loop's integer operands is a compile error.
SCALAR_NESTED_INNER = [
    ["{q} = {q} + ({h} * {v}).sin() * 0.3;"],
    ["{q} = {q} * 0.5 + tanh({h} - {v});"],
    ["{q} += {h} * {v} * 0.1;"],
    ["{h} = tanh({h} + {q} * 0.1 + {v});", "{q} = {q} + {h};"],
]
SCALAR_NESTED_OUTER = [
    "{h} = {h} * 0.5 + {q} * 0.2;",
    "{h} = tanh({h} + {q});",
    "{h} += {q} * 0.1;",
    "{h} = {h} + {q} * (i as f64 + 1.0) * 0.1;",
]

# Operands of the conditions of scalar `if`s (Python evaluates them at the test points,
# SCALAR_POINTS, to keep the two sides of a comparison apart by CONDITION_GAP or more,
# far beyond the finite differences' steps).
CONDITION_OPERANDS = ["a", "b", "c", "x", "a + b", "b * c", "a - c", "0.0", "0.5", "-0.5"]
CONDITION_GAP = 0.25
SCALAR_POINTS = [[0.3, -0.7, 1.1, 0.5, 0.25], [-1.2, 0.4, -0.2, -0.9, 0.8]]

BINARY = [
    "{a} + {b}",
    "{a} - {b}",
    "{a} * {b}",
    "{a} / ({b} * {b} + 1.0)",
    "({a} + {b}) * 0.5",
]


# The newer vocabulary, drawn at VOCABULARY_RATE of the steps (once there is a 5x4 value):
# kinds dealt from a deck holding each as many times as its weight, each kind's forms from
# decks of their own (`Decks`), so proportions hold and every form comes up. Forms name 5x4 values `{a}` `{b}` `{c}`, 5x2 values `{a2}` `{b2}`, indices in
# range (`{i}` < 5, `{i3}` < 3, `{j}` < 4, `{j2}` < 2, `{j3}` < 3) and the arguments `ids`
# ([3, 1, 1, 0, 4]), `seq` (5x3x4), `sep` (5x4, entries 5 apart) and `k` (2); each pairs
# with the shape of its value.
VOCABULARY_RATE = 0.2
VOCABULARY = {
    "slice": 16,
    "gather": 4,
    "join": 6,
    "reduce": 6,
    "extremum": 5,
    "conv": 10,
    "vector": 12,  # a reduction instead while there is no row or column to read
    "loop": 6,
    "nested": 2,  # two levels of loops
    "match": 4,  # a `match mode` choosing among arms
}
VOCABULARY_DECK = [kind for kind, weight in VOCABULARY.items() for _ in range(weight)]

SLICES = [
    ("{a}.slice(s![.., 1..3])", "2"),
    ("{a}.slice(s![.., 0..;2])", "2"),
    ("{a}.slice(s![.., ..;3]) * 0.5", "2"),
    ("{a}.slice(s![.., k..])", "2"),
    ("{a2} + &p.b.slice(s![1..3])", "2"),
    ("x.slice(s![.., 1..]).dot(&p.w.slice(s![1.., ..]))", "4"),
    ("x.slice(s![.., 0..;2]).dot(&p.w.slice(s![0..;2, ..])) * p.s", "4"),
    ("concatenate![Axis(0), {a}.slice(s![0..2, ..]), {b}.slice(s![2.., ..])]", "4"),
    ("concatenate![Axis(0), {a}.slice(s![0..;2, ..]), {b}.slice(s![1..3, ..])]", "4"),
    ("seq.index_axis(Axis(1), k) * p.s + {a}", "4"),
    ("sum({a}.slice(s![1..4, ..]) * {b}.slice(s![0..;2, ..])) * 0.1", "s"),
    ("sum({a}.slice(s![k.., ..]) * {b}.slice(s![..3, ..])) * 0.1", "s"),
    ("{a}.slice(s![.., {j}])", "c"),
    ("{a}.slice(s![.., k])", "c"),
    ("{a}.slice(s![{i}, ..])", "r"),
    ("{a}.row({i})", "r"),
    ("{a}.row(k)", "r"),
    ("{a}.row(x.nrows() - 1)", "r"),
    ("{a}.column({j})", "c"),
    ("{a2}.column({j2})", "c"),
    ("{a}.index_axis(Axis(0), {i})", "r"),
    ("{a}.index_axis(Axis(1), {j})", "c"),
    ("x.column({j3}) * p.s", "c"),
    ("p.w.row({i3})", "r"),
    ("p.v.column({j2})", "r"),
    ("{a}.dot(&{b}.t().dot(&{c})) * 0.1", "4"),
    ("{b2}.dot(&{a2}.t().dot(&{a})) * 0.1", "4"),
]

GATHERS = [
    ("p.e.select(Axis(0), ids)", "4"),
    ("tanh(p.e.select(Axis(0), ids)).dot(&p.v)", "2"),
    ("{a}.select(Axis(0), ids)", "4"),
    ("{a2}.select(Axis(0), ids) * p.s", "2"),
    ("softmax(p.e.select(Axis(0), ids) + {a})", "4"),
]

JOINS = [
    ("concatenate![Axis(1), {a2}, {b2}]", "4"),
    ("concatenate(Axis(1), &[{a2}.view(), {b2}.view()])", "4"),
    ("concatenate(Axis(1), &[{a2}.view(), x.slice(s![.., 1..]).view()])", "4"),
    ("stack![Axis(0), {a}, {b}].sum_axis(Axis(0)) * 0.5", "4"),
]

# A 3-d join bound on its own, then reduced: (join, reduction of `{t}`, its shape).
JOINS3 = [
    ("stack![Axis(0), {a}, {b}]", "{t}.mean_axis(Axis(0))", "4"),
    ("stack(Axis(1), &[{a}.view(), {b}.view()])", "{t}.sum_axis(Axis(1))", "4"),
    ("stack(Axis(1), &[{a}.view(), {b}.view()])", "{t}.mean_axis(Axis(2))", "2"),
    ("stack![Axis(2), {a2}, {b2}]", "{t}.sum_axis(Axis(1))", "2"),
    ("stack(Axis(0), &[{a}.view(), {b}.view(), {c}.view()])", "{t}.mean_axis(Axis(0))", "4"),
]

JOIN_KINDS = [t for t in [JOINS, JOINS3] for _ in t]

REDUCTIONS = [
    ("{a}.sum_axis(Axis(0)) * 0.2", "r"),
    ("{a}.mean_axis(Axis(0))", "r"),
    ("{a}.sum_axis(Axis(1)) * 0.25", "c"),
    ("{a}.mean_axis(Axis(1))", "c"),
    ("logsumexp(&{a}, Axis(1))", "c"),
    ("logsumexp(&{a}, Axis(0))", "r"),
    ("logsumexp(&{a2}, Axis(1))", "c"),
    ("{a} - logsumexp(&{a}, Axis(1)).insert_axis(Axis(1))", "4"),
    ("{a2}.sum_axis(Axis(1))", "c"),
    ("{a}.mean_axis(Axis(1)).insert_axis(Axis(1)) * {b}", "4"),
]

# Extrema have kinks, so their operands are kept apart: `{u}` is `tanh(..) + sep`.
EXTREMA = [
    ("max_axis(&{u}, Axis(1)) * 0.02", "c"),
    ("min_axis(&{u}, Axis(1)) * 0.02", "c"),
    ("max_axis(&{u}, Axis(0)) * 0.02", "r"),
    ("min_axis(&{u}, Axis(0)) * 0.02", "r"),
    ("maximum(&tanh({b}), &{u}) * 0.02", "4"),
    ("minimum(&{u}, &tanh({b})) * 0.02", "4"),
]

# Elementwise extrema of a value and itself moved by a constant offset (never within 2.5).
OFFSET_EXTREMA = [
    ("maximum(&{a}, &({a} - sep)) * 0.1", "4"),
    ("minimum(&{a}, &({a} + 3.0))", "4"),
]

EXTREMUM_KINDS = [t for t in [EXTREMA, OFFSET_EXTREMA] for _ in t]

# Convolution inputs, 5x2x4 (batch, channels, length); `p.k1` is 2x2x3, `p.k2` 2x1x3x3.
CONV_INPUTS = [
    "stack![Axis(1), {a}, {b}]",
    "stack(Axis(1), &[{a}.view(), {b}.view()])",
    "stack![Axis(1), {a}, seq.index_axis(Axis(1), 0)]",
    "seq.slice(s![.., 0..2, ..])",
    "seq.slice(s![.., 1.., ..]) * p.s",
]

CONV1D = [
    ("tanh(conv1d(&{t}, &p.k1, &p.kb1, 1, 1)).sum_axis(Axis(1))", "4"),
    ("conv1d(&{t}, &p.k1, &p.kb1, 1, 1).mean_axis(Axis(1))", "4"),
    ("conv1d(&{t}, &p.k1, &p.kb1, 2, 1).mean_axis(Axis(2))", "2"),
    ("conv1d(&{t}, &p.k1, &p.kb1, 1, 0).sum_axis(Axis(2)) * 0.5", "2"),
]

POOL1D = [
    ("avg_pool1d(&{t}, 2, 2).sum_axis(Axis(2))", "2"),
    ("avg_pool1d(&{t}, 3, 1).mean_axis(Axis(1))", "2"),
]

# `{t}` is `tanh(input) + &sep.row(0)`: the entries of a window differ by 5 - 2 or more.
MAX_POOL1D = [
    ("max_pool1d(&{t}, 2, 2).sum_axis(Axis(1)) * 0.02", "2"),
    ("max_pool1d(&{t}, 3, 1).mean_axis(Axis(1)) * 0.02", "2"),
]

# `{t}` is the input with a channel axis inserted: 5x1x2x4.
CONV2D = [
    ("conv2d(&{t}, &p.k2, &p.kb2, (1, 1), (1, 1)).sum_axis(Axis(2)).mean_axis(Axis(1))", "4"),
    ("tanh(conv2d(&{t}, &p.k2, &p.kb2, (1, 2), (1, 1))).mean_axis(Axis(3)).mean_axis(Axis(2))", "2"),
    ("conv2d(&{t}, &p.k2, &p.kb2, (2, 1), (1, 1)).sum_axis(Axis(2)).sum_axis(Axis(1)) * 0.5", "4"),
]

POOL2D = [
    ("avg_pool2d(&{t}, (2, 2), (2, 2)).sum_axis(Axis(1)).sum_axis(Axis(1))", "2"),
    ("avg_pool2d(&{t}, (1, 2), (1, 2)).mean_axis(Axis(1)).sum_axis(Axis(1))", "2"),
    ("avg_pool2d(&{t}, (2, 1), (1, 1)).sum_axis(Axis(1)).sum_axis(Axis(1))", "4"),
]

# `{t}` is `tanh(..)` of that plus `&sep.slice(s![0..2, ..])`: likewise 3 or more apart.
MAX_POOL2D = [
    ("max_pool2d(&{t}, (2, 2), (2, 2)).sum_axis(Axis(1)).sum_axis(Axis(1)) * 0.02", "2"),
    ("max_pool2d(&{t}, (2, 1), (1, 1)).sum_axis(Axis(1)).sum_axis(Axis(1)) * 0.02", "4"),
]

# The layer after a convolution input, each table as often as it has forms: one round of
# this deck deals every form of every table once.
CONVOLUTIONS = [t for t in [CONV1D, POOL1D, MAX_POOL1D, CONV2D, POOL2D, MAX_POOL2D] for _ in t]

# The per-step outputs of a loop joined after it, `{w}`: stacked, 5 x steps x 4, or
# concatenated, 5 x (4 steps).
STACKED_OUTPUTS = [
    ("{w}.sum_axis(Axis(1))", "4"),
    ("{w}.mean_axis(Axis(1))", "4"),
    ("{w}.sum_axis(Axis(2)).mean_axis(Axis(1))", "c"),
]
CONCATENATED_OUTPUTS = [
    ("{w}.slice(s![.., ..4])", "4"),
    ("{w}.sum_axis(Axis(1)) * 0.1", "c"),
    ("mean({w})", "s"),
]
OUTPUT_JOINS = [t for t in [STACKED_OUTPUTS, CONCATENATED_OUTPUTS] for _ in t]

# Rows (4 entries, `{r}`) and columns (5 entries, `{col}`) back into 5x4 and 5x2 values.
VECTOR_ROWS = [
    ("{a} * &{r}", "4"),
    ("{a} + &{r} * 0.5", "4"),
    ("x.dot(&p.w) * &{r}", "4"),
    ("{a2} + &{r}.dot(&p.v)", "2"),
    ("sum({r} * {r}) * 0.1", "s"),
]

VECTOR_COLUMNS = [
    ("{a} * &{col}.insert_axis(Axis(1))", "4"),
    ("{a2} - &{col}.insert_axis(Axis(1)) * 0.5", "2"),
    ("{col}.dot(&{a}) * 0.1", "r"),
    ("mean({col} * {col})", "s"),
    ("stack![Axis(1), {col}, {a}.column({j})]", "2"),
    ("stack(Axis(1), &[{col}.view(), {col}.view()]) * 0.5", "2"),
]

# One step of a loop carrying `{h}` and `{c}` (5x4): a cell, or a tuple re-assignment.
# `{xt}` is the step's input (a 5x4 view of `seq`) or a value bound before the loop.
CELL_BODIES = [
    [
        "let z = &{xt} + {h}.dot(&p.w.t()).dot(&p.w) * 0.3 + &p.b;",
        "{c} = sigmoid(&z) * &{c} + tanh(&z) * 0.5;",
        "{h} = tanh(&{c}) * sigmoid(z);",
    ],
    [
        "{c} = sigmoid({xt} + &{h}) * &{c} + tanh({xt} * 0.5) * 0.5;",
        "{h} = tanh(&{c}) * p.s;",
    ],
    ["({h}, {c}) = (tanh({h} * 0.5 + {c} * 0.5 + {xt}), sigmoid({h}) * {c});"],
    ["({h}, {c}) = ({c} * 0.8, tanh({h} + {xt}));"],
    ["({h}, {c}) = (tanh({h}.dot(&p.w.t()).dot(&p.w) * 0.3 + {xt}), {c} * 0.5 + {h} * 0.5);"],
]

# Or of a loop carrying `{h}` without `{c}`.
SINGLE_BODIES = [
    ["{h} = tanh({xt} * p.s + {h}.dot(&p.w.t()).dot(&p.w) * 0.3 + &p.b);"],
    ["{h} = sigmoid({h} + {xt}) * {h};"],
    ["{h} = ({h} + {xt}) * 0.5;"],
    ["{h} = softplus({h}) * 0.5 - {xt} * 0.1;"],
]
LOOP_KINDS = [t for t in [CELL_BODIES, SINGLE_BODIES] for _ in t]

# A float carried beside them (`{acc}`); the last form also updates `{h}` from it.
ACCUMULATE = [
    ["{acc} = {acc} + mean(&{h} * &{h}) * 0.1;"],
    ["{acc} = {acc} * 0.9 + sum({h} * {xt}) * 0.01;"],
    ["{acc} += mean({h});"],
    ["({h}, {acc}) = ({h} * sigmoid({acc}), {acc} * 0.5 + mean({h}));"],
]

# Two levels of loops carrying `{h}` (5x4) through both; `{xt}` the outer step's input.
# The inner loop is over a range; the last form pushes its states onto `{steps}`, a Vec
# declared in the outer body, and stacks them after the inner loop.
NESTED_HEADS = ["seq", "range", "index"]
NESTED_INNER = [
    ["for _ in 0..2 {{", "    {h} = tanh({h}.dot(&p.w.t()).dot(&p.w) * 0.3 + &{xt});", "}}"],
    ["{h} = {h} * 0.5 + &{xt} * 0.2;", "for _ in 0..2 {{", "    {h} = sigmoid(&{h} + &{xt}) * &{h};", "}}"],
    [
        "let mut {steps} = Vec::new();",
        "for _ in 0..2 {{",
        "    {h} = tanh({h} * 0.5 + &{xt});",
        "    {steps}.push({h}.clone());",
        "}}",
        "{h} = stack(Axis(1), &{steps}).mean_axis(Axis(1)) * p.s;",
    ],
]

# The tables whose every form the programs should contain (the script says on stderr
# which were never drawn).
FORM_TABLES = [
    SLICES, GATHERS, JOINS, JOINS3, REDUCTIONS, EXTREMA, OFFSET_EXTREMA, CONV_INPUTS, CONV1D,
    POOL1D, MAX_POOL1D, CONV2D, POOL2D, MAX_POOL2D, STACKED_OUTPUTS, CONCATENATED_OUTPUTS,
    VECTOR_ROWS, VECTOR_COLUMNS, CELL_BODIES, SINGLE_BODIES, ACCUMULATE, NESTED_HEADS,
    NESTED_INNER,
]

# Arguments a program takes when its body names them, after p, x and y.
DATA = [
    ("ids", "&[usize]"),
    ("seq", "&Array3<f64>"),
    ("sep", "&Array2<f64>"),
    ("k", "usize"),
    ("mode", "Mode"),
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


class Decks:
    """Deals each table's entries in shuffled rounds: every entry comes up once before any
    comes up twice, so each form is drawn even at the modest rates of the vocabulary."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.left: dict[int, list[int]] = {}
        self.dealt: dict[int, set[int]] = {}

    def deal(self, table: list):
        left = self.left.setdefault(id(table), [])
        if not left:
            left.extend(range(len(table)))
            self.rng.shuffle(left)
        k = left.pop()
        self.dealt.setdefault(id(table), set()).add(k)
        return table[k]

    def undrawn(self, tables: dict[str, list]) -> list[str]:
        """The forms of `tables` (by name) never dealt."""
        return [
            f"{name}[{k}]"
            for name, table in tables.items()
            for k in range(len(table))
            if k not in self.dealt.get(id(table), set())
        ]


class Program:
    def __init__(self, rng: random.Random, index: int, decks: Decks):
        self.rng = rng
        self.decks = decks
        self.index = index
        self.lines: list[str] = []
        # name -> shape: "4" (5x4), "2" (5x2), "s" (scalar), "r" (a row: 4 entries), "c" (a
        # column: 5 entries); only for the form bound next: "k" (5x4 offset by `sep`),
        # "3"/"4d" (3-d and 4-d arrays), "wide" (per-step outputs side by side)
        self.values: dict[str, str] = {"x": "x"}
        self.loops: list[str] = []
        self.vocabulary: list[str] = []  # values of VOCABULARY steps, all read at the end
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
        if a4 is not None and rng.random() < VOCABULARY_RATE:
            self.vocabulary_step()
        elif a4 is not None and rng.random() < 0.1:
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

    # The newer vocabulary: views, gathers, joins, reductions along an axis, extrema,
    # convolutions and pools, and loops carrying several values with per-step outputs.

    def vocabulary_step(self) -> None:
        kind = self.decks.deal(VOCABULARY_DECK)
        if kind == "vector" and self.pick("r") is None and self.pick("c") is None:
            kind = "reduce"
        getattr(self, f"draw_{kind}")()

    def operands(self, form: str) -> dict[str, str]:
        """Everything a VOCABULARY form may name: values of each shape (5x4 and 5x2, two
        of them possibly the same), indices in range. A 5x2 value is bound first if the
        form reads one and there is none."""
        rng = self.rng
        if "{a2}" in form or "{b2}" in form:
            if self.pick("2") is None:
                self.bind(f"{self.pick('4')}.dot(&p.v)", "2")
        return {
            "a": self.pick("4"),
            "b": self.pick("4"),
            "c": self.pick("4"),
            "a2": self.pick("2"),
            "b2": self.pick("2"),
            "i": str(rng.randint(0, 4)),
            "i3": str(rng.randint(0, 2)),
            "j": str(rng.randint(0, 3)),
            "j2": str(rng.randint(0, 1)),
            "j3": str(rng.randint(0, 2)),
        }

    def draw(self, table: list[tuple[str, str]], **extra: str) -> str:
        """Binds the next form of `table` (a VOCABULARY value, read by the loss)."""
        return self.bind_form(*self.decks.deal(table), **extra)

    def bind_form(self, form: str, shape: str, **extra: str) -> str:
        name = self.bind(form.format(**self.operands(form), **extra), shape)
        self.vocabulary.append(name)
        if shape in "rc" and self.rng.random() < 0.5:  # a row or a column, read back at once
            self.draw(VECTOR_ROWS if shape == "r" else VECTOR_COLUMNS, r=name, col=name)
        return name

    def draw_slice(self) -> None:
        self.draw(SLICES)

    def draw_gather(self) -> None:
        self.draw(GATHERS)

    def draw_join(self) -> None:
        table = self.decks.deal(JOIN_KINDS)
        if table is JOINS3:
            form, reduce, shape = self.decks.deal(JOINS3)
            t = self.bind(form.format(**self.operands(form)), "3")
            self.bind_form(reduce, shape, t=t)
        else:
            self.draw(JOINS)

    def draw_reduce(self) -> None:
        self.draw(REDUCTIONS)

    def draw_extremum(self) -> None:
        table = self.decks.deal(EXTREMUM_KINDS)
        if table is OFFSET_EXTREMA:
            self.draw(OFFSET_EXTREMA)
            return
        # `tanh(a) + sep`: entries 5 apart, each 2.5 or more from 0, so no two are
        # within 2 of each other and tanh(b) is never within 0.5 of one of them.
        u = self.bind(f"tanh({self.pick('4')}) + sep", "k")
        self.draw(EXTREMA, u=u)

    def draw_conv(self) -> None:
        form = self.decks.deal(CONV_INPUTS)
        t = self.bind(form.format(**self.operands(form)), "3")
        table = self.decks.deal(CONVOLUTIONS)
        if table is MAX_POOL1D:
            t = self.bind(f"tanh(&{t}) + &sep.row(0)", "3")  # windows along a row of sep
        elif table in (CONV2D, POOL2D, MAX_POOL2D):
            t = self.bind(f"{t}.insert_axis(Axis(1))", "4d")
            if table is MAX_POOL2D:
                t = self.bind(f"tanh(&{t}) + &sep.slice(s![0..2, ..])", "4d")
        self.draw(table, t=t)

    def draw_vector(self) -> None:
        r, c = self.pick("r"), self.pick("c")
        rows = r is not None and (c is None or self.rng.random() < 0.5)
        self.draw(VECTOR_ROWS if rows else VECTOR_COLUMNS, r=r or "", col=c or "")

    def draw_loop(self) -> None:
        """A loop carrying several values: a 5x4 `h`, often a second array `c` and a float,
        and sometimes pushing one output per step onto a Vec joined after the loop."""
        rng = self.rng
        lines = self.lines
        ops = self.operands("")
        h = self.fresh()
        lines.append(f"    let mut {h} = {ops['a']};")
        carried = [(h, "4")]
        c = acc = outs = None
        bodies = self.decks.deal(LOOP_KINDS)
        if bodies is CELL_BODIES:
            c = self.fresh()
            init = rng.choice(["{b}.clone()", "tanh({b})", "{b} * 0.0"])
            lines.append(f"    let mut {c} = {init.format(**ops)};")
            carried.append((c, "4"))
        if rng.random() < 0.5:
            acc = self.fresh()
            init = rng.choice(["0.0", "mean({b})"])
            lines.append(f"    let mut {acc} = {init.format(**ops)};")
            carried.append((acc, "s"))
        if rng.random() < 0.75:
            outs = f"outs{self.count}"
            lines.append(f"    let mut {outs} = Vec::new();")
        roll = rng.random()
        inner = []
        if roll < 0.4:
            lines.append("    for xt in seq.axis_iter(Axis(1)) {")
            xt = "xt"
        elif roll < 0.7:
            lines.append(f"    for i in 0..{rng.randint(1, 3)} {{")
            inner.append("let xt = seq.index_axis(Axis(1), i);")
            xt = "xt"
        else:  # a range, over a value bound before the loop; no iterations only without a Vec
            lines.append(f"    for _ in 0..{rng.randint(0 if outs is None else 1, 3)} {{")
            xt = ops["c"]
        f = {"h": h, "c": c, "xt": xt, "acc": acc}
        if c is not None:
            inner += self.decks.deal(CELL_BODIES)
        else:
            inner += self.decks.deal(SINGLE_BODIES)
        if acc is not None:
            inner += self.decks.deal(ACCUMULATE)
        if outs is not None:
            pushed = rng.choice(["{h}.clone()", "{h}.clone()", "sigmoid(&{c})" if c else "{h} * 0.5"])
            inner.append(f"{outs}.push({pushed});")
        lines.extend("        " + line.format(**f) for line in inner)
        lines.append("    }")
        for name, shape in carried:
            self.values[name] = shape
            self.loops.append(name)
        if outs is not None:
            if self.decks.deal(OUTPUT_JOINS) is STACKED_OUTPUTS:
                w = self.bind(f"stack(Axis(1), &{outs})", "3")
                self.draw(STACKED_OUTPUTS, w=w)
            else:
                w = self.bind(f"concatenate(Axis(1), &{outs})", "wide")
                self.draw(CONCATENATED_OUTPUTS, w=w)

    def draw_nested(self) -> None:
        """Two levels of loops carrying a 5x4 `h` through both: an outer loop over `seq`'s
        steps or a range, an inner one over a range, sometimes pushing one output per
        outer step joined after it."""
        rng = self.rng
        lines = self.lines
        ops = self.operands("")
        h = self.fresh()
        lines.append(f"    let mut {h} = {ops['a']};")
        outs = None
        if rng.random() < 0.5:
            outs = f"outs{self.count}"
            lines.append(f"    let mut {outs} = Vec::new();")
        head = self.decks.deal(NESTED_HEADS)
        body = []
        if head == "seq":
            lines.append("    for xt in seq.axis_iter(Axis(1)) {")
            xt = "xt"
        elif head == "index":
            lines.append("    for i in 0..2 {")
            body.append("let xt = seq.index_axis(Axis(1), i);")
            xt = "xt"
        else:  # over a value bound before the loop
            lines.append(f"    for _ in 0..{rng.randint(1 if outs else 0, 2)} {{")
            xt = ops["c"]
        body += self.decks.deal(NESTED_INNER)
        if outs is not None:
            body.append(f"{outs}.push({h}.clone());")
        f = {"h": h, "xt": xt, "steps": f"steps{self.count}"}
        lines.extend("        " + line.format(**f) for line in body)
        lines.append("    }")
        self.values[h] = "4"
        self.loops.append(h)
        if outs is not None:
            w = self.bind(f"stack(Axis(1), &{outs})", "3")
            self.draw(STACKED_OUTPUTS, w=w)

    def draw_match(self) -> None:
        """`let v = match mode { .. }` over the test's every `Mode`: two or three arms of
        one shape (5x4, 5x2 or a float), each a different expression."""
        rng = self.rng
        shape = rng.choice(["4", "4", "2", "s"])
        arms: list[str] = []
        while len(arms) < 3:
            a, b = self.pick("4"), self.pick("4")
            if shape == "4":
                arm = self.unary(a) if rng.random() < 0.5 else rng.choice(BINARY).format(a=a, b=b)
            elif shape == "2":
                arm = rng.choice(["{a}.dot(&p.v)", "sigmoid({a}.dot(&p.v))", "tanh({a}).dot(&p.v) * p.s"]).format(a=a)
            else:
                arm = rng.choice(["mean({a})", "sum({a} * {b}) * 0.01", "mean(tanh({a}))"]).format(a=a, b=b)
            if arm not in arms:
                arms.append(arm)
        if rng.random() < 0.3:
            text = f"match mode {{ Mode::A | Mode::B => {arms[0]}, Mode::C => {arms[1]} }}"
        else:
            text = f"match mode {{ Mode::A => {arms[0]}, Mode::B => {arms[1]}, _ => {arms[2]} }}"
        # Read by the loss itself: one dropped as dead would leave `mode` unused.
        self.loops.append(self.bind(text, shape))

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
            term = name if self.values[name] == "s" else f"mean({name} * {name})"
            if term not in terms:
                terms.append(term)
        # Every vocabulary value reaches the loss (one nothing reads would be dropped).
        for name in self.vocabulary:
            at = self.lines.index(next(l for l in self.lines if l.startswith(f"    let {name} =")))
            if not re.search(rf"\b{name}\b", " ".join(self.lines[at + 1 :] + terms)):
                terms.append(name if self.values[name] == "s" else f"mean({name} * {name})")
        body = "\n".join(mark_unread(self.lines, " ".join(terms)))
        args = ["p: &P", "x: &Array2<f64>", "y: &Array2<f64>"]
        self.data = ["&d.x", "&d.y"]
        for name, ty in DATA:
            if re.search(rf"\b{name}\b", body):
                args.append(f"{name}: {ty}")
                self.data.append(f"&d.{name}" if ty.startswith("&") else f"d.{name}")
        return (
            f"#[differentiable(wrt(p))]\n"
            f"fn program_{self.index}({', '.join(args)}) -> f64 {{\n"
            f"{body}\n"
            f"    {' + '.join(terms)}\n"
            f"}}\n"
        )


# The second float a scalar loop carries is named `t{k}`, like the macro's temporaries
# (`t` and a node's number): a binding so named used to take that temporary's place in the
# emitted gradient (wrong gradients in scalar_21 and scalar_39 of this seed; minimal
# bodies in tests/reliability.rs, `lets_named_like_temporaries_keep_their_gradients`).
# The macro now gives let names first and temporaries around them.
SECOND_CARRIED = "t"


def condition(rng: random.Random) -> str:
    """`l > r` or `l < r` over CONDITION_OPERANDS, the sides CONDITION_GAP or more apart at
    both test points."""
    while True:
        l, r = rng.sample(CONDITION_OPERANDS, 2)
        if l[0] in "0-" and r[0] in "0-":
            continue  # two constants
        gaps = [eval(l, {}, dict(zip("abcxy", pt))) - eval(r, {}, dict(zip("abcxy", pt))) for pt in SCALAR_POINTS]
        if all(abs(g) >= CONDITION_GAP for g in gaps):
            return f"{l} {rng.choice(['>', '<'])} {r}"


def scalar_program(rng: random.Random, index: int):
    """A random scalar function of a, b, c (differentiated), x, y (data) and, when it
    matches on one, mode: Mode."""
    names = ["a", "b", "c", "x"]
    lines = []
    loops = []  # values the result reads whatever the draw

    def arm(avoid: list[str]) -> str:
        while True:
            u = rng.choice(names)
            v = rng.choice([n for n in names if n != u])
            if rng.random() < 0.5:
                e = rng.choice(SCALAR_UNARY).format(a=u)
            else:
                e = rng.choice(BINARY).format(a=u, b=v)
            if e not in avoid:
                return e

    for k in range(rng.randint(5, 10)):
        name = f"s{k + 1}"
        roll = rng.random() if k > 0 else 1.0
        if roll < 0.06:  # two levels of loops
            u, v = rng.sample(names, 2)
            q = f"q{k + 1}"
            inner = [line.format(h=name, q=q, v=v) for line in rng.choice(SCALAR_NESTED_INNER)]
            outer = rng.choice(SCALAR_NESTED_OUTER).format(h=name, q=q)
            index_var = "i" if "(i as f64" in outer else "_"
            lines.append(f"    let mut {name} = {u};")
            lines.append(f"    for {index_var} in 0..{rng.randint(1, 2)} {{")
            lines.append(f"        let mut {q} = {rng.choice(['0.0', v])};")
            lines.append(f"        for _ in 0..{rng.randint(0, 3)} {{")
            lines.extend(f"            {line}" for line in inner)
            lines.append("        }")
            lines.append(f"        {outer}")
            lines.append("    }")
            names.append(name)
            loops.append(name)
            continue
        if roll < 0.12:  # `if` on values, sometimes with `else if`
            arms = [arm([])]
            arms.append(arm(arms))
            text = f"if {condition(rng)} {{ {arms[0]} }}"
            if rng.random() < 0.4:
                arms.append(arm(arms))
                text += f" else if {condition(rng)} {{ {arms[1]} }}"
            text += f" else {{ {arms[-1]} }}"
            lines.append(f"    let {name} = {text};")
            names.append(name)
            loops.append(name)
            continue
        if roll < 0.18:  # `match` on the configuration
            arms = [arm([])]
            arms.append(arm(arms))
            arms.append(arm(arms))
            if rng.random() < 0.3:
                text = f"match mode {{ Mode::A => {arms[0]}, Mode::B | Mode::C => {arms[1]} }}"
            else:
                text = f"match mode {{ Mode::A => {arms[0]}, Mode::B => {arms[1]}, _ => {arms[2]} }}"
            lines.append(f"    let {name} = {text};")
            names.append(name)
            loops.append(name)
            continue
        if roll < 0.33:
            u, v = rng.sample(names, 2)
            if rng.random() < 0.5:  # two carried values
                second = f"{SECOND_CARRIED}{k + 1}"
                w = rng.choice([n for n in names if n != u])
                body = [line.format(h=name, g=second, v=v) for line in rng.choice(SCALAR_PAIR_BODIES)]
                lines.append(f"    let mut {name} = {u};")
                lines.append(f"    let mut {second} = {w};")
                lines.append(f"    for _ in 0..{rng.randint(0, 3)} {{")
                lines.extend(f"        {line}" for line in body)
                lines.append("    }")
                names += [name, second]
                loops += [name, second]
                continue
            body = rng.choice(SCALAR_LOOP_BODIES).format(h=name, v=v)
            lines.append(f"    let mut {name} = {u};")
            if rng.random() < 0.4:  # `while` over an integer counter, 1-3 iterations
                counter, start = f"i{k + 1}", rng.choice([0, 1])
                n = rng.randint(1, 3)
                test = f"< {start + n}" if rng.random() < 0.5 else f"<= {start + n - 1}"
                lines.append(f"    let mut {counter} = {start};")
                lines.append(f"    while {counter} {test} {{")
                lines.append(f"        {name} = {body};")
                lines.append(f"        {counter} += 1;")
                lines.append("    }")
            else:
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
        lines.append(f"    let {name} = {expr};")
        names.append(name)
    result = " + ".join(names[-2:]) + f" + mse({names[-3]}, y) + (a - b * c) * 0.01"
    for name in loops:
        if name not in names[-3:]:
            result += f" + {name} * 0.1"
    body = "\n".join(mark_unread(lines, result))
    moded = bool(re.search(r"\bmode\b", body))
    source = (
        f"#[differentiable(wrt(a, b, c))]\n"
        f"fn scalar_{index}(a: f64, b: f64, c: f64, x: f64, y: f64{', mode: Mode' if moded else ''}) -> f64 {{\n"
        f"{body}\n    {result}\n}}\n"
    )
    return source, lines, result, moded


NAME = re.compile(rf"\b([s{SECOND_CARRIED}]\d+|[abcxy]|mode)\b")


def split_program(rng: random.Random, index: int, lines: list[str], result: str, moded: bool) -> str:
    """The scalar program `index` cut into 2-4 functions at random statement boundaries:
    each part a `#[differentiable]` helper taking the values it reads and returning the
    ones later parts read (a tuple when there are several), and `split_{index}` calling
    them in order. Inlining must give the unsplit program's gradient."""
    statements: list[list[str]] = []
    for line in lines:  # a loop and the `let mut` lines before it are one statement
        glued = statements and statements[-1][-1].startswith("    let mut ")
        if glued or (statements and (line.startswith("    for ") or line.startswith("        ") or line == "    }")):
            statements[-1].append(line)
        else:
            statements.append([line])
    # A helper cannot take `mode`: a call's arguments are differentiated expressions, and
    # the macro refuses a non-float one (tests/ui/integer-argument-in-expression.rs). So
    # every statement reading `mode` stays in the last part: no cut after the first.
    last = next((i for i, st in enumerate(statements) if re.search(r"\bmode\b", " ".join(st))), len(statements) - 1)
    k = min(rng.randint(2, 4), last + 1)
    cuts = sorted(rng.sample(range(1, last + 1), k - 1))
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
    available = ["a", "b", "c", "x", "y"] + (["mode"] if moded else [])
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
        params = ", ".join(f"{n}: {'Mode' if n == 'mode' else 'f64'}" for n in inputs)
        helpers.append(
            f"#[differentiable]\nfn split_{index}_{j}({params}) -> {ret_ty} {{\n{body}\n    {ret}\n}}\n"
        )
        pattern = outputs[0] if len(outputs) == 1 else "(" + ", ".join(outputs) + ")"
        calls.append(f"    let {pattern} = split_{index}_{j}({', '.join(inputs)});")
    body = "\n".join(mark_unread(calls, result))
    main = (
        f"#[differentiable(wrt(a, b, c))]\n"
        f"fn split_{index}(a: f64, b: f64, c: f64, x: f64, y: f64{', mode: Mode' if moded else ''}) -> f64 {{\n"
        f"{body}\n    {result}\n}}\n"
    )
    return "\n".join(helpers + [main])


def as_methods(source: str, index: int) -> str:
    """Program `index` as two methods of `P` in a `#[differentiable] impl P` block: the body
    with `p.` read as `self.`, and a method calling it (`2.0 * self.method_i(..)`), whose
    gradient must be twice the first's."""
    header, rest = source.split("\n", 2)[1], source.split("\n", 2)[2]
    params = re.search(r"\(p: &P, (.*)\) -> f64 \{", header).group(1)
    names = ", ".join(part.split(":")[0].strip() for part in params.split(", "))
    body = re.sub(r"\bp\.", "self.", rest.rsplit("}", 1)[0])
    return (
        f"    #[differentiable(wrt(self))]\n"
        f"    pub fn method_{index}(&self, {params}) -> f64 {{\n"
        + "\n".join("    " + line if line else line for line in body.rstrip().split("\n"))
        + "\n    }\n\n"
        f"    #[differentiable(wrt(self))]\n"
        f"    pub fn twice_{index}(&self, {params}) -> f64 {{\n"
        f"        2.0 * self.method_{index}({names})\n"
        f"    }}\n"
    )


def main() -> None:
    rng = random.Random(SEED)
    decks = Decks(rng)
    drawn = [Program(rng, i, decks) for i in range(PROGRAMS)]
    programs = [program.render() for program in drawn]
    forms = {name: table for name, table in globals().items() if any(table is t for t in FORM_TABLES)}
    undrawn = decks.undrawn(forms)
    if undrawn:
        print("gen_tensor_programs.py: never drawn:", ", ".join(undrawn), file=sys.stderr)
    scalars = [scalar_program(rng, i) for i in range(SCALAR_PROGRAMS)]
    # Their splits draw from a generator of their own, so the programs stay as they were.
    split_rng = random.Random(SEED + 1)
    splits = [split_program(split_rng, i, lines, result, m) for i, (_, lines, result, m) in enumerate(scalars)]
    moded = [m for _, _, _, m in scalars]
    scalars = [source for source, _, _, _ in scalars]
    print("//! Generated by `python3 tests/gen_tensor_programs.py` (seed", SEED, end="")
    print("): random ndarray programs")
    print("//! through `#[differentiable]`, each gradient checked against central finite")
    print("//! differences. See the script for what the programs contain and why. Do not edit.")
    print()
    print("// Loops of no iterations (`0..0`) are deliberate: their gradients are checked too.")
    print("#![allow(clippy::reversed_empty_ranges)]")
    print()
    print("use cadena::gradcheck::{Tolerance, check, check_params};")
    print("use cadena::ndarray::{Array, Array1, Array2, Array3, Array4, ShapeBuilder};")
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
        print(f"    pub e: Array2<{t}>,")
        print(f"    pub k1: Array3<{t}>,")
        print(f"    pub kb1: Array1<{t}>,")
        print(f"    pub k2: Array4<{t}>,")
        print(f"    pub kb2: Array1<{t}>,")
        print("}")
        print()
    print("/// The configuration a program may `match` on; the tests run those that read it at every")
    print("/// variant.")
    print("#[derive(Clone, Copy, Debug)]")
    print("pub enum Mode {")
    print("    A,")
    print("    B,")
    print("    C,")
    print("}")
    print()
    print("const MODES: [Mode; 3] = [Mode::A, Mode::B, Mode::C];")
    print()
    print("/// The data a program may read besides `p`: `x`, `y`, and the arguments in `DATA`.")
    print("pub struct Data<T> {")
    print("    x: Array2<T>,")
    print("    y: Array2<T>,")
    print("    ids: Vec<usize>,")
    print("    seq: Array3<T>,")
    print("    sep: Array2<T>,")
    print("    k: usize,")
    print("    mode: Mode,")
    print("}")
    print()
    for p in programs:
        print(p)
    for i, p in enumerate(programs[:F32_PROGRAMS]):
        head = p.split("\n", 2)[1]  # the signature, after the attribute
        head32 = head.replace(f"fn program_{i}(p: &P,", f"fn program32_{i}(p: &P32,").replace("f64", "f32")
        print(p.replace(head, head32))
    methods = sorted(random.Random(SEED + 2).sample(range(PROGRAMS), METHOD_PROGRAMS))
    print("/// Programs again as methods of `P` (`self.w` for `p.w`), and methods calling them.")
    print("#[differentiable]")
    print("impl P {")
    print("\n".join(as_methods(programs[i], i) for i in methods))
    print("}")
    print()
    print("type Method = fn(&P, &Data<f64>) -> (P, P);")
    print()
    print("/// (name, the function's gradient, the method's and the calling method's)")
    print("const METHODS: &[(&str, Gradient, Method)] = &[")
    for i in methods:
        args = ", ".join(drawn[i].data)
        print(f'    ("method_{i}", |p, d| program_{i}::grad(p, {args}).1.p, |p, d| (p.method_{i}_grad({args}).1, p.twice_{i}_grad({args}).1)),')
    print("];")
    print()
    print("type Program32 = fn(&P32, &Data<f32>) -> P32;")
    print()
    print("const PROGRAMS32: &[(&str, Program32)] = &[")
    for i in range(F32_PROGRAMS):
        args = ", ".join(drawn[i].data)
        print(f'    ("program_{i}", |p, d| program32_{i}::grad(p, {args}).1.p),')
    print("];")
    print()
    print("const SCALE: f64 = 0.75;")
    print()
    print("/// The points scalar programs are checked at (the script keeps `if` conditions apart at them).")
    print(f"const SCALAR_POINTS: [[f64; 5]; 2] = {SCALAR_POINTS};")
    print()
    for p in scalars:
        print(p)
    for p in splits:
        print(p)
    print("type Scalar = fn(f64, f64, f64, f64, f64, Mode) -> f64;")
    print("type ScalarGradient = fn(f64, f64, f64, f64, f64, Mode) -> [f64; 3];")
    print()
    print("/// (name, whether it reads `mode`, value, gradient)")
    for table, fname in [("SCALARS", "scalar"), ("SPLITS", "split")]:
        print(f"const {table}: &[(&str, bool, Scalar, ScalarGradient)] = &[")
        for i in range(SCALAR_PROGRAMS):
            m, args = ("m", "a, b, c, x, y, m") if moded[i] else ("_", "a, b, c, x, y")
            print(
                f'    ("{fname}_{i}", {str(moded[i]).lower()}, |a, b, c, x, y, {m}| {fname}_{i}({args}), '
                f'|a, b, c, x, y, {m}| {{ let g = {fname}_{i}::grad({args}).1; [g.a, g.b, g.c] }}),'
            )
        print("];")
        print()
    print()
    print("type Program = fn(&P, &Data<f64>) -> f64;")
    print("type Gradient = fn(&P, &Data<f64>) -> P;")
    print()
    print("/// (name, whether it reads `mode`, value, gradient)")
    print("const PROGRAMS: &[(&str, bool, Program, Gradient)] = &[")
    for i in range(PROGRAMS):
        args = ", ".join(drawn[i].data)
        moded_i = str("d.mode" in drawn[i].data).lower()
        print(f'    ("program_{i}", {moded_i}, |p, d| program_{i}(p, {args}), |p, d| program_{i}::grad(p, {args}).1.p),')
    print("];")
    print()
    print(
        """fn smooth(rows: usize, cols: usize, phase: f64) -> Array2<f64> {
    Array2::from_shape_fn((rows, cols), |(i, j)| 0.8 * ((i * cols + j) as f64 * 1.37 + phase).sin())
}

/// Like `smooth`, of any shape.
fn wave<Sh: ShapeBuilder>(shape: Sh, phase: f64) -> Array<f64, Sh::Dim> {
    let mut k = 0.0;
    Array::from_shape_simple_fn(shape, || {
        k += 1.0;
        0.8 * (k * 1.37 + phase).sin()
    })
}

fn parameters() -> P {
    P {
        w: smooth(3, 4, 0.1) * 0.7,
        b: smooth(1, 4, 0.7).row(0).to_owned() * 0.3,
        v: smooth(4, 2, 1.3) * 0.7,
        c: smooth(1, 2, 2.1).row(0).to_owned() * 0.3,
        s: 0.9,
        e: wave((6, 4), 0.2),
        k1: wave((2, 2, 3), 0.5) * 0.6,
        kb1: wave(2, 1.1) * 0.3,
        k2: wave((2, 1, 3, 3), 1.7) * 0.5,
        kb2: wave(2, 2.3) * 0.3,
    }
}

fn data() -> Data<f64> {
    let x = smooth(5, 3, 0.4);
    let y = smooth(5, 2, 3.3).mapv(f64::abs);
    let y = &y / &y.sum_axis(Axis(1)).insert_axis(Axis(1));
    // The offsets of the extrema and max pools: 5 * (a permutation of 0..20) - 47.5, so
    // entries are 5 apart and each at least 2.5 from 0.
    let sep = Array2::from_shape_fn((5, 4), |(i, j)| 5.0 * ((7 * (4 * i + j) + 3) % 20) as f64 - 47.5);
    Data { x, y, ids: vec![3, 1, 1, 0, 4], seq: wave((5, 3, 4), 2.9), sep, k: 2, mode: Mode::A }
}

fn to_f32(p: &P) -> P32 {
    P32 {
        w: p.w.mapv(|v| v as f32),
        b: p.b.mapv(|v| v as f32),
        v: p.v.mapv(|v| v as f32),
        c: p.c.mapv(|v| v as f32),
        s: p.s as f32,
        e: p.e.mapv(|v| v as f32),
        k1: p.k1.mapv(|v| v as f32),
        kb1: p.kb1.mapv(|v| v as f32),
        k2: p.k2.mapv(|v| v as f32),
        kb2: p.kb2.mapv(|v| v as f32),
    }
}

/// Every parameter's entries in declaration order, as f64.
fn entries<Q: Parameters>(q: &Q) -> Vec<f64>
where
    Q::Elem: Into<f64>,
{
    let mut all = Vec::new();
    q.visit(&mut |_, t| all.extend(t.iter().map(|&v| v.into())));
    all
}

#[test]
fn random_tensor_programs_match_finite_differences() {
    let p = parameters();
    let tolerance = Tolerance { rtol: 1e-4, atol: 1e-7, ..Tolerance::default() };
    let mut failures = Vec::new();
    for mode in MODES {
        let d = Data { mode, ..data() };
        for &(name, moded, f, grad) in PROGRAMS {
            if !moded && !matches!(mode, Mode::A) {
                continue;
            }
            let value = f(&p, &d);
            assert!(value.is_finite(), "{name} ({mode:?}): loss {value}");
            let g = grad(&p, &d);
            if let Err(e) = check_params(|q| f(q, &d), &p, &g, &tolerance) {
                failures.push(format!("{name} ({mode:?}): {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\\n"));
}

#[test]
fn programs_written_as_methods_give_the_functions_gradients() {
    let p = parameters();
    let d = data();
    let mut failures = Vec::new();
    for &(name, function, method) in METHODS {
        let (g, (m, twice)) = (entries(&function(&p, &d)), method(&p, &d));
        let (m, twice) = (entries(&m), entries(&twice));
        for (i, ((a, b), c)) in g.iter().zip(&m).zip(&twice).enumerate() {
            if a.to_bits() != b.to_bits() || (2.0 * a - c).abs() > 1e-12 * a.abs().max(1.0) {
                failures.push(format!("{name}[{i}]: function {a}, method {b}, twice {c}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\\n"));
}

#[test]
fn random_tensor_programs_in_f32_agree_with_f64() {
    // The f32 path has its own kernels (the fast exp/tanh/sigmoid in fused maps).
    let p = parameters();
    let d = data();
    let p32 = to_f32(&p);
    let f32s = |a: &Array2<f64>| a.mapv(|v| v as f32);
    let d32 = Data {
        x: f32s(&d.x),
        y: f32s(&d.y),
        ids: d.ids.clone(),
        seq: d.seq.mapv(|v| v as f32),
        sep: f32s(&d.sep),
        k: d.k,
        mode: d.mode,
    };
    let mut failures = Vec::new();
    for (&(name, grad32), &(_, _, _, grad64)) in PROGRAMS32.iter().zip(PROGRAMS) {
        let (g32, g64) = (entries(&grad32(&p32, &d32)), entries(&grad64(&p, &d)));
        for (i, (a, b)) in g32.into_iter().zip(g64).enumerate() {
            if (a - b).abs() > 1e-3 * b.abs().max(1.0) {
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
    for point in SCALAR_POINTS {
        let [a, b, c, x, y] = point;
        for mode in MODES {
            for &(name, moded, f, grad) in SCALARS {
                if !moded && !matches!(mode, Mode::A) {
                    continue;
                }
                let value = f(a, b, c, x, y, mode);
                assert!(value.is_finite(), "{name}: loss {value} at {point:?} ({mode:?})");
                let g = grad(a, b, c, x, y, mode);
                if let Err(e) = check(|v| f(v[0], v[1], v[2], x, y, mode), &[a, b, c], &g, &["a", "b", "c"], &tolerance) {
                    failures.push(format!("{name} at {point:?} ({mode:?}): {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\\n"));
}

#[test]
fn programs_split_into_functions_give_the_unsplit_gradients() {
    let close = |u: f64, v: f64| (u - v).abs() <= 1e-12 * u.abs().max(v.abs()).max(1.0);
    let mut failures = Vec::new();
    for point in SCALAR_POINTS {
        let [a, b, c, x, y] = point;
        for mode in MODES {
            for (&(name, moded, f, grad), &(_, _, whole, whole_grad)) in SPLITS.iter().zip(SCALARS) {
                if !moded && !matches!(mode, Mode::A) {
                    continue;
                }
                let (v, w) = (f(a, b, c, x, y, mode), whole(a, b, c, x, y, mode));
                let (g, h) = (grad(a, b, c, x, y, mode), whole_grad(a, b, c, x, y, mode));
                if !close(v, w) || !g.iter().zip(&h).all(|(&u, &v)| close(u, v)) {
                    failures.push(format!("{name} at {point:?} ({mode:?}): {v} {g:?} vs unsplit {w} {h:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\\n"));
}"""
    )


if __name__ == "__main__":
    main()
