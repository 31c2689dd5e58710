#!/usr/bin/env python3
"""Turn the unpacked Debian package `hydrogen-drumkits` into data/drums/.

Called by data/prepare_drums.sh, which downloads and unpacks the package and
installs numpy, soundfile and soxr; read that script's header for the choices
(class mapping, rate, length, layers, levels, duplicates). The constants below
are the single source of truth for them.

Writes, under --out (default data/drums):
  <class>/<kit>__<sample>.wav   22.05 kHz, mono, 16-bit PCM, exactly CLIP_LEN samples long
  MANIFEST.tsv                  one row per clip: where it came from, what was done
  MAPPING.tsv                   every instrument of every kit and the class it got (or why not)
  LICENSES                      each kit's copyright and licence, from the package's copyright file

Everything under --out/<class>/ is deleted and rewritten, so a run is idempotent:
the same package and the same library versions give byte-identical files.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET

import numpy as np
import soundfile as sf
import soxr

# --------------------------------------------------------------------------- choices

RATE = 22_050  # Hz, librosa's default rate
CLIP_LEN = 12_000  # samples = 0.544 s -> a 24 044-byte WAV
CLIP_SECONDS = CLIP_LEN / RATE
PEAK = 10 ** (-1 / 20)  # every clip is peak-normalised to -1 dBFS
ONSET_DB = -40.0  # the clip starts where |x| first reaches peak * 10^(ONSET_DB/20) ...
PREROLL_S = 0.002  # ... minus 2 ms, so the attack transient is kept whole
FADE_S = 0.010  # raised-cosine fade over the last 10 ms, only where the sound was cut
DUP_CORR = 0.999  # within a kit: normalised cross-correlation >= this = same recording
DUP_MAX_LAG_S = 0.020  # searched over lags up to +-20 ms

CLASSES = ("kick", "snare", "tom", "hihat", "cymbal")

# Instrument names are matched case-insensitively after cleaning (see clean_name):
# first DROP (any hit -> no class), then RULES in order, first hit wins.
DROP = [
    (r"\broll\b", "snare roll: many strokes, not one hit"),
    (r"stick", "side/cross stick: a rim click, not a snare stroke"),
    (r"rim ?click", "rim click: as side stick"),
]
RULES = [
    ("hihat", r"hi-?hat|hi hat|\bhat\b|\bhh\b|\bohh\b|\bchh\b"),
    ("cymbal", r"ride|crash|china|splash|cymbal|paiste|sabian|zildjian"),
    ("kick", r"kick|bass ?drum|\bbd\b"),
    ("snare", r"snare|\bsd\b|\bredo\b"),  # "redo" = redoblante, Spanish for snare (Colombo kit)
    ("tom", r"\btom"),  # \b: not the "tom" in "Custom"
]

# --------------------------------------------------------------------------- mapping


def clean_name(name: str | None) -> str:
    """Instrument name without descriptions in parentheses and MIDI-note prefixes.

    'Ride (Custom, Zagrebin 22")' -> 'Ride';  'c#3 - stick' -> 'stick'.
    """
    n = re.sub(r"\(.*?\)", " ", name or "")
    n = re.sub(r"^\s*[a-g]#?\d\s*-\s*", "", n, flags=re.I)
    return re.sub(r"\s+", " ", n).strip()


def classify(name: str | None) -> tuple[str | None, str]:
    """(class or None, reason)."""
    c = clean_name(name).lower()
    if not c:
        return None, "no name"
    for pat, why in DROP:
        if re.search(pat, c):
            return None, why
    for cls, pat in RULES:
        if re.search(pat, c):
            return cls, f"/{pat}/"
    return None, "matches no class"


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_kit(xml_path: str) -> list[tuple[str | None, list[str]]]:
    """[(instrument name, [sample file of each layer, in file order])].

    Handles both drumkit.xml formats in the package: <layer><filename> (newer) and a
    bare <filename> in <instrument> (older, single layer), with or without namespace.
    """
    root = ET.parse(xml_path).getroot()
    out = []
    for ins in root.iter():
        if local(ins.tag) != "instrument":
            continue
        name, files = None, []
        for ch in ins:
            t = local(ch.tag)
            if t == "name":
                name = ch.text
            elif t == "filename" and ch.text:
                files.append(ch.text)
            elif t == "layer":
                files += [g.text for g in ch if local(g.tag) == "filename" and g.text]
        out.append((name, files))
    return out


def kit_credits(xml_path: str) -> tuple[str, str]:
    """(author, licence) as the kit's own drumkit.xml states them ("-" if absent)."""
    root = ET.parse(xml_path).getroot()
    found = {"author": "-", "license": "-"}
    for ch in root:
        t = local(ch.tag).replace("licence", "license")
        if t in found and ch.text and ch.text.strip():
            found[t] = " ".join(ch.text.split())
    return found["author"], found["license"]


def safe(s: str) -> str:
    """File-name-safe: runs of anything but [A-Za-z0-9.-] become '_' (so no '__')."""
    return re.sub(r"[^A-Za-z0-9.\-]+", "_", s).strip("_")


# --------------------------------------------------------------------------- audio


def load_mono(path: str) -> tuple[np.ndarray, int, int, float]:
    x, sr = sf.read(path, dtype="float64", always_2d=True)
    return x.mean(axis=1), sr, x.shape[1], x.shape[0] / sr


def to_clip(mono: np.ndarray, sr: int) -> tuple[np.ndarray | None, dict]:
    """Resample, cut at the onset, fix the length, fade a cut tail, peak-normalise."""
    y = soxr.resample(mono, sr, RATE, quality="VHQ") if sr != RATE else mono.copy()
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak < 1e-6:
        return None, {}
    onset = int(np.argmax(np.abs(y) >= peak * 10 ** (ONSET_DB / 20)))
    start = max(0, onset - int(round(PREROLL_S * RATE)))
    y = y[start:]
    cut = len(y) > CLIP_LEN
    if cut:
        y = y[:CLIP_LEN].copy()
        n = int(round(FADE_S * RATE))
        y[-n:] *= 0.5 * (1 + np.cos(np.linspace(0, np.pi, n)))
    else:
        y = np.pad(y, (0, CLIP_LEN - len(y)))
    gain = PEAK / np.max(np.abs(y))
    y = y * gain
    return y, {"start_ms": 1000 * start / RATE, "cut": cut, "gain_db": 20 * np.log10(gain)}


def pcm16(y: np.ndarray) -> np.ndarray:
    return np.clip(np.round(y * 32767), -32768, 32767).astype(np.int16)


def max_xcorr(a: np.ndarray, b: np.ndarray, max_lag: int) -> float:
    n = len(a)
    fa, fb = np.fft.rfft(a, 2 * n), np.fft.rfft(b, 2 * n)
    cc = np.fft.irfft(fa * np.conj(fb), 2 * n)
    cc = np.concatenate([cc[: max_lag + 1], cc[-max_lag:]])
    return float(np.max(np.abs(cc)) / (np.linalg.norm(a) * np.linalg.norm(b)))


# --------------------------------------------------------------------------- licences


def copyright_paragraphs(text: str) -> list[dict[str, str]]:
    """Parse a DEP-5 copyright file into paragraphs of {field: value} (continuations kept)."""
    paras, cur, key = [], {}, None
    for line in text.splitlines():
        if not line.strip():
            if cur:
                paras.append(cur)
            cur, key = {}, None
        elif line[0] in " \t" and key:
            cur[key] += "\n" + line
        else:
            key, _, val = line.partition(":")
            cur[key] = val.strip()
    if cur:
        paras.append(cur)
    return paras


def write_licenses(
    path: str,
    copyright_text: str,
    kits: list[str],
    unused: list[str],
    kit_credits: dict[str, tuple[str, str]],
    package: str,
    version: str,
) -> None:
    paras = copyright_paragraphs(copyright_text)
    by_kit: dict[str, dict[str, str]] = {}
    files_of: dict[str, str] = {}
    for p in paras:
        if "Files" not in p:
            continue
        for pat in p["Files"].split():
            m = re.fullmatch(r"drumkits/(.+)\.h2drumkit", pat)
            if not m:
                continue
            rx = re.compile(re.escape(m.group(1)).replace(r"\?", "."))  # DEP-5 '?' = any one char
            for kit in kits:
                # the package's folder name and its archive name differ for one kit
                # ("circAfrique v4" folder, "circAfrique.h2drumkit"): also try the name
                # without a trailing " v<N>"
                if rx.fullmatch(kit) or rx.fullmatch(re.sub(r" v\d+$", "", kit)):
                    by_kit[kit] = p
                    files_of[kit] = pat
    missing = [k for k in kits if k not in by_kit]
    if missing:
        sys.exit(f"no copyright paragraph for kit(s): {missing}")
    lines = [
        "Licences of the recordings in data/drums/",
        "=" * 40,
        "",
        f"Source: Debian package {package} {version} (Debian main),",
        "         from the Hydrogen drum machine's drumkit collection.",
        "The per-kit copyright and licence below are quoted from that package's",
        "/usr/share/doc/hydrogen-drumkits/copyright; the full file (with the licence",
        "texts it quotes or references) follows at the end.",
        "",
        "Changes made to every clip (see data/prepare_drums.sh): downmixed to mono,",
        f"resampled to {RATE} Hz, cut to start at the onset, cut or zero-padded to",
        f"{CLIP_LEN} samples ({CLIP_SECONDS:.3f} s; 10 ms fade where cut), peak-normalised,",
        "stored as 16-bit WAV.",
        "Clip file names are <kit>__<original sample file name>.wav;",
        "MANIFEST.tsv maps every clip to its original file.",
        "",
        "Kits of the package that give no clip (no instrument maps to one of the five",
        f"classes): {', '.join(unused)}.",
        "",
    ]
    for kit in kits:
        p = by_kit[kit]
        lines.append(f"Kit: {safe(kit)}    (package folder \"{kit}\"; copyright file: Files: {files_of[kit]})")
        for field in ("Copyright", "License", "License-Grant", "License-Reference", "Source", "Comment"):
            if field not in p:
                continue
            first, *rest = p[field].split("\n")
            if field == "License":
                rest = []  # the licence's name; an exception's text is in the full file below
            lines.append(f"  {field}: {first}".rstrip())
            lines += [f"    {r.strip()}" for r in rest]
        author, licence = kit_credits[kit]
        lines.append(f"  drumkit.xml <author>: {author}")
        lines.append(f"  drumkit.xml <license>: {licence}")
        lines.append("")
    lines += ["", "=" * 72, f"Full copyright file of {package} {version}", "=" * 72, "", copyright_text]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kits", required=True, help="…/usr/share/hydrogen/data/drumkits")
    ap.add_argument("--copyright", required=True, help="…/usr/share/doc/hydrogen-drumkits/copyright")
    ap.add_argument("--out", required=True)
    ap.add_argument("--package", default="hydrogen-drumkits")
    ap.add_argument("--version", required=True)
    a = ap.parse_args()

    kits = sorted(d for d in os.listdir(a.kits) if os.path.isfile(os.path.join(a.kits, d, "drumkit.xml")))
    if len({safe(k) for k in kits}) != len(kits):
        sys.exit("two kits map to the same safe name")

    for cls in CLASSES:
        shutil.rmtree(os.path.join(a.out, cls), ignore_errors=True)
        os.makedirs(os.path.join(a.out, cls))

    mapping_rows = ["kit\tinstrument\tclass\treason\tlayers\tclips_kept"]
    manifest_rows = [
        "file\tclass\tkit\tinstrument\tlayer\tsource_file\tsource_rate\tsource_channels"
        "\tsource_seconds\tstart_ms\tcut\tgain_db\tsha1_pcm"
    ]
    counts: collections.Counter = collections.Counter()
    log = []
    for kit in kits:
        kdir = os.path.join(a.kits, kit)
        taken: dict[str, str] = {}  # source file -> class, within this kit
        kept: list[tuple[str, np.ndarray]] = []  # (out name, clip) for duplicate search
        for name, files in read_kit(os.path.join(kdir, "drumkit.xml")):
            cls, why = classify(name)
            n_kept = 0
            if cls:
                for layer, fn in enumerate(files):
                    src = os.path.join(kdir, fn)
                    if fn in taken:
                        if taken[fn] != cls:
                            sys.exit(f"{kit}/{fn}: used as {taken[fn]} and {cls}")
                        log.append(f"same file as an earlier instrument: {kit}/{fn} ({name})")
                        continue
                    if not os.path.isfile(src):
                        log.append(f"missing in package: {kit}/{fn} ({name})")
                        continue
                    taken[fn] = cls
                    mono, sr, ch, dur = load_mono(src)
                    clip, info = to_clip(mono, sr)
                    if clip is None:
                        log.append(f"silent: {kit}/{fn}")
                        continue
                    out_name = f"{safe(kit)}__{safe(os.path.splitext(fn)[0])}.wav"
                    dup = next(
                        (o for o, c in kept if max_xcorr(clip, c, int(DUP_MAX_LAG_S * RATE)) >= DUP_CORR), None
                    )
                    if dup:
                        log.append(f"duplicate recording (corr >= {DUP_CORR}): {kit}/{fn} = {dup}")
                        continue
                    if os.path.exists(os.path.join(a.out, cls, out_name)):
                        sys.exit(f"name clash: {cls}/{out_name}")
                    pcm = pcm16(clip)
                    sf.write(os.path.join(a.out, cls, out_name), pcm, RATE, subtype="PCM_16", format="WAV")
                    kept.append((out_name, clip))
                    n_kept += 1
                    counts[(safe(kit), cls)] += 1
                    manifest_rows.append(
                        "\t".join(
                            [
                                f"{cls}/{out_name}", cls, safe(kit), (name or "").strip(), str(layer), fn,
                                str(sr), str(ch), f"{dur:.3f}", f"{info['start_ms']:.1f}",
                                "yes" if info["cut"] else "no", f"{info['gain_db']:.2f}",
                                hashlib.sha1(pcm.tobytes()).hexdigest(),
                            ]
                        )
                    )
            mapping_rows.append(
                "\t".join([safe(kit), (name or "").strip(), cls or "-", why, str(len(files)), str(n_kept)])
            )

    with open(os.path.join(a.out, "MAPPING.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(mapping_rows) + "\n")
    with open(os.path.join(a.out, "MANIFEST.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(manifest_rows) + "\n")
    used_raw = [k for k in kits if any(counts[(safe(k), c)] for c in CLASSES)]
    with open(a.copyright, encoding="utf-8") as f:
        unused = [k for k in kits if k not in used_raw]
        credits = {k: kit_credits(os.path.join(a.kits, k, "drumkit.xml")) for k in used_raw}
        write_licenses(os.path.join(a.out, "LICENSES"), f.read(), used_raw, unused, credits, a.package, a.version)

    for line in log:
        print("note:", line)
    used = sorted({k for k, _ in counts})
    print(f"\n{'kit':24s}" + "".join(f"{c:>8s}" for c in CLASSES) + f"{'total':>8s}")
    for k in used:
        row = [counts[(k, c)] for c in CLASSES]
        print(f"{k:24s}" + "".join(f"{v:8d}" for v in row) + f"{sum(row):8d}")
    tot = [sum(counts[(k, c)] for k in used) for c in CLASSES]
    print(f"{'all':24s}" + "".join(f"{v:8d}" for v in tot) + f"{sum(tot):8d}")
    size = sum(
        os.path.getsize(os.path.join(a.out, c, f)) for c in CLASSES for f in os.listdir(os.path.join(a.out, c))
    )
    print(f"\n{sum(tot)} clips, {size} bytes of WAV ({size / 2**20:.2f} MiB) in {a.out}")


if __name__ == "__main__":
    main()
