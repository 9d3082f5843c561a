#!/usr/bin/env bash
# Fleet scale: what each sidecar asks of the brokers at rest, and how fast a revocation reaches
# all of them, for fleets of 25 to 400 sidecars in one JVM against the embedded KRaft broker in
# the same JVM, at the defaults before the idle-load tuning (pinned) and at today's, in the same run
# (io.jwtsidecar.bench.FleetScaleBenchmark; docs/BENCHMARKS.md, "Fleet scale: broker load per
# sidecar", says what it measures and how).
#
#   load-tests/run-fleet-scale.sh                 # report: load-tests/results/fleet-scale-<date>.md
#   load-tests/run-fleet-scale.sh --counts 25,50  # any option of the benchmark, passed on
#
# A full run takes about 20 minutes on two cores. Settings (environment): REPORT (another report
# path), JAVA_OPTS (JVM options of the benchmark).
# Needs Java 17+ and Maven (builds target/benchmarks.jar with the bench profile when missing;
# delete it to rebuild after a change).
set -euo pipefail

cd "$(dirname "$0")/.."
DATE=$(date -u +%Y-%m-%d)
REPORT=${REPORT:-load-tests/results/fleet-scale-$DATE.md}
JAR=target/benchmarks.jar
[ -f "$JAR" ] || mvn -B -q -Pbench -DskipTests package

KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' pom.xml)
MACHINE=$(mktemp)
trap 'rm -f "$MACHINE"' EXIT
{
    echo "# Fleet scale, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "- $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM"
    echo "- $(java -version 2>&1 | head -1), kafka-clients and broker $KAFKA_VERSION"
    echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- command: java ${JAVA_OPTS:-} -cp $JAR io.jwtsidecar.bench.FleetScaleBenchmark $*"
    echo
} > "$MACHINE"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java ${JAVA_OPTS:-} -cp "$JAR" io.jwtsidecar.bench.FleetScaleBenchmark --out "$REPORT.tmp" "$@"
{ cat "$MACHINE"; echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"; echo; cat "$REPORT.tmp"; } > "$REPORT"
rm -f "$REPORT.tmp"
echo "report: $REPORT"
