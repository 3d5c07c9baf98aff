#!/bin/sh
# The long form of the fuzzing (docs/FUZZING.md): builds Tests/Fuzz's libFuzzer binary
# (address sanitizer, release) and runs TARGET for SECONDS (600 by default) on its committed
# corpus, niced, one target at a time; `all` runs every target in turn.
#   scripts/fuzz.sh TARGET [SECONDS] [LIBFUZZER FLAGS...]
#   scripts/fuzz.sh all [SECONDS]
# New inputs go to a scratch corpus .build/fuzz/work/TARGET (never committed); crashes, leaks,
# timeouts and OOMs to .build/fuzz/artifacts/TARGET/. `scripts/fuzz.sh merge TARGET` adds the
# scratch inputs that bring new coverage to Tests/Fuzz/Corpus/TARGET.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
fuzz=$root/Tests/Fuzz
# Everything built or found stays in the root's .build (ignored by git, unseen by tools walking Tests/).
scratch=$root/.build/fuzz
targets="image http config modelset torch certify"

usage() {
    echo "usage: scripts/fuzz.sh TARGET|all [SECONDS] [LIBFUZZER FLAGS...]  (targets: $targets)" >&2
    echo "       scripts/fuzz.sh merge TARGET" >&2
    exit 2
}

build() {
    # The fuzz package reaches the root through this link, so the root's identity is "certssb".
    mkdir -p "$root/.build/fuzz-root" && ln -sfn ../.. "$root/.build/fuzz-root/certssb"
    echo "fuzz: building Tests/Fuzz (release, -sanitize=fuzzer,address) in $scratch" >&2
    # Reached through a link, the root's manifest and the build plan go stale when it changes:
    # no manifest cache, and the plan is made again (a second or two).
    rm -f "$scratch/release.yaml"
    nice -n 19 swift build --package-path "$fuzz" --scratch-path "$scratch" --manifest-cache none -c release \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >&2
    binary=$(swift build --package-path "$fuzz" --scratch-path "$scratch" --manifest-cache none -c release --show-bin-path)/certssb-fuzz
}

run() {
    target=$1 seconds=$2
    shift 2
    work=$scratch/work/$target artifacts=$scratch/artifacts/$target
    mkdir -p "$work" "$artifacts"
    echo "fuzz: $target for ${seconds}s (corpus $fuzz/Corpus/$target, artifacts $artifacts)" >&2
    # The committed corpus is read, never written: new inputs land in $work.
    # Swift's own backtracer would catch the trap first (and trip ASan); libFuzzer's handler saves
    # the input. Leaks are checked per input by libFuzzer; LSan's check at exit is off, because it
    # reports the objects of Swift's once-initialised globals (static lets) as leaked.
    ASAN_OPTIONS=leak_check_at_exit=0 SWIFT_BACKTRACE=enable=no CERTSSB_FUZZ_TARGET=$target nice -n 19 "$binary" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$@" "$work" "$fuzz/Corpus/$target"
}

[ $# -ge 1 ] || usage
case $1 in
all)
    seconds=${2:-600}
    build
    for t in $targets; do run "$t" "$seconds" || echo "fuzz: $t stopped with a finding (see above)" >&2; done
    ;;
merge)
    [ $# -eq 2 ] || usage
    build
    mkdir -p "$fuzz/Corpus/$2" "$scratch/artifacts/$2"
    ASAN_OPTIONS=leak_check_at_exit=0 SWIFT_BACKTRACE=enable=no CERTSSB_FUZZ_TARGET=$2 nice -n 19 "$binary" -merge=1 -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -artifact_prefix="$scratch/artifacts/$2/" "$fuzz/Corpus/$2" "$scratch/work/$2"
    ;;
*)
    case " $targets " in *" $1 "*) ;; *) usage ;; esac
    target=$1
    seconds=${2:-600}
    [ $# -ge 2 ] && shift 2 || shift 1
    build
    run "$target" "$seconds" "$@"
    ;;
esac
