#!/usr/bin/env python3
"""The JAX side of `cargo bench --bench lstm`: ADBench's LSTM objective (lstm_l2_c1024,
width 14, f64), written layer by layer as the Rust bench writes it (each layer a
`lax.scan` over the sequence, handing its outputs to the next), timed as
`jit(value_and_grad)` after a warm-up (compilation excluded). One thread, like the Rust
bench:

    taskset -c 1 python3 benches/jax_lstm.py

Prints the median and fastest of 30 calls, and the objective (same inputs: the seeded
generator below is the Rust bench's), so the two can be checked against each other.
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

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

LAYERS, CHARS, WIDTH = 2, 1024, 14
MASK = (1 << 64) - 1


class Rng:
    """The Rust bench's xorshift-multiply generator, value for value."""

    def __init__(self, seed: int):
        self.s = seed

    def array(self, shape):
        n = int(np.prod(shape))
        out = np.empty(n)
        for k in range(n):
            self.s ^= self.s >> 12
            self.s ^= (self.s << 25) & MASK
            self.s ^= self.s >> 27
            out[k] = (((self.s * 0x2545F4914F6CDD1D) & MASK) >> 11) / float(1 << 53) - 0.5
        return out.reshape(shape)


def setup():
    r = Rng(7)
    layers = []
    for _ in range(LAYERS):
        w = r.array((4, WIDTH))
        bias = r.array((4, WIDTH))
        layers.append((w, bias))
    extra = r.array((3, WIDTH))
    state = r.array((2 * LAYERS, WIDTH))
    seq = np.zeros((CHARS, WIDTH))
    for t in range(CHARS):
        seq[t, (t * 7 + t // 3) % WIDTH] = 1.0
    params = ([(jnp.asarray(w), jnp.asarray(b)) for w, b in layers], jnp.asarray(extra))
    return params, jnp.asarray(state), jnp.asarray(seq)


def objective(params, state, seq):
    layers, extra = params
    x = seq[:-1] * extra[0]
    for i, (w, bias) in enumerate(layers):

        def step(carry, xt, w=w, bias=bias):
            h, cell = carry
            forget = jax.nn.sigmoid(xt * w[0] + bias[0])
            ingate = jax.nn.sigmoid(h * w[1] + bias[1])
            outgate = jax.nn.sigmoid(xt * w[2] + bias[2])
            change = jnp.tanh(h * w[3] + bias[3])
            cell = cell * forget + ingate * change
            h = outgate * jnp.tanh(cell)
            return (h, cell), h

        _, x = jax.lax.scan(step, (state[2 * i], state[2 * i + 1]), x)
    ypred = x * extra[1] + extra[2]
    ynorm = ypred - jnp.log(jnp.sum(jnp.exp(ypred), axis=1) + 2.0)[:, None]
    return -jnp.sum(seq[1:] * ynorm) / ((CHARS - 1) * WIDTH)


def timed(f, runs=30):
    for _ in range(3):
        jax.block_until_ready(f())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        jax.block_until_ready(f())
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times)


def main():
    params, state, seq = setup()
    grad = jax.jit(jax.value_and_grad(objective))
    fwd = jax.jit(objective)
    value, _ = grad(params, state, seq)
    print(f"lstm_l{LAYERS}_c{CHARS} (width {WIDTH}, f64, one thread, JAX {jax.__version__}): objective {float(value):.6f}")
    gm, gf = timed(lambda: grad(params, state, seq))
    fm, ff = timed(lambda: fwd(params, state, seq))
    print("| JAX | median ms | fastest ms |")
    print("|---|---|---|")
    print(f"| objective + gradient | {gm:.3f} | {gf:.3f} |")
    print(f"| objective alone | {fm:.3f} | {ff:.3f} |")


if __name__ == "__main__":
    main()
