#!/usr/bin/env python3
"""Fits the f32 `tanh` kernel of runtime/src/ops/tensor/fast.rs.

tanh x ≈ x · P(x²) / Q(x²) on |x| ≤ 9, P of degree 6 and Q of degree 3 in u = x², Q(0) = 1.
Method: the linearised least-squares problem x·P(u) − tanh(x)·(Q(u) − 1) = tanh(x) on a
dense grid of [0, 9], solved repeatedly with weights 1/|Q_prev(u)| (Sanathanan–Koerner,
so the residual approaches the true error P/Q − tanh) and, after ten rounds, Lawson
reweighting towards equal ripple (minimax). u is scaled to [0, 1] for conditioning and
the coefficients unscaled at the end. Then the f32 evaluation the kernel performs
(Horner, no FMA, clamp) is checked on a grid and near zero.

Run: python3 runtime/tools/fit_tanh.py        (numpy only; prints the constants)
"""

import numpy as np

CLAMP, NP, NQ = 9.0, 6, 3


def fit():
    x = np.linspace(0.0, CLAMP, 100_001)
    scale = CLAMP * CLAMP
    v = x * x / scale
    t = np.tanh(x)
    w_sk = np.ones_like(x)
    w_lawson = np.ones_like(x)
    for round_ in range(40):
        a = np.hstack([x[:, None] * v[:, None] ** np.arange(NP + 1), -(t[:, None] * v[:, None] ** np.arange(1, NQ + 1))])
        w = w_sk * w_lawson
        coef, *_ = np.linalg.lstsq(a * w[:, None], t * w, rcond=None)
        ps, qs = coef[: NP + 1], np.concatenate([[1.0], coef[NP + 1 :]])
        qv = np.polyval(qs[::-1], v)
        err = x * np.polyval(ps[::-1], v) / qv - t
        w_sk = 1.0 / np.abs(qv)
        if round_ >= 10:
            w_lawson = w_lawson * (np.abs(err) / np.abs(err).max()) ** 0.3 + 1e-12
            w_lawson /= w_lawson.max()
    p = (ps / scale ** np.arange(NP + 1)).astype(np.float32)
    p[0] = 1.0  # the fit gives 1 - 6e-8; exactly 1 keeps tanh x = x for tiny x
    q = (qs / scale ** np.arange(NQ + 1)).astype(np.float32)
    return p, q, float(np.abs(err).max())


def tanh32(xs, p, q):
    f = np.float32
    xs = np.clip(xs.astype(f), f(-CLAMP), f(CLAMP))
    u = xs * xs
    pp = p[NP]
    for c in p[:NP][::-1]:
        pp = pp * u + c
    qq = q[NQ]
    for c in q[:NQ][::-1]:
        qq = qq * u + c
    return np.clip(xs * pp / qq, f(-1), f(1))


def main():
    p, q, fit_err = fit()
    g = np.arange(-100_000, 100_001, dtype=np.float64).astype(np.float32) * np.float32(1e-4)
    got, want = tanh32(g, p, q).astype(np.float64), np.tanh(g.astype(np.float64))
    ulp = np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
    print(f"fit error (f64): {fit_err:.2e}")
    print(f"f32 evaluation on every 1e-4 of [-10, 10]: max abs {np.abs(got - want).max():.2e}, max ulp {(np.abs(got - want) / ulp).max():.2f}")
    for i, c in enumerate(p[1:], 1):
        print(f"const P{i}: f32 = {float(c)!r};")
    for i, c in enumerate(q[1:], 1):
        print(f"const Q{i}: f32 = {float(c)!r};")


if __name__ == "__main__":
    main()
