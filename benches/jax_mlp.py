#!/usr/bin/env python3
"""The JAX side of `cargo bench --bench mlp` and `cargo bench --bench train`.

Same workloads as the Rust benches, so their times can be set side by side:

* grad: batch 256, 40 -> 128 tanh -> 64 tanh -> 10 logits, mean softmax cross-entropy,
  forward and backward of every weight and bias, f32, `jax.jit(jax.value_and_grad(loss))`;
* epoch: one SGD epoch (lr 0.1) over 60,000 synthetic samples in batches of 256 (234 full
  batches and one of 96, like `cadena::data::Batches`), shuffled by a permutation; two
  ways, as the issue's reference does: the whole epoch in one jitted `lax.scan`, and a
  Python loop over a jitted step.

One thread, like the Rust benches: XLA's CPU thread pools are limited by the flags set
below before JAX is imported, and the script should run pinned to one core:

    pip install jax jaxlib
    taskset -c 1 python3 benches/jax_mlp.py

Times are the median of repeated runs after a warm-up (compilation excluded), printed as
a table with the versions used.
"""

from __future__ import annotations

import os

os.environ.setdefault(
    "XLA_FLAGS",
    "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1 inter_op_parallelism_threads=1",
)
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

BATCH, INPUTS, H1, H2, CLASSES = 256, 40, 128, 64, 10
SAMPLES, LR = 60_000, 0.1


def init(key):
    ks = jax.random.split(key, 3)

    def layer(k, fan_in, fan_out):
        s = (6.0 / (fan_in + fan_out)) ** 0.5
        return jax.random.uniform(k, (fan_in, fan_out), jnp.float32, -s, s), jnp.zeros(fan_out, jnp.float32)

    return [layer(ks[0], INPUTS, H1), layer(ks[1], H1, H2), layer(ks[2], H2, CLASSES)]


def loss(params, x, y):
    (w1, b1), (w2, b2), (w3, b3) = params
    h1 = jnp.tanh(x @ w1 + b1)
    h2 = jnp.tanh(h1 @ w2 + b2)
    z = h2 @ w3 + b3
    return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(z), axis=1))


grad = jax.jit(jax.value_and_grad(loss))


def sgd(params, x, y):
    value, g = jax.value_and_grad(loss)(params, x, y)
    return jax.tree_util.tree_map(lambda p, d: p - LR * d, params, g), value


@jax.jit
def step(params, x, y, idx):
    # The batch is gathered inside the jitted step, as `Batches` copies rows: indexing a
    # device array from Python would add a dispatch per step that JAX users avoid.
    return sgd(params, x[idx], y[idx])


@jax.jit
def epoch_scan(params, x, y, perm):
    full = (SAMPLES // BATCH) * BATCH
    xs, ys = x[perm], y[perm]
    xb = xs[:full].reshape(-1, BATCH, INPUTS)
    yb = ys[:full].reshape(-1, BATCH, CLASSES)

    def body(p, batch):
        return sgd(p, *batch)

    params, losses = jax.lax.scan(body, params, (xb, yb))
    params, last = sgd(params, xs[full:], ys[full:])
    return params, losses.sum() + last


def epoch_loop(params, x, y, batches):
    for idx in batches:
        params, _ = step(params, x, y, idx)
    return params


def median_time(f, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(f())
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def main() -> None:
    rng = np.random.default_rng(7)
    x_batch = jnp.asarray(rng.uniform(-1, 1, (BATCH, INPUTS)), jnp.float32)
    y_batch = jax.nn.one_hot(rng.integers(0, CLASSES, BATCH), CLASSES, dtype=jnp.float32)
    x_all = jnp.asarray(rng.uniform(-1, 1, (SAMPLES, INPUTS)), jnp.float32)
    y_all = jax.nn.one_hot(rng.integers(0, CLASSES, SAMPLES), CLASSES, dtype=jnp.float32)
    perm = jnp.asarray(rng.permutation(SAMPLES))
    batches = [perm[start : start + BATCH] for start in range(0, SAMPLES, BATCH)]
    params = init(jax.random.PRNGKey(0))

    for _ in range(50):
        jax.block_until_ready(grad(params, x_batch, y_batch))
    jax.block_until_ready(epoch_scan(params, x_all, y_all, perm))
    jax.block_until_ready(epoch_loop(params, x_all, y_all, batches))

    g_med, g_min = median_time(lambda: grad(params, x_batch, y_batch), 2000)
    s_med, s_min = median_time(lambda: epoch_scan(params, x_all, y_all, perm), 30)
    l_med, l_min = median_time(lambda: epoch_loop(params, x_all, y_all, batches), 15)

    print(f"JAX {jax.__version__}, jaxlib {jax.lib.__version__}, numpy {np.__version__}, python {platform.python_version()}")
    print(f"devices {jax.devices()}, XLA_FLAGS={os.environ['XLA_FLAGS']}")
    print(f"{'workload':42s} {'median':>10s} {'best':>10s}")
    print(f"{'grad, batch 256 (jit value_and_grad)':42s} {g_med * 1e6:8.1f}µs {g_min * 1e6:8.1f}µs")
    print(f"{'SGD epoch, 60,000 samples (one lax.scan)':42s} {s_med * 1e3:8.2f}ms {s_min * 1e3:8.2f}ms")
    print(f"{'SGD epoch, Python loop over jitted steps':42s} {l_med * 1e3:8.2f}ms {l_min * 1e3:8.2f}ms")


if __name__ == "__main__":
    main()
