#!/usr/bin/env python3
"""Issue 14's table in one run: hand-written Rust, cadena and JAX on the same four
workloads, one thread, pinned to one core where `taskset` exists.

* W1, the logistic neuron, f64, ns per sample-gradient (`cargo bench --bench scalar`;
  cadena's `neuron::grad_sum` and a loop of `neuron::grad`; JAX's `vmap(value_and_grad)`
  from `benches/jax_scalar.py`);
* W2, the 2-2-1 tanh/sigmoid network, the same way;
* W3, MLP 40-128-64-10, batch 256, f32, µs per forward + backward (`cargo bench --bench
  mlp`: interleaved medians, and the fastest block; JAX `jit(value_and_grad)` from
  `benches/jax_mlp.py`: median and best);
* W4, one SGD epoch of W3 over 60,000 samples, ms (`cargo bench --bench train`: medians
  and the fastest epoch; JAX: one `lax.scan`, median and best).

JAX is used when `import jax` works in this Python (`pip install jax jaxlib`); otherwise
its column says it was skipped. Takes a few minutes (criterion's groups and the epochs).

    python3 benches/table.py

The convolution kernels' table (cadena, PyTorch and JAX; conv1d and conv2d forward and
backward) is `python3 benches/conv_table.py`.
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


def run(cmd: list[str]) -> str:
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout


def bench(name: str) -> str:
    run(["cargo", "bench", "--bench", name, "--no-run"])
    return run(PIN + ["cargo", "bench", "--bench", name])


def number(pattern: str, text: str) -> float | None:
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def machine() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    scalar = bench("scalar")
    mlp = bench("mlp")
    train = bench("train")
    rows = {
        "W1 neuron, f64, ns per sample-gradient": {
            "hand": number(r"\nneuron\s+[\d.]+\s+([\d.]+)", scalar),
            "cadena": number(r"neuron::grad_sum ([\d.]+) ns/sample", scalar),
            "loop": number(r"\nneuron\s+([\d.]+)", scalar),
        },
        "W2 2-2-1, f64, ns per sample-gradient": {
            "hand": number(r"\nshallow\s+[\d.]+\s+([\d.]+)", scalar),
            "cadena": number(r"shallow::grad_sum ([\d.]+) ns/sample", scalar),
            "loop": number(r"\nshallow\s+([\d.]+)", scalar),
        },
        "W3 MLP batch 256, f32, µs fwd+bwd": {
            "hand": number(r"hand-written ([\d.]+) µs, generated/hand-written", mlp),
            "cadena": number(r"interleaved medians over \d+ rounds of \d+ calls: generated ([\d.]+) µs", mlp),
            "cadena_best": number(r"fastest block: generated ([\d.]+) µs", mlp),
        },
        "W4 SGD epoch of W3, 60,000 samples, ms": {
            "cadena": number(r"fit with the generated gradient ([\d.]+) ms, ", train),
            "cadena_best": number(r"fastest epochs: .* fit with the generated gradient ([\d.]+) ms", train),
        },
    }
    # The train bench gives the hand-written epoch as a ratio to the generated one.
    w4 = rows["W4 SGD epoch of W3, 60,000 samples, ms"]
    ratio = number(r"([\d.]+)× fit with the hand-written one", train)
    w4["hand"] = w4["cadena"] / ratio if w4["cadena"] and ratio else None
    jax_note = "skipped: `import jax` failed in this Python (pip install jax jaxlib)"
    if importlib.util.find_spec("jax") is not None:
        js = run(PIN + [sys.executable, "benches/jax_scalar.py"])
        jm = run(PIN + [sys.executable, "benches/jax_mlp.py"])
        rows["W1 neuron, f64, ns per sample-gradient"]["jax"] = number(r"W1 neuron\s+([\d.]+)", js)
        rows["W2 2-2-1, f64, ns per sample-gradient"]["jax"] = number(r"W2 2-2-1\s+([\d.]+)", js)
        w3, w4 = rows["W3 MLP batch 256, f32, µs fwd+bwd"], rows["W4 SGD epoch of W3, 60,000 samples, ms"]
        w3["jax"] = number(r"grad, batch 256 \(jit value_and_grad\)\s+([\d.]+)", jm)
        w3["jax_best"] = number(r"grad, batch 256 \(jit value_and_grad\)\s+[\d.]+µs\s+([\d.]+)", jm)
        w4["jax"] = number(r"one lax.scan\)\s+([\d.]+)", jm)
        w4["jax_best"] = number(r"one lax.scan\)\s+[\d.]+ms\s+([\d.]+)", jm)
        jax_note = js.splitlines()[0]

    def cell(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}" if v < 100 else f"{v:.1f}"

    print(f"\nmachine: {machine()}, one thread; JAX: {jax_note}\n")
    # The two sides run minutes apart on a shared machine, so load can move one and not
    # the other; the fastest figures (least disturbed by neighbours) give a second ratio.
    print("| workload | hand-written | JAX | cadena | cadena / JAX | fastest: cadena / JAX |")
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        jax, cad = r.get("jax"), r.get("cadena")
        ratio = f"{cad / jax:.2f}" if jax and cad else "—"
        jb, cb = r.get("jax_best"), r.get("cadena_best")
        best = f"{cell(cb)} / {cell(jb)} = {cb / jb:.2f}" if jb and cb else "—"
        extra = f" (`grad` in a loop: {cell(r['loop'])})" if r.get("loop") else ""
        print(f"| {name} | {cell(r.get('hand'))} | {cell(jax)} | {cell(cad)}{extra} | {ratio} | {best} |")


if __name__ == "__main__":
    main()
