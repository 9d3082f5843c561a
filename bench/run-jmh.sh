#!/usr/bin/env bash
# Builds target/benchmarks.jar and runs the JMH benchmarks with the settings that
# docs/BENCHMARKS.md reports. Results go to target/jmh/ (results.json, results.txt,
# tables.md, machine.txt).
#
#   bench/run-jmh.sh              all benchmarks (about 14 minutes on 2 vCPUs)
#   bench/run-jmh.sh profile      allocation per op (-prof gc) for the uncached and cached
#                                 paths, native provider, plus a stack sample of HS256
#   bench/run-jmh.sh quick        every benchmark once, short: checks that all setups pass
#   bench/run-jmh.sh all REGEX    only benchmarks matching REGEX (any extra JMH options too)
#
# JMH forks a fresh JVM per parameter combination; the provider parameter (native = the
# Amazon Corretto Crypto Provider installed first, jdk = JDK providers only) relies on that,
# so never pass -f 0.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-all}
[ $# -gt 0 ] && shift
OUT=${OUT:-target/jmh}
# One fork per combination, 3 x 2 s warm-up, 5 x 2 s measurement, one thread.
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 3 -w 2s -i 5 -r 2s -t 1"}

mvn -B -q -Pbench -DskipTests package
mkdir -p "$OUT"

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "vCPUs: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "jmh options: $JMH_OPTS"
} > "$OUT/machine-$MODE.txt"
cat "$OUT/machine-$MODE.txt"

case "$MODE" in
  all)
    java -jar target/benchmarks.jar $JMH_OPTS -foe true -rf json -rff "$OUT/results.json" "$@" \
      | tee "$OUT/results.txt"
    python3 bench/jmh-report.py "$OUT/results.json" | tee "$OUT/tables.md"
    ;;
  profile)
    java -jar target/benchmarks.jar 'VerifyBenchmark' -p provider=native $JMH_OPTS -prof gc -foe true \
      -rf json -rff "$OUT/profile-gc.json" "$@" | tee "$OUT/profile-gc.txt"
    python3 bench/jmh-report.py "$OUT/profile-gc.json" | tee "$OUT/profile-gc.md"
    java -jar target/benchmarks.jar 'VerifyBenchmark.uncached' -p provider=native -p alg=HS256 $JMH_OPTS \
      -prof stack:lines=3\;top=25\;detailLine=true -foe true "$@" | tee "$OUT/profile-stack-hs256.txt"
    ;;
  quick)
    java -jar target/benchmarks.jar -f 1 -wi 0 -i 1 -r 300ms -foe true "$@" | tee "$OUT/quick.txt"
    ;;
  *)
    echo "usage: $0 [all|profile|quick] [JMH regex and options]" >&2
    exit 2
    ;;
esac
