#!/usr/bin/env python3
"""JAX's side of `cargo bench --bench conv`: conv1d and conv2d forward and backward at an
audio CNN's shapes, f32, one thread, printing the same table as benches/conv.rs.

Cases (stride 1, padding 1, 3-tap kernels), all through `lax.conv_general_dilated` with
dimension numbers NCHW / OIHW / NCHW (NCH / OIH / NCH for conv1d), plus the bias:

* conv2d-l1: x 32 x 1 x 64 x 64 (a batch of log-mel patches), w 16 x 1 x 3 x 3;
* conv2d-l2: x 32 x 16 x 32 x 32 (after a 2 x 2 max-pool), w 32 x 16 x 3 x 3;
* conv1d:    x 32 x 16 x 64, w 32 x 16 x 3.

Measures (ms, median and fastest), each a jitted function, timed to `block_until_ready`:

* forward: `jit(conv)`;
* vjp_x, vjp_w, vjp_b: `jit` of the pullback with respect to one argument, given a random
  upstream gradient g (XLA drops the unused forward, so this is the VJP alone);
* backward: the pullback with respect to all three, the output not returned (so the
  three VJPs alone);
* fwd+bwd: `jit` of `y, pullback = vjp(conv, x, w, b); return y, pullback(g)`: the output
  is returned so that XLA computes the forward too (a bare `grad` would let it drop it,
  the gradients of a convolution not needing its output);
* loss-grad: `jit(value_and_grad(lambda x, w, b: sum(conv(x, w, b) * g), (0, 1, 2)))`,
  the loss of cadena's `#[differentiable]` row (value and gradients, as `loss::grad`).

All measures are timed in alternation, one call of each per round (5 untimed rounds, then
101, or CONV_ROUNDS), as in conv.rs. Before the table, checksums for the fixed inputs
x[i] = ((7 i mod m) - m//2) / (m//2) (m = 97 for x, 13 for w, 5 for b, i the flat index)
and g of ones, to compare with conv.rs and torch_conv.py.

One thread, as jax_mlp.py: XLA's CPU thread pools are limited by the flags set below
before JAX is imported, and the script should run pinned to one core:

    pip install jax jaxlib
    taskset -c 1 python3 benches/jax_conv.py
    python3 benches/conv_table.py     # all three and the ratio table
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
from jax import lax  # noqa: E402

WARMUP = 5
ROUNDS = int(os.environ.get("CONV_ROUNDS", "101"))

CASES = [
    ("conv2d-l1", (32, 1, 64, 64), (16, 1, 3, 3)),
    ("conv2d-l2", (32, 16, 32, 32), (32, 16, 3, 3)),
    ("conv1d", (32, 16, 64), (32, 16, 3)),
]


def conv(x, w, b):
    k = x.ndim - 2
    dims = ("NCHW", "OIHW", "NCHW") if k == 2 else ("NCH", "OIH", "NCH")
    y = lax.conv_general_dilated(x, w, window_strides=(1,) * k, padding=((1, 1),) * k, dimension_numbers=dims)
    return y + b.reshape((1, -1) + (1,) * k)


def fixed(shape, m):
    i = np.arange(int(np.prod(shape)), dtype=np.int64)
    h = m // 2
    return jnp.asarray((((7 * i) % m - h).astype(np.float32) / np.float32(h)).reshape(shape))


@jax.jit
def fwd_bwd(x, w, b, g):
    y, pullback = jax.vjp(conv, x, w, b)
    return y, pullback(g)


@jax.jit
def loss_grad(x, w, b, g):
    return jax.value_and_grad(lambda x, w, b: jnp.sum(conv(x, w, b) * g), argnums=(0, 1, 2))(x, w, b)


forward = jax.jit(conv)
vjp_x = jax.jit(lambda x, w, b, g: jax.vjp(lambda x: conv(x, w, b), x)[1](g)[0])
vjp_w = jax.jit(lambda x, w, b, g: jax.vjp(lambda w: conv(x, w, b), w)[1](g)[0])
vjp_b = jax.jit(lambda x, w, b, g: jax.vjp(lambda b: conv(x, w, b), b)[1](g)[0])
backward = jax.jit(lambda x, w, b, g: jax.vjp(conv, x, w, b)[1](g))


def checksums():
    print("checksums (fixed inputs, g = ones): sum(y) sum(dx) sum(dw) sum(db), gradient shapes")
    for name, xs, ws in CASES:
        x, w, b = fixed(xs, 97), fixed(ws, 13), fixed((ws[0],), 5)
        y, (dx, dw, db) = fwd_bwd(x, w, b, jnp.ones((xs[0], ws[0], *xs[2:]), jnp.float32))
        sums = [float(np.asarray(t, np.float64).sum()) for t in (y, dx, dw, db)]
        shapes = " ".join(f"{n} {list(t.shape)}" for n, t in (("dx", dx), ("dw", dw), ("db", db)))
        print(f"  {name:10} {sums[0]:.6e} {sums[1]:.6e} {sums[2]:.6e} {sums[3]:.6e}  {shapes}")


def main():
    print(f"JAX {jax.__version__}, jaxlib {jax.lib.__version__}, devices {jax.devices()}, XLA_FLAGS={os.environ['XLA_FLAGS']}")
    checksums()
    rng = np.random.default_rng(10)

    def uniform(shape):
        return jnp.asarray(rng.uniform(-1, 1, shape), jnp.float32)

    ms = []
    for name, xs, ws in CASES:
        args = (uniform(xs), uniform(ws), uniform(ws[0]), uniform((xs[0], ws[0], *xs[2:])))
        ms += [
            (name, "forward", lambda a=args: forward(*a[:3])),
            (name, "vjp_x", lambda a=args: vjp_x(*a)),
            (name, "vjp_w", lambda a=args: vjp_w(*a)),
            (name, "vjp_b", lambda a=args: vjp_b(*a)),
            (name, "backward", lambda a=args: backward(*a)),
            (name, "fwd+bwd", lambda a=args: fwd_bwd(*a)),
            (name, "loss-grad", lambda a=args: loss_grad(*a)),
        ]
    times = [[] for _ in ms]
    for r in range(WARMUP + ROUNDS):
        for (_, _, f), t in zip(ms, times):
            start = time.perf_counter()
            jax.block_until_ready(f())
            if r >= WARMUP:
                t.append(1e3 * (time.perf_counter() - start))
    print(f"jax, f32, one thread (XLA_FLAGS above), {ROUNDS} interleaved rounds after {WARMUP}")
    print(f"{'case':10} {'measure':10} {'median ms':>10} {'best ms':>10}")
    for (case, measure, _), t in zip(ms, times):
        print(f"{case:10} {measure:10} {statistics.median(t):10.3f} {min(t):10.3f}")


if __name__ == "__main__":
    main()
