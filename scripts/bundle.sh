#!/usr/bin/env bash
# Makes a folder that installs on a Debian 12 host without the Swift toolchain:
#   scripts/bundle.sh OUT [BUILD]     (BUILD: a build folder, default .build/release)
# OUT gets certssb, certssbd and the three trigger plugins from BUILD, and OUT/swift the
# Swift runtime libraries they load (found with ldd in the toolchain that built them). The
# copies' RUNPATH is rewritten to look beside themselves first: $ORIGIN/swift (in OUT), then
# where install.sh puts the runtime ($ORIGIN/../lib/certssb/swift for the binaries in
# /usr/local/bin, $ORIGIN/../swift for the plugins in /usr/local/lib/certssb/plugins). The
# toolchain's path is dropped, so the service never mixes two runtimes.
# `scripts/install.sh --prebuilt OUT` installs it.
set -euo pipefail
out="${1:?usage: scripts/bundle.sh OUT [BUILD]}"
build="${2:-.build/release}"
cd "$(dirname "$0")/.."
command -v patchelf >/dev/null || { echo "bundle.sh: patchelf is missing (scripts/install-deps.sh installs it)" >&2; exit 2; }
toolchain="$(readlink -f "$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux")"
[ -f "$toolchain/libswiftCore.so" ] || { echo "bundle.sh: no Swift runtime under $toolchain" >&2; exit 2; }
binaries=("$build/certssb" "$build/certssbd")
plugins=("$build"/libcertssb-trigger-*.so)
for f in "${binaries[@]}" "${plugins[@]}"; do [ -f "$f" ] || { echo "bundle.sh: $f is missing; build first" >&2; exit 2; }; done
rm -rf "$out" && mkdir -p "$out/swift"
cp "${binaries[@]}" "${plugins[@]}" "$out/"
# Every library ldd resolves inside the toolchain, for every binary and plugin.
for f in "${binaries[@]}" "${plugins[@]}"; do
    LD_LIBRARY_PATH="$toolchain" ldd "$f" | awk -v dir="$toolchain" '$3 ~ "^"dir {print $3}'
done | sort -u | while read -r lib; do cp -L "$lib" "$out/swift/"; done
for f in "$out/certssb" "$out/certssbd"; do patchelf --set-rpath '$ORIGIN/swift:$ORIGIN/../lib/certssb/swift' "$f"; done
for f in "$out"/libcertssb-trigger-*.so; do patchelf --set-rpath '$ORIGIN/swift:$ORIGIN/../swift' "$f"; done
echo "bundle.sh: $out ($(ls "$out/swift" | wc -l) runtime libraries from $toolchain)"
