#!/usr/bin/env python3
"""The convolution table in one run: `cargo bench --bench conv`, `benches/torch_conv.py`
and `benches/jax_conv.py` one after the other, each on one thread pinned to one core
(`taskset -c 1` where it exists), then cadena/PyTorch and cadena/JAX ratios per case and
measure, of medians and of the fastest calls.

Cases: conv2d layer 1 (32 x 1 x 64 x 64 -> 16, 3x3, pad 1), conv2d layer 2
(32 x 16 x 32 x 32 -> 32, 3x3, pad 1) and conv1d (32 x 16 x 64 -> 32, k 3, pad 1), f32.
Measures: forward; each VJP alone (vjp_x, vjp_w, vjp_b, given an upstream gradient);
backward (the three VJPs; PyTorch's one `convolution_backward` call for all three);
fwd+bwd (forward and the three VJPs: cadena's kernels, PyTorch's autograd, JAX's jitted
`vjp`); loss-grad (value and gradients of sum(conv(x, w, b) * g): cadena's
`#[differentiable]` `loss::grad`, PyTorch's autograd, JAX's `jit(value_and_grad)`).
Each script's docstring or doc comment says exactly what it times. A ratio above 1.0
(cadena slower) is marked with `!`.

Before the table, the three scripts' checksums (sums of the output and of each gradient
on fixed inputs, g of ones) are compared, as is every gradient's shape.

    python3 benches/conv_table.py                  # about a minute on an idle machine
    CONV_ROUNDS=3 python3 benches/conv_table.py    # a smoke run

JAX's column says it was skipped when `import jax` fails in this Python; PyTorch's
likewise for `import torch`.
"""

from __future__ import annotations

import importlib.util
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = ["taskset", "-c", "1"] if shutil.which("taskset") else []
MEASURES = ["forward", "vjp_x", "vjp_w", "vjp_b", "backward", "fwd+bwd", "loss-grad"]
ROW = re.compile(r"^(conv\S+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)$")
CHECK = re.compile(r"^\s+(conv\S+)\s+(\S+) (\S+) (\S+) (\S+)\s+(dx .*)$")


def run(cmd: list[str]) -> str:
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout


def parse(text: str) -> tuple[dict, dict, str]:
    """(case, measure) -> (median, best); case -> (checksums, shapes); the header line."""
    times, checks = {}, {}
    for line in text.splitlines():
        if m := ROW.match(line):
            times[(m[1], m[2])] = (float(m[3]), float(m[4]))
        elif m := CHECK.match(line):
            checks[m[1]] = ([float(m[i]) for i in range(2, 6)], m[6].replace(",", "").split())
    return times, checks, text.splitlines()[0]


def machine() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    run(["cargo", "bench", "--bench", "conv", "--no-run"])
    sides = {"cadena": parse(run(PIN + ["cargo", "bench", "--bench", "conv"]))}
    notes = []
    for name, module, script in [("PyTorch", "torch", "torch_conv.py"), ("JAX", "jax", "jax_conv.py")]:
        if importlib.util.find_spec(module) is None:
            notes.append(f"{name} skipped: `import {module}` failed")
            continue
        sides[name] = parse(run(PIN + [sys.executable, f"benches/{script}"]))

    print(f"\nmachine: {machine()}, one thread pinned to CPU {PIN[-1] if PIN else '(unpinned)'}")
    for name, (_, _, header) in sides.items():
        print(f"{name}: {header}")
    for note in notes:
        print(note)

    cad_checks = sides["cadena"][1]
    print("\nchecksums (fixed inputs, g = ones): largest relative difference to cadena's")
    print("| case | sum(y) | sum(dx) | sum(dw) | sum(db) | vs | shapes |")
    print("|---|---|---|---|---|---|---|")
    for case, (sums, shapes) in cad_checks.items():
        print(f"| {case} | " + " | ".join(f"{s:.6g}" for s in sums) + f" | cadena | {' '.join(shapes)} |")
        for name in [n for n in sides if n != "cadena"]:
            other, other_shapes = sides[name][1][case]
            rel = max(abs(a - b) / max(abs(a), 1e-30) for a, b in zip(sums, other))
            same = "same" if other_shapes == shapes else f"DIFFER: {' '.join(other_shapes)}"
            print(f"| | " + " | ".join(f"{s:.6g}" for s in other) + f" | {name} (max rel. diff {rel:.1e}) | {same} |")

    others = [n for n in ("PyTorch", "JAX") if n in sides]
    cad = sides["cadena"][0]
    head = " | ".join(f"{n} ms" for n in others)
    ratios = " | ".join(f"cadena / {n}" for n in others)
    best = " | ".join(f"fastest: cadena / {n}" for n in others)
    print("\nmedians in ms; ratios of medians, then of the fastest calls (`!`: cadena slower)")
    print(f"| case | measure | cadena ms | {head} | {ratios} | {best} |")
    print("|---|---|---|" + "---|" * (3 * len(others)))

    def ratio(a: float, b: float) -> str:
        r = a / b
        return f"{r:.2f}{' !' if r > 1.0 else ''}"

    for case in dict.fromkeys(c for c, _ in cad):
        for measure in MEASURES:
            if (case, measure) not in cad:
                continue
            med, fast = cad[(case, measure)]
            vals = [sides[n][0].get((case, measure)) for n in others]
            cells = [f"{v[0]:.3f}" if v else "—" for v in vals]
            rs = [ratio(med, v[0]) if v else "—" for v in vals]
            bs = [ratio(fast, v[1]) if v else "—" for v in vals]
            print(f"| {case} | {measure} | {med:.3f} | " + " | ".join(cells + rs + bs) + " |")


if __name__ == "__main__":
    main()
