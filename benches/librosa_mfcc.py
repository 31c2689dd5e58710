#!/usr/bin/env python3
"""Times librosa.feature.mfcc on the clip `cargo bench --bench audio` writes, on one core.

    cargo bench --bench audio            # writes target/audio_bench_clip.wav
    python3 benches/librosa_mfcc.py      # or: python3 benches/librosa_mfcc.py CLIP.wav

Thread pools are limited to one thread before numpy/scipy load, and the process is pinned
to one CPU where the OS allows it, so the figure compares with cadena's one-thread bench.
Reports the median and the best of 30 runs after 3 warm-up runs, in ms per clip and
seconds of audio per second (the best is the figure to compare with the Rust bench's
best-of-N on a shared machine).
"""

import os
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

import librosa  # noqa: E402
import numpy as np  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "target", "audio_bench_clip.wav")
    y, sr = librosa.load(path, sr=None)
    seconds = len(y) / sr
    for _ in range(3):
        librosa.feature.mfcc(y=y, sr=sr)
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        librosa.feature.mfcc(y=y, sr=sr)
        times.append(time.perf_counter() - t0)
    stft_times = []
    for _ in range(30):
        t0 = time.perf_counter()
        np.abs(librosa.stft(y)) ** 2
        stft_times.append(time.perf_counter() - t0)
    med, stft_med = float(np.median(times)), float(np.median(stft_times))
    print(f"librosa {librosa.__version__}, numpy {np.__version__}, clip {seconds:.1f} s at {sr} Hz")
    print(f"librosa.feature.mfcc: {med * 1e3:.2f} ms per clip, {seconds / med:.0f} s of audio per s")
    print(f"  of which |stft|^2:  {stft_med * 1e3:.2f} ms")
    best = min(times)
    print(f"best of 30: {best * 1e3:.2f} ms per clip, {seconds / best:.0f} s of audio per s")


if __name__ == "__main__":
    main()
