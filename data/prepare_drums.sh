#!/usr/bin/env bash
# data/prepare_drums.sh — rebuild data/drums/ (the audio case study's data set) from Debian.
#
# You do not need to run this: its result is committed. It exists so that anyone can
# check, or redo, how every clip was made. Re-running it gives the same files.
#
# WHAT IT DOWNLOADS
#   The Debian package hydrogen-drumkits 2017.09.19~dfsg-1 (143 MB, "all" architecture),
#   fetched with `apt-get download` (runs `apt-get update` first if apt cannot find it)
#   and checked against its SHA-256, then unpacked with `dpkg-deb -x` (nothing is
#   installed). It holds 14 drum kits of real recordings for the Hydrogen drum machine;
#   every kit folder has a drumkit.xml whose <instrument> entries give a name and the
#   sample files of its velocity layers. It also installs numpy, soundfile and soxr
#   (pinned below) with pip into a virtualenv. Download, unpacked package and virtualenv
#   live in data/cache/ (git-ignored; override with CADENA_DRUMS_CACHE).
#   Needs: bash, apt-get, dpkg-deb, sha256sum, python3 (>= 3.11) with venv.
#
# WHAT IT WRITES (data/drums/, everything under <class>/ is deleted and rewritten)
#   <class>/<kit>__<sample>.wav  one clip per recording; <kit> is the kit's folder name and
#                                <sample> the original file name (no extension), with runs of
#                                characters other than [A-Za-z0-9.-] replaced by "_".
#                                The kit is the text before the first "__".
#   MANIFEST.tsv  per clip: kit, instrument, layer, source file, rate, channels, length,
#                 where it was cut, gain applied, SHA-1 of its samples
#   MAPPING.tsv   every instrument of every kit, the class it got or why it got none
#   LICENSES      each kit's copyright and licence from the package's copyright file,
#                 then that whole file (licence texts included)
#   SPLIT.md and split.txt (the held-out-kit split) are written by hand, not by this script.
#
# CLASS MAPPING (prepare_drums.py: DROP, RULES, clean_name)
#   The instrument name (not the file name) decides. It is cleaned first: text in
#   parentheses is removed ('Ride (Custom, Zagrebin 22")' -> 'Ride') and so is a MIDI-note
#   prefix ('c#3 - stick' -> 'stick'). Then, case-insensitively, regular expressions:
#     1. dropped if it matches      \broll\b      snare roll: many strokes, not one hit
#                                   stick         side/cross stick: a click on the rim
#                                   rim ?click    rim click: the same
#     2. else the first class whose pattern matches:
#        hihat   hi-?hat | hi hat | \bhat\b | \bhh\b | \bohh\b | \bchh\b
#                ("Hi-Hat Pedal", "Closed HH", "Side OHH", "Sabian Hat Swish/Choke", ...)
#        cymbal  ride | crash | china | splash | cymbal | paiste | sabian | zildjian
#                (ride bows and bells, crashes, chinas, splashes, chokes; "Paiste Bell" is
#                a ride bell; hats are matched before this rule)
#        kick    kick | bass ?drum | \bbd\b        ("BassDrum", "bass drum 2", "Pearl Kick")
#        snare   snare | \bsd\b | \bredo\b         rimshots are snare strokes and stay;
#                "redo" is redoblante, Spanish for snare (the Colombo kit's "redo super opaco")
#        tom     \btom                             ("Floor Tom", "tomhi2"; not "Custom")
#     3. else dropped: claps, cowbells, tambourines, agogos, congas, bongos, cajon, djembe,
#        dunun, shakers, clicks, zaps, FX, "Drum 1", unnamed slots ("17", "Sample: x.flac").
#   So two kits give no clip at all: "Gimme A Hand 1.0" (hand percussion) and
#   "circAfrique v4" (djembe and dunun). MAPPING.tsv lists every decision.
#   Label noise kept on purpose: the kit author's name wins, e.g. Audiophob's "Kick" is a
#   freesound file called "tom-0105" (it sounds like a kick: spectral peak 65 Hz) and its
#   "Pedal HH" is a shaker.
#
# LAYERS, SHARED FILES, DUPLICATES
#   Every layer (velocity sample) of a mapped instrument becomes a clip: that is what makes
#   ~450 clips out of ~120 instruments. Layers of one instrument are near-duplicates (same
#   drum, same microphones, a different stroke), so a random clip-level split would leak:
#   train and test must be split by kit (see data/drums/SPLIT.md). Within a kit a sample
#   file used by several instruments (Millo_MultiLayered2's "Tom Mid"/"Tom Hi") is taken
#   once, and a layer that is the same recording as an earlier one at another gain
#   (normalised cross-correlation >= 0.999 within +-20 ms after processing; e.g. The Black
#   Pearl's "-Hard" and "-Hardest" kick) is dropped. No two clips of different kits come
#   close (all cross-kit correlations < 0.9), so kits are independent sources.
#
# RATE, LENGTH, LEVELS
#   22 050 Hz mono 16-bit, 12 000 samples (0.544 s) = 24 044 bytes per WAV; 452 clips are
#   10.9 MB (10.4 MiB), under the 12 MB budget. 22.05 kHz is librosa's default rate, half of
#   the 44.1 kHz most kits were recorded at, and keeps 0-11 kHz, where hats, cymbals and
#   snares differ. It was chosen over 16 kHz by measurement, on the training kits only
#   (leave-one-source-out cross-validation, sklearn MLP(64) on MFCC mean+std, the model of
#   data/compare_sklearn.py; the test kits were not used):
#       16 kHz x 0.50 s  0.716      22.05 kHz x 0.50 s   0.792
#       16 kHz x 0.75 s  0.743      22.05 kHz x 0.544 s  0.806  <- this data set
#       16 kHz x 1.00 s  0.751      22.05 kHz x 0.60 s   0.807
#                                   22.05 kHz x 0.75 s   0.826  (14.3 MiB: too big)
#   Rate matters more than length; within the budget 22.05 kHz allows ~0.6 s, and 12 000
#   samples keeps a margin (and the same 12 000-number input for the naive model). That
#   holds the whole of every kick, snare and closed hat, and the attack and first half-second
#   of decay of toms, open hats and cymbals, where they differ (a tom rings at a pitch,
#   a cymbal hisses on).
#   Each clip: channels averaged to mono; resampled with soxr (VHQ); started 2 ms before the
#   first sample within 40 dB of the peak (kits differ in leading silence, 0 to 28 ms, which
#   would otherwise be a kit cue); cut to 12 000 samples with a 10 ms raised-cosine fade where the
#   sound goes on, or zero-padded; peak-normalised to -1 dBFS (velocity layers and kits are
#   recorded at arbitrary levels; loudness is not what makes a snare a snare, and equal peaks
#   make raw-waveform input comparable); rounded to 16 bits without dither.
#
# Usage: bash data/prepare_drums.sh        (from anywhere; ~3 minutes, one core)
set -euo pipefail

PKG=hydrogen-drumkits
VERSION=2017.09.19~dfsg-1
SHA256=6ea3c6df9a67762e2362f946c695e619859126b19fbccf32a2e8f07dfd03b2f4
PIP_PKGS=(numpy==2.4.6 soundfile==0.14.0 soxr==1.1.0)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${CADENA_DRUMS_CACHE:-$HERE/cache}
DEB=$CACHE/${PKG}_${VERSION}_all.deb
ROOT=$CACHE/root
VENV=$CACHE/venv
mkdir -p "$CACHE"

have_deb() { [[ -f $DEB ]] && echo "$SHA256  $DEB" | sha256sum --check --status; }

if ! have_deb; then
    rm -f "$DEB"
    echo ">> apt-get download $PKG=$VERSION"
    if ! (cd "$CACHE" && apt-get download "$PKG=$VERSION"); then
        echo ">> not found: apt-get update, then retry"
        apt-get update
        (cd "$CACHE" && apt-get download "$PKG=$VERSION")
    fi
    have_deb || { echo "SHA-256 mismatch for $DEB" >&2; exit 1; }
fi

if [[ ! -f $ROOT/.unpacked-$SHA256 ]]; then
    echo ">> dpkg-deb -x"
    rm -rf "$ROOT"
    dpkg-deb -x "$DEB" "$ROOT"
    touch "$ROOT/.unpacked-$SHA256"
fi

if [[ ! -x $VENV/bin/python ]]; then
    echo ">> python3 -m venv $VENV"
    python3 -m venv "$VENV" || {
        echo "python3 -m venv failed; on Debian: apt-get install python3-venv" >&2
        exit 1
    }
fi
if [[ "$(cat "$VENV/.pip-stamp" 2>/dev/null)" != "${PIP_PKGS[*]}" ]]; then
    echo ">> pip install ${PIP_PKGS[*]}"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PIP_PKGS[@]}"
    echo "${PIP_PKGS[*]}" >"$VENV/.pip-stamp"
fi

echo ">> converting"
"$VENV/bin/python" "$HERE/prepare_drums.py" \
    --kits "$ROOT/usr/share/hydrogen/data/drumkits" \
    --copyright "$ROOT/usr/share/doc/hydrogen-drumkits/copyright" \
    --out "$HERE/drums" \
    --package "$PKG" --version "$VERSION"
