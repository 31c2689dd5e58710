#!/usr/bin/env python3
"""The JAX side of `cargo bench --bench scalar` (issue 14's W1 and W2): per-sample
gradients of the course's scalar networks over 1M samples, f64, one thread.

* W1, the logistic neuron: L = bce(sigmoid(w1 x1 + w2 x2 + b), y), gradient in w1, w2, b;
* W2, the 2-2-1 network: L = bce(sigmoid(w2 tanh(w11 x1 + w12 x2 + b1) + b2), y), in the
  five weights.

Two ways each, both `jit`-compiled: `vmap(value_and_grad(loss))` (one loss and gradient
per sample, like calling `grad` per sample) and `value_and_grad` of the summed loss (like
`grad_sum`). Inputs in [-3, 3], labels 0 or 1, random (seeded), as the Rust bench.
Times are the median of 15 runs after a warm-up, in ns per sample.

    pip install jax jaxlib
    taskset -c 1 python3 benches/jax_scalar.py
"""

from __future__ import annotations

import os

os.environ.setdefault(
    "XLA_FLAGS",
    "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1 inter_op_parallelism_threads=1",
)
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import statistics  # noqa: E402
import time  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)

N = 1_000_000


def bce_logits(z, y):
    # The stable form jax.nn offers: softplus(z) - y z = bce(sigmoid(z), y).
    return jax.nn.softplus(z) - y * z


def neuron(w, x1, x2, y):
    w1, w2, b = w
    return bce_logits(w1 * x1 + w2 * x2 + b, y)


def shallow(w, x1, x2, y):
    w11, w12, b1, w2, b2 = w
    a1 = jnp.tanh(w11 * x1 + w12 * x2 + b1)
    return bce_logits(w2 * a1 + b2, y)


def median_ns(f, *args) -> float:
    jax.block_until_ready(f(*args))
    times = []
    for _ in range(15):
        start = time.perf_counter()
        jax.block_until_ready(f(*args))
        times.append(time.perf_counter() - start)
    return statistics.median(times) / N * 1e9


def main() -> None:
    rng = np.random.default_rng(7)
    x1 = jnp.asarray(rng.uniform(-3, 3, N))
    x2 = jnp.asarray(rng.uniform(-3, 3, N))
    y = jnp.asarray((rng.uniform(0, 1, N) < 0.5).astype(np.float64))
    print(f"JAX {jax.__version__}, f64, {N} samples, ns per sample (median of 15)")
    print("workload   vmap(value_and_grad)   value_and_grad(sum)")
    for name, loss, w in [
        ("W1 neuron", neuron, jnp.array([0.3, -0.2, 0.1])),
        ("W2 2-2-1", shallow, jnp.array([0.3, -0.2, 0.1, 0.8, -0.1])),
    ]:
        per_sample = jax.jit(jax.vmap(jax.value_and_grad(loss), in_axes=(None, 0, 0, 0)))
        summed = jax.jit(jax.value_and_grad(lambda w, a, b, c: jnp.sum(loss(w, a, b, c))))
        print(f"{name:<10} {median_ns(per_sample, w, x1, x2, y):>20.2f} {median_ns(summed, w, x1, x2, y):>21.2f}")


if __name__ == "__main__":
    main()
