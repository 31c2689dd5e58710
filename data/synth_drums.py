#!/usr/bin/env python3
"""A synthesised drum set, to check the case-study models beyond the bundled kits.

Five classes as in data/drums (kick, snare, tom, hihat, cymbal), each hit made from the
textbook recipe of its class (a kick is a sine swept down from ~150 Hz, a tom a higher,
slower sweep, a snare a short tone plus noise, a hihat short high-passed noise, a cymbal
long noise with metallic partials). Every "kit" draws its own version of each recipe
(pitch, sweep, decay, brightness, noise colour), and every hit varies within its kit
(gain, a small onset delay, slight pitch and decay changes); each kit also has its own
recording chain (a low-pass and a noise floor). Kits' ranges overlap between classes (a
high kick and a low tom, an open hihat and a short cymbal). Train and test are different kits, as in the bundled split:

    synth/train/<class>/k<kit>_<n>.wav   kits 0-5, 8 hits per class and kit
    synth/test/<class>/k<kit>_<n>.wav    kits 6-8, 8 hits per class and kit

22,050 Hz, 16-bit mono, 0.5 s. Standard library only; seeded, so the files are the same
on every run.

    python3 data/synth_drums.py target/synth
    cargo run --release --example audio_mlp_mfcc -- --data target/synth/train --test-data target/synth/test
    cargo run --release --example audio_cnn -- --data target/synth/train --test-data target/synth/test
"""

from __future__ import annotations

import math
import pathlib
import random
import struct
import sys
import wave

SR = 22_050
LENGTH = int(0.5 * SR)
CLASSES = ["kick", "snare", "tom", "hihat", "cymbal"]


def kit_params(rng: random.Random) -> dict:
    """One kit's version of each recipe."""
    return {
        "kick": dict(f0=rng.uniform(40, 90), sweep=rng.uniform(30, 140), rate=rng.uniform(15, 60),
                     decay=rng.uniform(4, 14), click=rng.uniform(0.0, 0.5)),
        "tom": dict(f0=rng.uniform(70, 200), sweep=rng.uniform(10, 80), rate=rng.uniform(8, 30),
                    decay=rng.uniform(4, 12), click=rng.uniform(0.0, 0.4)),
        "snare": dict(f0=rng.uniform(140, 280), decay=rng.uniform(8, 25), noise=rng.uniform(0.3, 0.9),
                      colour=rng.uniform(0.1, 0.8)),
        "hihat": dict(decay=rng.uniform(6, 45), colour=rng.uniform(0.7, 0.97)),
        "cymbal": dict(decay=rng.uniform(2.0, 8.0), colour=rng.uniform(0.5, 0.9),
                       partials=[rng.uniform(2000, 9000) for _ in range(6)]),
        # The kit's recording chain: a one-pole low-pass and a noise floor.
        "chain": dict(smooth=rng.uniform(0.0, 0.8), floor_db=rng.uniform(-60, -30)),
    }


def hit(kind: str, p: dict, chain: dict, rng: random.Random) -> list[float]:
    jitter = lambda x, r=0.08: x * rng.uniform(1 - r, 1 + r)  # noqa: E731
    delay = rng.randrange(0, int(0.02 * SR))
    gain = 10 ** (rng.uniform(-12, 0) / 20)
    out = [0.0] * LENGTH
    phase, last, hp = 0.0, 0.0, 0.0
    for n in range(LENGTH - delay):
        t = n / SR
        white = rng.uniform(-1, 1)
        if kind in ("kick", "tom"):
            f = jitter(p["f0"], 0.03) + p["sweep"] * math.exp(-t * p["rate"])
            phase += 2 * math.pi * f / SR
            v = math.sin(phase) * math.exp(-t * jitter(p["decay"]))
            v += p["click"] * white * math.exp(-t * 300)
        elif kind == "snare":
            phase += 2 * math.pi * jitter(p["f0"], 0.03) / SR
            tone = math.sin(phase) * math.exp(-t * 30)
            last = p["colour"] * last + (1 - p["colour"]) * white  # low-passed noise
            noise = (white - last) * math.exp(-t * jitter(p["decay"]))
            v = (1 - p["noise"]) * tone + p["noise"] * noise
        elif kind == "hihat":
            hp = p["colour"] * (hp + white - last)  # high-passed noise
            last = white
            v = 2 * hp * math.exp(-t * jitter(p["decay"]))
        else:
            hp = p["colour"] * (hp + white - last)
            last = white
            ring = sum(math.sin(2 * math.pi * f * t) for f in p["partials"]) / len(p["partials"])
            v = (0.7 * hp + 0.3 * ring) * math.exp(-t * jitter(p["decay"]))
        out[n + delay] = gain * 0.8 * v
    floor = 10 ** ((chain["floor_db"] + rng.uniform(-5, 5)) / 20)
    smoothed, y = [], 0.0
    for v in out:
        y = chain["smooth"] * y + (1 - chain["smooth"]) * v
        smoothed.append(y + floor * rng.uniform(-1, 1))
    return smoothed


def write(path: pathlib.Path, samples: list[float]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, v)) * 32767)) for v in samples))


def main() -> None:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/synth")
    for split, kits, per_kit in (("train", range(0, 6), 8), ("test", range(6, 9), 8)):
        for kit in kits:
            rng = random.Random(1000 + kit)
            params = kit_params(rng)
            for kind in CLASSES:
                for n in range(per_kit):
                    samples = hit(kind, params[kind], params["chain"], rng)
                    write(root / split / kind / f"k{kit}_{n:02}.wav", samples)
    print(f"wrote {root}/train (6 kits) and {root}/test (3 kits)")


if __name__ == "__main__":
    main()
