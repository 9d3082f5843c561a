#!/usr/bin/env bash
# The whole CI (.ci/run) on fresh clones of HEAD while stress-ng keeps one core busy, RUNS times in
# a row (default 3); stops at the first failure. Prints each run's status and time. Flaky tests
# show up here first: the suite's waits and timeouts must hold on a machine that is not idle.
#   load-tests/ci-under-load.sh            # three runs, one core busy
#   RUNS=5 HOG_CPUS=2 load-tests/ci-under-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
source load-tests/lib/common.sh
install_missing stress-ng

RUNS=${RUNS:-3}
HOG_CPUS=${HOG_CPUS:-1}
REPO=$(pwd)
for i in $(seq 1 "$RUNS"); do
  clone="$WORK/clone-$i"
  git clone -q "$REPO" "$clone"
  stress-ng --cpu "$HOG_CPUS" --timeout 3600s >/dev/null 2>&1 &
  hog=$!
  PIDS+=("$hog")
  start=$(date +%s)
  status=0
  (cd "$clone" && bash .ci/run >"$WORK/run-$i.log" 2>&1) || status=$?
  kill "$hog" 2>/dev/null || true
  wait "$hog" 2>/dev/null || true
  maven=$(grep -a 'Total time' "$WORK/run-$i.log" | tail -1 | sed 's/.*Total time: *//')
  echo "run $i: exit $status, $(( $(date +%s) - start )) s in all, Maven ${maven:-?}"
  if [ "$status" -ne 0 ]; then
    cp "$WORK/run-$i.log" "ci-under-load-run-$i.log"
    echo "its log: ci-under-load-run-$i.log" >&2
    exit "$status"
  fi
  rm -rf "$clone"
done
