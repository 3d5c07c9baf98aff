#!/usr/bin/env bash
# The README's bounds table: the median certified radius of the 200 held-out benign 0/1
# digits (an abstention counts as 0) for each confidence bound at the same total alpha
# (0.001), with RAB (sigma0) and Cert-SSB (the default search) on the same certifying models.
#
#   scripts/bounds-table.sh MODEL_SET_DIR [MODEL_SET_DIR ...]
#
# Uses the release build (swift build -c release) and ../shared/data/mnist_5k.csv.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
certssb=.build/release/certssb
data=../shared/data/mnist_5k.csv.gz
printf '| model set | N certifying | bound | RAB median R | Cert-SSB median R | Cert-SSB abstained | Cert-SSB search runs/input |\n'
printf '|---|---|---|---|---|---|---|\n'
for set in "$@"; do
  for bound in clopper-pearson betting hoeffding best; do
    out=$("$certssb" eval --model-set "$set" --data "$data" --limit 200 --bound "$bound" --workers 2)
    n=$(sed -n 's/.*models: \([0-9]*\) certify.*/\1/p' <<<"$out" | head -1)
    rab=$(sed -n 's/^RAB benign: .*median radius \([0-9.]*\);.*/\1/p' <<<"$out")
    ssb=$(sed -n 's/^Cert-SSB benign: .*median radius \([0-9.]*\);.*/\1/p' <<<"$out")
    abst=$(sed -n 's/^Cert-SSB benign: \([0-9]* of [0-9]*\) abstained.*/\1/p' <<<"$out")
    runs=$(sed -n 's/^Cert-SSB benign: .*search \([0-9.]*\) model runs.*/\1/p' <<<"$out")
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(basename "$set")" "$n" "$bound" "$rab" "$ssb" "$abst" "$runs"
  done
done
