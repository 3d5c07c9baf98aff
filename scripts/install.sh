#!/usr/bin/env bash
# Installs certssbd as a systemd service (run as root): binaries to /usr/local/bin, plugins to
# /usr/local/lib/certssb/plugins, the shipped model set to /usr/share/certssb/model, the units
# and the config where etc/README.md says, man pages, bash completions and the docs, then
# enables certssbd.socket.
#   scripts/install.sh                  installs the Debian packages, builds in release mode
#   scripts/install.sh --prebuilt DIR   installs a folder made by scripts/bundle.sh (binaries,
#                                       plugins and the Swift runtime: no toolchain needed), or
#                                       a plain build folder (then bundled here, with the toolchain)
# The binaries find the Swift runtime in /usr/local/lib/certssb/swift (their RUNPATH), never
# in a toolchain, so the service runs on a host without one.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 2; }
if [ "${1:-}" = "--prebuilt" ]; then
    build="${2:?install.sh: --prebuilt needs a build folder}"
    scripts/install-deps.sh --runtime
    if [ ! -d "$build/swift" ]; then
        bundle="$(mktemp -d /tmp/certssb-bundle.XXXXXX)" && trap 'rm -rf "$bundle"' EXIT
        scripts/bundle.sh "$bundle" "$build"
        build="$bundle"
    fi
else
    scripts/install-deps.sh
    swift build -c release
    bundle="$(mktemp -d /tmp/certssb-bundle.XXXXXX)" && trap 'rm -rf "$bundle"' EXIT
    scripts/bundle.sh "$bundle" .build/release
    build="$bundle"
    # Man pages from the same argument parsers as --help (swift-argument-parser's plugin).
    mkdir -p .build/man
    swift package --allow-writing-to-directory .build/man generate-manual --output-directory .build/man >/dev/null
fi
for f in "$build/certssb" "$build/certssbd"; do
    [ -x "$f" ] || { echo "install.sh: $f is missing; build first" >&2; exit 2; }
done
install -d /usr/local/bin /usr/local/lib/certssb/plugins /usr/local/lib/certssb/swift /usr/share/certssb /etc/certssbd
install -m 0755 "$build/certssb" "$build/certssbd" /usr/local/bin/
install -m 0755 "$build"/libcertssb-trigger-*.so /usr/local/lib/certssb/plugins/
rm -f /usr/local/lib/certssb/swift/*.so && install -m 0644 "$build"/swift/*.so /usr/local/lib/certssb/swift/
rm -rf /usr/share/certssb/model && cp -r model /usr/share/certssb/model && chmod -R go-w /usr/share/certssb
[ -f /etc/certssbd/certssbd.conf ] || install -m 0644 etc/certssbd.conf /etc/certssbd/certssbd.conf
install -m 0644 etc/certssbd.service etc/certssbd.socket /etc/systemd/system/
install -D -m 0644 etc/certssbd.sysusers.conf /usr/lib/sysusers.d/certssbd.conf
install -D -m 0644 etc/certssbd.tmpfiles.conf /usr/lib/tmpfiles.d/certssbd.conf
install -d /usr/share/doc/certssb /usr/share/bash-completion/completions
install -m 0644 README.md ARCHITECTURE.md docs/*.md /usr/share/doc/certssb/
for tool in certssb certssbd; do
    "$build/$tool" --generate-completion-script bash > "/usr/share/bash-completion/completions/$tool"
done
if ls .build/man/*.1 >/dev/null 2>&1; then
    install -d /usr/share/man/man1 && install -m 0644 .build/man/*.1 /usr/share/man/man1/
fi
if [ -d /run/systemd/system ]; then
    systemd-sysusers /usr/lib/sysusers.d/certssbd.conf
    systemd-tmpfiles --create /usr/lib/tmpfiles.d/certssbd.conf
    systemctl daemon-reload
    systemctl enable --now certssbd.socket
    echo "certssbd.socket is listening on /run/certssbd/certssbd.sock; the first request starts certssbd.service"
else
    echo "installed; systemd is not running here, so start certssbd by hand (see README)"
fi
