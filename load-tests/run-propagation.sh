#!/usr/bin/env bash
# Revocation propagation: N sidecar processes on one Kafka broker (N = 3 and 10 by default), each
# under a steady verify load; the admin revokes ROUNDS tokens one after another, and for each the
# time until every sidecar rejects it is set against Kafka's own produce→consume latency,
# measured in the same run by load-tests/peer/Propagation.java.
#
#   load-tests/run-propagation.sh       # report: load-tests/results/propagation-<date>.md (+ .png)
#
# Settings (environment): SIZES ("3 10"), ROUNDS (200 per size), LOAD_RATE (requests/s per sidecar
# from hey during the rounds, 500), SIDECAR_JAVA_OPTS (-Xmx128m), REPORT (report path).
# Needs Java 17+, Maven, curl, openssl, python3; installs hey and gnuplot with apt-get if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
. load-tests/lib/common.sh
# shellcheck source=lib/plot.sh
. load-tests/lib/plot.sh
SIZES=${SIZES:-3 10}
ROUNDS=${ROUNDS:-200}
LOAD_RATE=${LOAD_RATE:-500}
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:--Xmx128m}
REPORT=${REPORT:-load-tests/results/propagation-$DATE.md}
PLOT=${REPORT%.md}.png
LOAD_CONNECTIONS=5

install_missing hey gnuplot
build_jar_if_missing
start_kafka
make_keys
mint_tokens "$WORK/tokens.txt" 3
LOAD_TOKEN=$(head -1 "$WORK/tokens.txt") # the HS256 one
ADMIN_TOKEN=$(openssl rand -hex 24)

sidecar_config() { # INDEX API_PORT ADMIN_PORT (0: no admin API)
  sidecar_yaml "propagation-$1" "$2" "$WORK/store-$1" hs
  if [ "$3" != 0 ]; then
    printf 'admin:\n  host: 127.0.0.1\n  port: %s\n  token: "%s"\n' "$3" "$ADMIN_TOKEN"
  fi
}

run_size() { # N: start N sidecars under load, run the rounds, stop them
  local n=$1 i api admin_port urls=() sidecars=() loads=()
  admin_port=$(free_port)
  for i in $(seq 0 $((n - 1))); do
    api=$(free_port)
    sidecar_config "$i" "$api" "$([ "$i" = 0 ] && echo "$admin_port" || echo 0)" >"$WORK/sidecar-$n-$i.yaml"
    # shellcheck disable=SC2086 # word splitting of the JVM options is intended
    java $SIDECAR_JAVA_OPTS -jar "$JAR" run --config "$WORK/sidecar-$n-$i.yaml" >"$WORK/sidecar-$n-$i.log" 2>&1 &
    PIDS+=($!); sidecars+=($!)
    urls+=("http://127.0.0.1:$api")
  done
  for url in "${urls[@]}"; do wait_for "$url/health/ready" 120 >/dev/null; done
  echo "N=$n: ${#urls[@]} sidecars ready" >&2
  # Steady load on every sidecar while the rounds run (hey's -q is per connection).
  for i in "${!urls[@]}"; do
    hey -z 3600s -c "$LOAD_CONNECTIONS" -q $((LOAD_RATE / LOAD_CONNECTIONS)) \
      -H "Authorization: Bearer $LOAD_TOKEN" "${urls[$i]}/v1/verify" >"$WORK/hey-$n-$i.txt" 2>&1 &
    PIDS+=($!); loads+=($!)
  done
  sleep 3
  java -cp "$JAR" load-tests/peer/Propagation.java "$WORK/n$n" "$ROUNDS" "$BOOTSTRAP" jwt-revocations \
    "http://127.0.0.1:$admin_port" "$ADMIN_TOKEN" https://hs.load.test "$HS_SECRET" "${urls[@]}" \
    >"$WORK/summary-$n.txt" 2>"$WORK/propagation-$n.log" || { tail -30 "$WORK/propagation-$n.log" >&2; return 1; }
  tail -1 "$WORK/propagation-$n.log" >&2
  LOAD_CPU[$n]=$(cut -d' ' -f1-3 /proc/loadavg)
  # hey prints its summary when interrupted: the load actually delivered.
  for pid in "${loads[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${loads[@]}"; do wait "$pid" 2>/dev/null || true; done
  LOAD_RPS[$n]=$(cat "$WORK"/hey-"$n"-*.txt | awk '/Requests\/sec/ {s += $2} END {printf "%.0f", s}')
  LOAD_NON200[$n]=$(cat "$WORK"/hey-"$n"-*.txt | awk '/Status code distribution/ {f=1; next} f && /\[/ {gsub(/[\[\]]/, "", $1); if ($1 != 200) s += $2} END {print s + 0}')
  RSS[$n]=$(for pid in "${sidecars[@]}"; do rss_mb "$pid"; echo; done | sort -n | tail -1)
  for pid in "${sidecars[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${sidecars[@]}"; do wait "$pid" 2>/dev/null || true; done
}

declare -A LOAD_RPS LOAD_NON200 LOAD_CPU RSS
for n in $SIZES; do run_size "$n"; done

# --- Report and plot ------------------------------------------------------------------------------
get() { sed -n "s/^$2=//p" "$WORK/summary-$1.txt"; }
mkdir -p "$(dirname "$REPORT")"
series=()
for n in $SIZES; do
  series+=("$WORK/n$n-reject.csv" "time to reject, N=$n" "$WORK/n$n-kafka.csv" "Kafka produce→consume, N=$n")
done
for n in $SIZES; do # the raw samples beside the report
  cp "$WORK/n$n-reject.csv" "${REPORT%.md}-n$n-reject.csv"
  cp "$WORK/n$n-kafka.csv" "${REPORT%.md}-n$n-kafka.csv"
done
plot_cdf "$PLOT" "Revocation propagation vs Kafka produce→consume, $DATE" "${series[@]}"
{
  echo "# Revocation propagation, $DATE"
  echo
  echo "- Command: \`load-tests/run-propagation.sh\` (SIZES=\"$SIZES\", ROUNDS=$ROUNDS, LOAD_RATE=$LOAD_RATE per sidecar)."
  echo "- Machine: $(machine); sidecars (JVM options: $SIDECAR_JAVA_OPTS), the broker of"
  echo "  \`jwt-sidecar dev\`, hey and the probes all share the cores."
  echo "- Each round: a fresh HS256 token that every sidecar accepts; one probe thread per sidecar asks"
  echo "  \`/v1/verify\` about it every millisecond over a keep-alive socket. At t0 its jti is revoked, by two"
  echo "  paths taking turns: *admin*, \`POST /v1/revocations\` to the admin API of sidecar 0 (which"
  echo "  publishes the event and answers once it is applied locally); *direct*, the driver publishes the"
  echo "  revoke event to the topic itself, as an identity provider would. At the same instant a producer"
  echo "  with the publisher's settings (acks=all,"
  echo "  idempotent, linger 0) sends a record to a probe topic with as many partitions, read by N plain"
  echo "  consumers configured as the sidecar's feed (assigned partitions, poll 100 ms)."
  echo "- Time to reject: t0 until a probe receives 401 \`revoked\` from that sidecar (one sample per round"
  echo "  and sidecar; an upper bound by one probe round trip). Fleet: the slowest sidecar of a round."
  echo "  Kafka: send until each consumer's poll returns the record."
  echo
  echo "| N | path | samples | time to reject p50 / p99 / max (ms) | ÷ Kafka p99 |"
  echo "|---:|---|---:|---|---:|"
  for n in $SIZES; do
    for path in "" _direct _admin; do
      label=${path#_}; label=${label:-all rounds}
      echo "| $n | $label | $(get "$n" "reject${path}_samples") | $(get "$n" "reject${path}_p50") / $(get "$n" "reject${path}_p99") / $(get "$n" "reject${path}_max") | **$(ratio "$(get "$n" "reject${path}_p99")" "$(get "$n" kafka_p99)")** |"
    done
    echo "| $n | Kafka produce→consume (probe topic, N consumers) | $(get "$n" kafka_samples) | $(get "$n" kafka_p50) / $(get "$n" kafka_p99) / $(get "$n" kafka_max) | 1 |"
  done
  echo
  echo "| N | whole fleet (slowest sidecar of a round) p50 / p99 / max (ms) | admin API answer p50 / p99 (ms) | rounds past 10 s |"
  echo "|---:|---|---|---:|"
  for n in $SIZES; do
    echo "| $n | $(get "$n" fleet_p50) / $(get "$n" fleet_p99) / $(get "$n" fleet_max) | $(get "$n" admin_ack_p50) / $(get "$n" admin_ack_p99) | $(get "$n" timeouts) |"
  done
  echo
  echo "Targets: time-to-reject p99 ≤ 2 × Kafka's produce→consume p99 of the same run, and ≤ 25 ms."
  echo
  echo "| N | load delivered (hey, all sidecars) | non-200 answers to the load | probe requests | largest sidecar RSS | load average at the end |"
  echo "|---:|---:|---:|---:|---:|---|"
  for n in $SIZES; do
    echo "| $n | ${LOAD_RPS[$n]} req/s | ${LOAD_NON200[$n]} | $(get "$n" probes) | ${RSS[$n]} MB | ${LOAD_CPU[$n]} |"
  done
  echo
  echo "![cumulative distribution]($(basename "$PLOT"))"
  echo
  echo "Raw samples (milliseconds): $(for n in $SIZES; do printf '`%s` ' "$(basename "${REPORT%.md}")-n$n-{reject,kafka}.csv"; done)"
} >"$REPORT"
echo "report: $REPORT"
cat "$REPORT"
