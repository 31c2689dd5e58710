#!/usr/bin/env python3
"""Writes runtime/src/ops/loss_references.rs: the fused losses and their gradients where the
logits are large, to 60 significant digits (mpmath), for the accuracy tests.

- bce(sigmoid(z), y) = (1 - y) softplus(z) + y softplus(-z), its derivative in z
  (1 - y) sigmoid(z) - y sigmoid(-z), at z = ±20, ±30, ±36, ±700 and y = 0, 1, 0.25.
- softmax_cross_entropy of one row of logits [0.5 - gap, 0.5, -0.25 - gap] with class 1 the
  label (a confident, correct classifier), and the gradient softmax(z) - onehot(1), at
  gap = 20, 30, 36, 700.

Each value is printed as the shortest decimal that reads back as the nearest f64.

Run: python3 runtime/tools/loss_references.py > runtime/src/ops/loss_references.rs
(mpmath only)
"""

from mpmath import exp, log1p, mp, mpf

mp.dps = 60

ZS = [-700, -36, -30, -20, 20, 30, 36, 700]
YS = ["0", "1", "0.25"]
GAPS = [20, 30, 36, 700]


def softplus(x):
    return log1p(exp(x))


def sigmoid(x):
    return 1 / (1 + exp(-x))


def f64(x):
    """The literal of the f64 nearest to `x`."""
    text = repr(float(x))
    return text if ("e" in text or "." in text) else text + ".0"


def bce_rows():
    for y_text in YS:
        y = mpf(y_text)
        for z in ZS:
            z = mpf(z)
            loss = (1 - y) * softplus(z) + y * softplus(-z)
            grad = (1 - y) * sigmoid(z) - y * sigmoid(-z)
            yield f"    ({f64(z)}, {f64(y)}, {f64(loss)}, {f64(grad)}),"


def softmax_rows():
    for gap in GAPS:
        gap = mpf(gap)
        z = [mpf("0.5") - gap, mpf("0.5"), mpf("-0.25") - gap]
        e = [exp(v - z[1]) for v in z]
        s = sum(e)
        loss = log1p(e[0] + e[2])
        grad = [e[0] / s, -(e[0] + e[2]) / s, e[2] / s]
        yield (
            f"    ({f64(gap)}, {f64(loss)}),",
            f"    ({f64(gap)}, [{', '.join(f64(g) for g in grad)}]),",
        )


def main():
    bce = list(bce_rows())
    sce = list(softmax_rows())
    print("//! High-precision values of the fused losses and their gradients where the logits are")
    print("//! large, for the accuracy tests. Written by `runtime/tools/loss_references.py`")
    print("//! (mpmath, 60 digits, each rounded to the nearest f64); regenerate, do not edit.")
    print()
    print("/// `(z, y, bce(sigmoid(z), y), d/dz)`.")
    print(f"pub(crate) const BCE_LOGITS: [(f64, f64, f64, f64); {len(bce)}] = [")
    print("\n".join(bce))
    print("];")
    print()
    print("/// `(gap, loss)` of `softmax_cross_entropy` on the logits `[0.5 - gap, 0.5, -0.25 - gap]`")
    print("/// with class 1 the label.")
    print(f"pub(crate) const SOFTMAX_CROSS_ENTROPY: [(f64, f64); {len(sce)}] = [")
    print("\n".join(loss for loss, _ in sce))
    print("];")
    print()
    print("/// `(gap, softmax(z) - onehot(1))` for the logits of [`SOFTMAX_CROSS_ENTROPY`].")
    print("#[rustfmt::skip] // one row a line, as written")
    print(f"pub(crate) const SOFTMAX_CROSS_ENTROPY_GRAD: [(f64, [f64; 3]); {len(sce)}] = [")
    print("\n".join(grad for _, grad in sce))
    print("];")


if __name__ == "__main__":
    main()
