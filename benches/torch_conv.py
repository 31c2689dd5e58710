#!/usr/bin/env python3
"""PyTorch's side of `cargo bench --bench conv`: conv1d and conv2d forward and backward at
an audio CNN's shapes, f32, one thread, printing the same table as benches/conv.rs.

Cases (stride 1, padding 1, 3-tap kernels, NCHW / OIHW):

* conv2d-l1: x 32 x 1 x 64 x 64 (a batch of log-mel patches), w 16 x 1 x 3 x 3;
* conv2d-l2: x 32 x 16 x 32 x 32 (after a 2 x 2 max-pool), w 32 x 16 x 3 x 3;
* conv1d:    x 32 x 16 x 64, w 32 x 16 x 3.

Measures (ms, median and fastest):

* forward: `F.conv2d` / `F.conv1d` under `torch.no_grad()` (the kernel alone);
* vjp_x, vjp_w, vjp_b: `aten.convolution_backward` with one output of its mask, given a
  random upstream gradient g (the kernel autograd calls, one gradient at a time);
* backward: `aten.convolution_backward` for all three gradients at once, as autograd
  calls it (oneDNN computes the bias gradient in the weight gradient's pass);
* fwd+bwd: the forward with autograd recording, then `torch.autograd.grad(y, (x, w, b), g)`
  (forward and the three gradients, input gradient included);
* loss-grad: `torch.autograd.grad((conv(x, w, b) * g).sum(), (x, w, b))`, the loss that
  cadena's `#[differentiable]` row differentiates.

All measures are timed in alternation, one call of each per round (5 untimed rounds, then
101, or CONV_ROUNDS), as in conv.rs. Before the table, checksums for the fixed inputs
x[i] = ((7 i mod m) - m//2) / (m//2) (m = 97 for x, 13 for w, 5 for b, i the flat
index) and g of ones, to compare with conv.rs and jax_conv.py. The header names the
kernel PyTorch dispatched to (oneDNN's `mkldnn_convolution` where it is used).

    pip install torch numpy
    taskset -c 1 python3 benches/torch_conv.py
    python3 benches/conv_table.py     # all three and the ratio table
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("KINETO_LOG_LEVEL", "5")  # the profiler in kernels() is quiet

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

WARMUP = 5
ROUNDS = int(os.environ.get("CONV_ROUNDS", "101"))

# name, x shape, w shape
CASES = [
    ("conv2d-l1", (32, 1, 64, 64), (16, 1, 3, 3)),
    ("conv2d-l2", (32, 16, 32, 32), (32, 16, 3, 3)),
    ("conv1d", (32, 16, 64), (32, 16, 3)),
]


def conv(x, w, b):
    if x.dim() == 4:
        return F.conv2d(x, w, b, stride=1, padding=1)
    return F.conv1d(x, w, b, stride=1, padding=1)


def fixed(shape, m):
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=torch.int64)
    h = m // 2
    return (((7 * i) % m - h).to(torch.float32) / torch.tensor(h, dtype=torch.float32)).reshape(shape)


def out_shape(xs, ws):
    return (xs[0], ws[0], *xs[2:])


def backward(g, x, w, mask):
    k = x.dim() - 2
    return torch.ops.aten.convolution_backward(
        g, x, w, [w.shape[0]], [1] * k, [1] * k, [1] * k, False, [0] * k, 1, mask
    )


def measures(name, xs, ws, gen):
    x = torch.rand(xs, generator=gen) * 2 - 1
    w = torch.rand(ws, generator=gen) * 2 - 1
    b = torch.rand(ws[0], generator=gen) * 2 - 1
    g = torch.rand(out_shape(xs, ws), generator=gen) * 2 - 1
    xr, wr, br = (t.clone().requires_grad_() for t in (x, w, b))

    def forward():
        with torch.no_grad():
            return conv(x, w, b)

    def fwd_bwd():
        y = conv(xr, wr, br)
        return y, torch.autograd.grad(y, (xr, wr, br), g)

    def loss_grad():
        loss = (conv(xr, wr, br) * g).sum()
        return loss, torch.autograd.grad(loss, (xr, wr, br))

    return [
        (name, "forward", forward),
        (name, "vjp_x", lambda: backward(g, x, w, [True, False, False])),
        (name, "vjp_w", lambda: backward(g, x, w, [False, True, False])),
        (name, "vjp_b", lambda: backward(g, x, w, [False, False, True])),
        (name, "backward", lambda: backward(g, x, w, [True, True, True])),
        (name, "fwd+bwd", fwd_bwd),
        (name, "loss-grad", loss_grad),
    ]


def checksums():
    print("checksums (fixed inputs, g = ones): sum(y) sum(dx) sum(dw) sum(db), gradient shapes")
    for name, xs, ws in CASES:
        x, w, b = (fixed(xs, 97).requires_grad_(), fixed(ws, 13).requires_grad_(), fixed((ws[0],), 5).requires_grad_())
        y = conv(x, w, b)
        dx, dw, db = torch.autograd.grad(y, (x, w, b), torch.ones_like(y))
        sums = [t.detach().double().sum().item() for t in (y, dx, dw, db)]
        shapes = " ".join(f"{n} {list(t.shape)}" for n, t in (("dx", dx), ("dw", dw), ("db", db)))
        print(f"  {name:10} {sums[0]:.6e} {sums[1]:.6e} {sums[2]:.6e} {sums[3]:.6e}  {shapes}")


def kernels():
    """The aten kernels one forward and backward of each case dispatch to."""
    from torch.profiler import ProfilerActivity, profile

    names = []
    for _, xs, ws in CASES:
        x = torch.zeros(xs, requires_grad=True)
        w = torch.zeros(ws, requires_grad=True)
        b = torch.zeros(ws[0], requires_grad=True)
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            y = conv(x, w, b)
            torch.autograd.grad(y, (x, w, b), torch.ones_like(y))
        seen = {e.key for e in prof.key_averages()}
        names.append(sorted(k for k in seen if "mkldnn" in k or "slow_conv" in k or "thnn" in k or "convolution_backward" in k) or ["?"])
    return names


def main():
    gen = torch.Generator().manual_seed(10)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread, "
        f"mkldnn {'available' if torch.backends.mkldnn.is_available() else 'unavailable'}"
    )
    for (name, _, _), k in zip(CASES, kernels()):
        print(f"  {name}: {', '.join(k)}")
    checksums()
    ms = []
    for name, xs, ws in CASES:
        ms.extend(measures(name, xs, ws, gen))
    times = [[] for _ in ms]
    for r in range(WARMUP + ROUNDS):
        for (_, _, f), t in zip(ms, times):
            start = time.perf_counter()
            f()
            if r >= WARMUP:
                t.append(1e3 * (time.perf_counter() - start))
    print(f"torch, f32, {torch.get_num_threads()} thread, {ROUNDS} interleaved rounds after {WARMUP}")
    print(f"{'case':10} {'measure':10} {'median ms':>10} {'best ms':>10}")
    for (case, measure, _), t in zip(ms, times):
        print(f"{case:10} {measure:10} {statistics.median(t):10.3f} {min(t):10.3f}")


if __name__ == "__main__":
    main()
