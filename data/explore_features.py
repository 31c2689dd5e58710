#!/usr/bin/env python3
"""Which features and MLP sizes work on data/drums — judged on the TRAINING kits only.

The test kits of data/drums/split.txt are dropped as the clips are read: nothing here
looks at them. The score is leave-one-source-out cross-validation over the training
kits: each source (colombo, artemio, forzee, macarthur, millo; see split.txt) is held
out in turn, a model is trained on the others (StandardScaler fitted on them), and the
held-out predictions of all five folds are pooled into one accuracy. That is repeated
for 3 seeds; the table shows the mean and the worst seed. Holding out whole sources is
what the test split does, so this ranks choices the way the test kits would, without
spending them.

Features (librosa defaults: 22.05 kHz clips, n_fft 2048, hop 512, 128 mel bands; 24 frames
per 12 000-sample clip), each summarised over frames by mean and standard deviation:
  mfcc20   20 MFCCs                         delta   their first differences (librosa delta)
  spec     spectral centroid, rolloff, bandwidth   zcr   zero-crossing rate   rms   RMS
  contrast spectral contrast (7 bands)      logmel  the 128 log-mel bands themselves
  env      the RMS envelope in dB, frame by frame (24 numbers, not summarised)

Setup:  pip install librosa scikit-learn soundfile
Run:    python3 data/explore_features.py | tee data/explore_features.txt   (~15 min, 1 core)
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import warnings

import librosa
import numpy as np
import sklearn
import soundfile as sf
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DRUMS = os.path.join(HERE, "drums")
CLASSES = ("kick", "snare", "tom", "hihat", "cymbal")
SEEDS = (0, 1, 2)


def read_split() -> dict[str, tuple[str, str]]:
    split = {}
    with open(os.path.join(DRUMS, "split.txt"), encoding="utf-8") as f:
        for line in f:
            w = line.split("#", 1)[0].split()
            if w:
                split[w[0]] = (w[1], w[2])
    return split


def ms(m: np.ndarray) -> np.ndarray:
    m = np.atleast_2d(m)
    return np.concatenate([m.mean(axis=1), m.std(axis=1)])


def features(y: np.ndarray, sr: int) -> dict[str, np.ndarray]:
    power = np.abs(librosa.stft(y)) ** 2
    mag = np.sqrt(power)
    logmel = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sr))
    mfcc = librosa.feature.mfcc(S=logmel, n_mfcc=20)
    rms = librosa.feature.rms(y=y)
    return {
        "mfcc20": ms(mfcc),
        "mfcc13": ms(mfcc[:13]),
        "delta": ms(librosa.feature.delta(mfcc)),
        "spec": np.concatenate(
            [
                ms(librosa.feature.spectral_centroid(S=mag, sr=sr)),
                ms(librosa.feature.spectral_rolloff(S=mag, sr=sr)),
                ms(librosa.feature.spectral_bandwidth(S=mag, sr=sr)),
            ]
        ),
        "zcr": ms(librosa.feature.zero_crossing_rate(y)),
        "rms": ms(rms),
        "contrast": ms(librosa.feature.spectral_contrast(S=mag, sr=sr)),
        "logmel": ms(logmel),
        "env": librosa.amplitude_to_db(rms[0], ref=1.0),
    }


def cv(blocks, names, y, groups, hidden=(64,), activation="relu", alpha=1e-4):
    x = np.hstack([blocks[n] for n in names])
    accs = []
    for seed in SEEDS:
        correct = 0
        for g in sorted(set(groups)):
            te, tr = groups == g, groups != g
            sc = StandardScaler().fit(x[tr])
            clf = MLPClassifier(
                hidden_layer_sizes=hidden, activation=activation, alpha=alpha, max_iter=2000, random_state=seed
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(sc.transform(x[tr]), y[tr])
            correct += int(np.sum(clf.predict(sc.transform(x[te])) == y[te]))
        accs.append(correct / len(y))
    return x.shape[1], float(np.mean(accs)), float(np.min(accs))


def main() -> None:
    split = read_split()
    rows, labels, groups = [], [], []
    for ci, cls in enumerate(CLASSES):
        for name in sorted(os.listdir(os.path.join(DRUMS, cls))):
            kit = name.split("__", 1)[0]
            if not name.endswith(".wav") or split[kit][0] != "train":
                continue  # test kits are never read
            y, sr = sf.read(os.path.join(DRUMS, cls, name), dtype="float32")
            rows.append(features(y, sr))
            labels.append(ci)
            groups.append(split[kit][1])
    blocks = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    y, groups = np.array(labels), np.array(groups)

    print("cadena audio case study: feature / MLP exploration on the TRAINING kits of data/drums")
    print(f"date     {datetime.date.today().isoformat()}")
    print(
        f"versions python {platform.python_version()}, numpy {np.__version__}, librosa {librosa.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )
    sizes = {str(g): int(np.sum(groups == g)) for g in sorted(set(groups))}
    print(f"data     {len(y)} training clips; folds (held-out source: clips): {sizes}")
    print("score    leave-one-source-out accuracy, pooled over the folds; mean and worst of seeds 0-2")
    print()

    print("1. features, with MLPClassifier((64,), relu, alpha=1e-4)  [= compare_sklearn.py's model]")
    print(f"   {'features':40s} {'dims':>5s} {'cv':>6s} {'worst':>6s}")
    feature_sets = [
        ["mfcc13"],
        ["mfcc20"],
        ["mfcc20", "delta"],
        ["mfcc20", "spec"],
        ["mfcc20", "zcr"],
        ["mfcc20", "rms"],
        ["mfcc20", "contrast"],
        ["mfcc20", "env"],
        ["spec", "zcr", "rms"],
        ["mfcc20", "spec", "zcr", "rms"],
        ["mfcc20", "delta", "spec", "zcr", "rms"],
        ["mfcc20", "delta", "spec", "zcr", "rms", "env"],
        ["logmel"],
    ]
    for names in feature_sets:
        d, m, w = cv(blocks, names, y, groups)
        print(f"   {'+'.join(names):40s} {d:5d} {m:6.3f} {w:6.3f}", flush=True)

    print()
    print("2. MLP size, activation and L2 (sklearn alpha), for two feature sets")
    print(f"   {'features':32s} {'hidden':>8s} {'act':>5s} {'alpha':>7s} {'cv':>6s} {'worst':>6s}")
    for names in (["mfcc20"], ["mfcc20", "delta", "spec", "zcr", "rms"]):
        for hidden in ((16,), (64,), (256,), (64, 32)):
            for act in ("relu", "tanh"):
                for alpha in (1e-4, 1.0):
                    _, m, w = cv(blocks, names, y, groups, hidden=hidden, activation=act, alpha=alpha)
                    print(
                        f"   {'+'.join(names):32s} {str(hidden):>8s} {act:>5s} {alpha:7g} {m:6.3f} {w:6.3f}",
                        flush=True,
                    )
    print()
    print("sklearn's alpha adds alpha/(2*batch) * sum(w^2) to the mean cross-entropy of a batch")
    print("(batch = min(200, n)); alpha=1 with batch 200 is an L2 term 0.0025 * sum(w^2).")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(__doc__)
    main()
