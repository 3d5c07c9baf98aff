#!/usr/bin/env bash
# Installs what certssb needs, builds it, and certifies a few MNIST digits.
#
# Until the project ships its own trained model set (model/, issue 3) the models are the
# authors' 16 released MNIST checkpoints, imported from ../shared (CERTSSB_SHARED to
# point elsewhere). The daemon replaces the last step once it lands (issue 5).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release --product certssb
bin=.build/release/certssb

shared=${CERTSSB_SHARED:-../shared}
model=run/model/mnist/onepixel/sigma0.12
if [ ! -f "$model/manifest.json" ]; then
    checkpoints="$shared/data/certssb-mnist-onepixel-sigma0.12"
    if [ ! -d "$checkpoints" ]; then
        echo "quickstart: no model set: $checkpoints is absent and no model set is shipped yet" >&2
        exit 2
    fi
    "$bin" import-torch --from "$checkpoints" --out "$model" --arch mnist-cnn --sigma 0.12 --trigger onepixel
fi

csv="$shared/data/mnist_5k.csv.gz"
[ -f "$csv" ] || csv=$(scripts/fetch-mnist5k.sh run/data/mnist_5k.csv.gz)
"$bin" export-images --csv "$csv" --rows 0-3,500-503 --out run/samples > /dev/null

echo "certssb certify --model-set $model run/samples/*.png" >&2
status=0
"$bin" certify --model-set "$model" run/samples/*.png || status=$?
# Exit 1 only means some digit was not certified at this N_m; anything else is an error.
[ "$status" -le 1 ] || exit "$status"
