#!/usr/bin/env bash
# The shipped set's coverage figure, measured through certssbd with its default
# configuration (search sigma, the default bound and alpha, trigger reports on): the 200
# held-out 0/1 digits of mnist_5k (the test split of MNISTCSV.split: rows 400-499 and
# 900-999) are dropped into a fresh watch folder; a digit counts when its verdict is
# certified, has the digit's true label, and its onepixel trigger report says covered.
#
#   scripts/shipped-coverage.sh [MODEL_SET]      (default: model/mnist/onepixel/sigma1.25)
#
# Uses the release build (swift build -c release) and ../shared/data/mnist_5k.csv.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-model/mnist/onepixel/sigma1.25}
bin=.build/release
work=$(mktemp -d /tmp/certssb-coverage.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin/certssb" export-images --csv ../shared/data/mnist_5k.csv.gz --rows 400-499,900-999 --out "$work/digits" > /dev/null
"$bin/certssbd" --model-set "$model" --watch "$work/inbox" --socket "$work/s.sock" --state "$work/state" \
    > "$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do [ -S "$work/s.sock" ] && break; sleep 0.5; done
start=$(date +%s.%N)
for f in "$work"/digits/*.png; do cp "$f" "$work/inbox/.$(basename "$f").part"; mv "$work/inbox/.$(basename "$f").part" "$work/inbox/$(basename "$f")"; done
for _ in $(seq 1 1200); do
  [ "$(ls "$work"/processed/*.verdict.json 2>/dev/null | wc -l)" -ge 200 ] && break; sleep 0.5
done
end=$(date +%s.%N)
python3 - "$work/processed" "$start" "$end" <<'PY'
import json, os, sys, statistics
folder, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
verdicts = [json.load(open(os.path.join(folder, f))) for f in sorted(os.listdir(folder)) if f.endswith(".verdict.json")]
def truth(v): return int(v["source"].rsplit("label", 1)[1][0])
def covered(v): return any(t["name"] == "onepixel" and t["covered"] for t in v["triggers"])
good = [v for v in verdicts if v["certified"] and v["label"] == truth(v) and covered(v)]
print(f"{len(good)} of {len(verdicts)} held-out digits certified with the correct label and onepixel covered")
print(f"certified {sum(v['certified'] for v in verdicts)}, correct label {sum(v['label'] == truth(v) for v in verdicts)}, "
      f"abstained {sum(v['abstained'] for v in verdicts)}, fallback to sigma0 {sum(v['fallback'] for v in verdicts)}, "
      f"regions {dict((s, sum(v['region']['status'] == s for v in verdicts)) for s in ('stored', 'trimmed', 'aligned'))}")
print(f"median radius {statistics.median(max(v['radius'], 0) for v in verdicts):.4f}, median sigma {statistics.median(v['sigma'] for v in verdicts):.4f}, "
      f"median onepixel l2 {statistics.median(t['l2'] for v in verdicts for t in v['triggers'] if t['name'] == 'onepixel'):.4f}, "
      f"n_models {verdicts[0]['n_models']}, bound {verdicts[0]['bound']}, {len(verdicts) / (end - start):.1f} images/s")
PY
