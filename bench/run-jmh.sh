#!/usr/bin/env bash
# Builds target/benchmarks.jar and runs the JMH benchmarks with the settings that
# docs/BENCHMARKS.md reports. Results go to target/jmh/ (or $OUT): results.json,
# results.txt, tables.md, profile-*, and machine-MODE.txt (CPU, JDK, date, options).
#
#   bench/run-jmh.sh              all benchmarks (about 14 minutes on 2 vCPUs)
#   bench/run-jmh.sh profile      allocation per op (-prof gc) for the verify and cache-hit
#                                 paths (native provider), and JFR CPU samples of uncached
#                                 HS256 and ES256 and of a cache hit with the revocation store
#                                 (profile-gc and profile-jfr run one half each)
#   bench/run-jmh.sh quick        every benchmark once, short: checks that all setups pass
#   bench/run-jmh.sh all REGEX    only benchmarks matching REGEX (any extra JMH options too)
#
# JMH forks a fresh JVM per parameter combination; the provider parameter (native = the
# Amazon Corretto Crypto Provider installed first, jdk = JDK providers only) relies on that,
# so never pass -f 0.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-all}
if [ $# -gt 0 ]; then shift; fi
case "$MODE" in
  all|profile|profile-gc|profile-jfr|quick) ;;
  *) echo "usage: $0 [all|profile|profile-gc|profile-jfr|quick] [JMH regex and options]" >&2; exit 2 ;;
esac
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

profile_gc() {
  # Allocation per operation: the verify paths with the native provider, and the cache hit.
  java -jar target/benchmarks.jar 'VerifyBenchmark' -p provider=native $JMH_OPTS -prof gc -foe true \
    -rf json -rff "$OUT/profile-gc-verify.json" "$@" | tee "$OUT/profile-gc-verify.txt"
  java -jar target/benchmarks.jar 'CachedPathBenchmark' $JMH_OPTS -prof gc -foe true \
    -rf json -rff "$OUT/profile-gc-cached.json" "$@" | tee "$OUT/profile-gc-cached.txt"
  python3 bench/jmh-report.py "$OUT/profile-gc-verify.json" | tee "$OUT/profile-gc-verify.md"
  python3 bench/jmh-report.py "$OUT/profile-gc-cached.json" | tee "$OUT/profile-gc-cached.md"
}

profile_jfr() {
  # Where the CPU goes (JFR, sampled outside safepoints too), summarised per method. JFR's
  # profile settings sample every 20 ms, so these runs measure longer (5 x 6 s) for samples.
  local opts=${JFR_JMH_OPTS:-"-f 1 -wi 3 -w 2s -i 5 -r 6s -t 1"}
  rm -rf "$OUT/jfr"
  for sel in 'VerifyBenchmark.uncached -p alg=HS256 -p provider=native' \
             'VerifyBenchmark.uncached -p alg=ES256 -p provider=native' \
             'CachedPathBenchmark.freshStringRevocationStore -p alg=HS256'; do
    # shellcheck disable=SC2086
    java -jar target/benchmarks.jar $sel $opts -foe true \
      -prof "jfr:dir=$OUT/jfr;configName=profile;debugNonSafePoints=true" "$@"
  done | tee "$OUT/profile-jfr.txt"
  for f in $(find "$OUT/jfr" -name '*.jfr' | sort); do
    python3 bench/jfr-top.py "$f" 30
    echo
  done | tee "$OUT/profile-jfr-top.txt"
}

case "$MODE" in
  all)
    java -jar target/benchmarks.jar $JMH_OPTS -foe true -rf json -rff "$OUT/results.json" "$@" \
      | tee "$OUT/results.txt"
    python3 bench/jmh-report.py "$OUT/results.json" | tee "$OUT/tables.md"
    ;;
  profile)
    profile_gc "$@"
    profile_jfr "$@"
    ;;
  profile-gc)
    profile_gc "$@"
    ;;
  profile-jfr)
    profile_jfr "$@"
    ;;
  quick)
    java -jar target/benchmarks.jar -f 1 -wi 0 -i 1 -r 300ms -foe true "$@" | tee "$OUT/quick.txt"
    ;;
  *)
    echo "usage: $0 [all|profile|profile-gc|profile-jfr|quick] [JMH regex and options]" >&2
    exit 2
    ;;
esac
