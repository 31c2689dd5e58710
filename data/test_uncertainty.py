#!/usr/bin/env python3
"""How precisely the held-out kits measure audio_mlp_mfcc's (or audio_cnn's) accuracy.

The test split has 106 clips, but they are not 106 independent draws: BJA_Pacific, 79 of
them, is 13 instruments each sampled at up to 8 velocities, and the velocity layers of one
drum are nearly always classified alike. This script trains audio_mlp_mfcc with seeds 0-4
(exactly as the README's results table), labels every test-kit clip with the saved model
through audio_classify, and reports

  * the accuracy per seed (it must equal the example's own last line: checked),
  * each test instrument's share of the score and its accuracy over the 5 seeds, where an
    instrument is a clip name without its trailing layer number (`BD_03` -> `BD`; clips
    whose names carry none are one instrument each),
  * a 95 % interval for the accuracy by the cluster bootstrap: instruments (not clips) are
    resampled with replacement, 10 000 times, seeded.

It reads no labels but the ones in the folder names, changes nothing, and chooses nothing:
it describes the test set's resolution after the fact. Python standard library only.

With `audio_cnn` as argument the same is done for the CNN, whose example writes each test
clip's prediction itself (`test_predictions.tsv`); with two examples, each is reported and
then the difference of their accuracies, by the same bootstrap over instruments (paired:
both examples are scored on the same resampled instruments).

Run:    python3 data/test_uncertainty.py | tee data/results/test_uncertainty.txt
        python3 data/test_uncertainty.py audio_cnn audio_mlp_mfcc | tee data/results/test_uncertainty_cnn.txt
"""

from __future__ import annotations

import collections
import datetime
import pathlib
import random
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DRUMS = ROOT / "data" / "drums"
OUT = ROOT / "target" / "test_uncertainty"
SEEDS = range(5)
RESAMPLES = 10_000


def test_kits() -> set[str]:
    kits = set()
    for line in (DRUMS / "split.txt").read_text().splitlines():
        fields = line.split()
        if fields and not line.startswith("#") and fields[1] == "test":
            kits.add(fields[0])
    return kits


def instrument(path: pathlib.Path) -> str:
    kit, sample = path.stem.split("__", 1)
    return f"{kit}:{re.sub(r'_[0-9]+$', '', sample)}"


def run(*args: str) -> str:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def predictions(example: str, clips: list[pathlib.Path]) -> tuple[dict, list[float]]:
    """Trains `example` with seeds 0-4; gives each clip's list of per-seed hits, the
    wrong answers per instrument and the accuracy per seed (checked against the example's
    own last line)."""
    examples = ROOT / "target" / "release" / "examples"
    correct: dict[pathlib.Path, list[bool]] = collections.defaultdict(list)
    wrong_as: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    per_seed = []
    for seed in SEEDS:
        model = OUT / example / f"seed{seed}"
        last = run(str(examples / example), "--seed", str(seed), "--out", str(model))
        reported = float(last.strip().splitlines()[-1].removeprefix("test accuracy: "))
        predicted = {}
        if example == "audio_mlp_mfcc":
            labels = run(str(examples / "audio_classify"), "--model", str(model), *map(str, clips))
            for line in labels.splitlines():
                match = re.match(r"(\S+\.wav): (\w+)", line)
                if match:
                    predicted[pathlib.Path(match.group(1)).resolve()] = match.group(2)
        else:
            for line in (model / "test_predictions.tsv").read_text().splitlines():
                path, _, guess = line.split("\t")
                predicted[pathlib.Path(path).resolve()] = guess
        hits = 0
        for clip in clips:
            guess, truth = predicted[clip.resolve()], clip.parent.name
            correct[clip].append(guess == truth)
            hits += guess == truth
            if guess != truth:
                wrong_as[instrument(clip)][guess] += 1
        accuracy = hits / len(clips)
        if f"{accuracy:.3f}" != f"{reported:.3f}":
            sys.exit(f"seed {seed}: the predictions give {accuracy:.3f}, {example} {reported:.3f}")
        per_seed.append(accuracy)
    return correct, wrong_as, per_seed


def bootstrap(names: list[str], score) -> tuple[float, float]:
    """95 % interval of `score(picked instruments)` over RESAMPLES resamples, seed 0."""
    rng = random.Random(0)
    boots = sorted(score([rng.choice(names) for _ in names]) for _ in range(RESAMPLES))
    return boots[int(0.025 * RESAMPLES)], boots[int(0.975 * RESAMPLES) - 1]


def main() -> None:
    chosen = sys.argv[1:] or ["audio_mlp_mfcc"]
    kits = test_kits()
    clips = sorted(p for p in DRUMS.glob("*/*.wav") if p.name.split("__", 1)[0] in kits)
    build = ["cargo", "build", "--release", "--example", "audio_classify"]
    for example in chosen:
        build += ["--example", example]
    run(*build)

    all_groups = []
    for example in chosen:
        correct, wrong_as, per_seed = predictions(example, clips)
        groups: dict[str, list[float]] = collections.defaultdict(list)
        for clip, hits in correct.items():
            groups[instrument(clip)].append(sum(hits) / len(hits))
        all_groups.append(groups)
        mean = sum(per_seed) / len(per_seed)

        print(f"{example} on the held-out kits: how precise is the test accuracy?")
        print(f"date     {datetime.date.today()}")
        print(f"clips    {len(clips)} from kits {', '.join(sorted(kits))}")
        print(f"seeds    {' '.join(f'{a:.3f}' for a in per_seed)}  mean {mean:.3f}")
        print(f"instruments {len(groups)} (clip name without its layer number)")
        print()
        print(f"{'instrument':<56} {'class':<7} {'clips':>5} {'share':>6} {'accuracy':>9}  wrong answers")
        for name, hits in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            clip = next(c for c in clips if instrument(c) == name)
            wrong = ", ".join(f"{k} {v}" for k, v in wrong_as[name].most_common())
            row = (
                f"{name:<56} {clip.parent.name:<7} {len(hits):>5} {len(hits) / len(clips):>6.3f}"
                f" {sum(hits) / len(hits):>9.2f}  {wrong}"
            )
            print(row.rstrip())

        names = list(groups)
        low, high = bootstrap(
            names, lambda pick: sum(sum(groups[n]) for n in pick) / sum(len(groups[n]) for n in pick)
        )
        print()
        print(f"mean accuracy over seeds {mean:.3f}; 95 % cluster-bootstrap interval over instruments")
        print(f"({RESAMPLES} resamples, seed 0): {low:.3f} - {high:.3f}")
        biggest = max(len(h) for h in groups.values())
        print(f"one instrument of {biggest} clips moves the accuracy by {biggest / len(clips):.3f}")
        print()

    if len(all_groups) == 2:
        a, b = all_groups
        names = list(a)

        def difference(pick: list[str]) -> float:
            clips_picked = sum(len(a[n]) for n in pick)
            return (sum(sum(a[n]) for n in pick) - sum(sum(b[n]) for n in pick)) / clips_picked

        low, high = bootstrap(names, difference)
        print(f"{chosen[0]} - {chosen[1]}: {difference(names):+.3f} (mean over seeds); 95 % paired")
        print(f"cluster-bootstrap interval over instruments: {low:+.3f} to {high:+.3f}")


if __name__ == "__main__":
    main()
