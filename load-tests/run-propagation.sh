#!/usr/bin/env bash
# Revocation propagation: N sidecar processes on one Kafka broker (N = 3 and 10 by default), each
# under a steady verify load; ROUNDS tokens are revoked one after another, through the admin API
# and straight to the topic in turn, and for each the time until every sidecar rejects it is set
# against Kafka's own produce→consume latency of the very same record, measured in the same run.
# The probe (load-tests/peer/propagation-probe.py) is independent of the sidecar's code and tests:
# Python, librdkafka to publish, raw HTTP/1.1 sockets to ask; the baseline consumers
# (load-tests/peer/FeedBaseline.java) use the feed's own consumer settings, in a JVM of their own.
#
#   load-tests/run-propagation.sh       # report: load-tests/results/propagation-<date>.md (+ .png)
#
# Settings (environment): SIZES ("3 10"), ROUNDS (200 per size), LOAD_RATE (requests/s per sidecar
# from hey during the rounds, 500), PAUSE_US (the probe's pause between two questions to one
# sidecar, 200), SIDECAR_JAVA_OPTS (-Xmx128m), REPORT (report path).
# Needs Java 17+, Maven, curl, openssl; installs hey, gnuplot and python3-confluent-kafka with
# apt-get if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
. load-tests/lib/common.sh
# shellcheck source=lib/plot.sh
. load-tests/lib/plot.sh
SIZES=${SIZES:-3 10}
ROUNDS=${ROUNDS:-200}
LOAD_RATE=${LOAD_RATE:-500}
PAUSE_US=${PAUSE_US:-200}
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:--Xmx128m}
REPORT=${REPORT:-load-tests/results/propagation-$DATE.md}
PLOT=${REPORT%.md}.png
LOAD_CONNECTIONS=5

install_missing hey gnuplot
# The probe runs on the system Python, where Debian's librdkafka binding is installed.
PYTHON=/usr/bin/python3
"$PYTHON" -c 'import confluent_kafka' 2>/dev/null || {
  echo "installing python3-confluent-kafka" >&2
  $([ "$(id -u)" -ne 0 ] && echo sudo) apt-get install -y -q python3-confluent-kafka >/dev/null
}
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
  "$PYTHON" load-tests/peer/propagation-probe.py --bootstrap "$BOOTSTRAP" --topic jwt-revocations \
    --admin "http://127.0.0.1:$admin_port" --admin-token "$ADMIN_TOKEN" --issuer https://hs.load.test \
    --hs-secret "$HS_SECRET" --rounds "$ROUNDS" --pause-us "$PAUSE_US" \
    --baseline "java -cp $JAR load-tests/peer/FeedBaseline.java" --out "$WORK/n$n" "${urls[@]}" \
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
  cp "$WORK/n$n-rounds.csv" "${REPORT%.md}-n$n.csv" # the raw samples beside the report
  for path in direct admin; do
    for col in reject kafka; do
      awk -F, -v p="$path" -v c="$col" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c "_ms") k = i; print "ms"; next}
        $2 == p {print $k}' "$WORK/n$n-rounds.csv" >"$WORK/n$n-$path-$col.csv"
    done
    series+=("$WORK/n$n-$path-reject.csv" "401, $path, N=$n" "$WORK/n$n-$path-kafka.csv" "Kafka, $path, N=$n")
  done
done
plot_cdf "$PLOT" "Revocation propagation vs Kafka produce→consume of the same record, $DATE" "${series[@]}"
{
  echo "# Revocation propagation, $DATE"
  echo
  echo "- Command: \`load-tests/run-propagation.sh\` (SIZES=\"$SIZES\", ROUNDS=$ROUNDS, LOAD_RATE=$LOAD_RATE per sidecar, PAUSE_US=$PAUSE_US)."
  echo "- Machine: $(machine); sidecars (JVM options: $SIDECAR_JAVA_OPTS), the broker of"
  echo "  \`jwt-sidecar dev\`, hey, the probe and the baseline consumers all share the cores."
  echo "- Probe: \`load-tests/peer/propagation-probe.py\` (Python, librdkafka, raw HTTP/1.1 sockets; none of"
  echo "  the sidecar's code). Each round: a fresh HS256 token every sidecar accepts; at t0 its jti is revoked,"
  echo "  by two paths taking turns: *admin*, \`POST /v1/revocations\` to sidecar 0's admin API (which"
  echo "  publishes and answers once the event is applied there); *direct*, the probe publishes the event"
  echo "  (acks=all, idempotent, linger 0, Java's partitioner). From t0 each sidecar is asked \`/v1/verify\`"
  echo "  with a ${PAUSE_US} µs pause between an answer and the next question, until it answers 401 \`revoked\`."
  echo "- Time to 401: t0 until that answer is read (one sample per round and sidecar; an upper bound by one"
  echo "  round trip and one pause). Kafka: t0 until the poll of a plain Java consumer with the feed's settings"
  echo "  (\`load-tests/peer/FeedBaseline.java\`, N of them) returns *the same record*. Added: the sidecars'"
  echo "  percentile minus Kafka's. Fleet: the slowest sidecar of a round. Probe round trip: send to answer"
  echo "  of the probe's questions after t0 (what a 401 waits for once the rule is applied, at most)."
  echo
  echo "| N | path | samples | time to 401 p50 / p99 / max (ms) | Kafka p50 / p99 / max (ms) | added p50 / p99 (ms) | ÷ Kafka p99 | fleet p50 / p99 (ms) |"
  echo "|---:|---|---:|---|---|---|---:|---|"
  for n in $SIZES; do
    for path in direct admin; do
      echo "| $n | $path | $(get "$n" "${path}_samples") | $(get "$n" "${path}_reject_p50") / $(get "$n" "${path}_reject_p99") / $(get "$n" "${path}_reject_max") | $(get "$n" "${path}_kafka_p50") / $(get "$n" "${path}_kafka_p99") / $(get "$n" "${path}_kafka_max") | **$(get "$n" "${path}_added_p50")** / **$(get "$n" "${path}_added_p99")** | **$(get "$n" "${path}_ratio_p99")** | $(get "$n" "${path}_fleet_p50") / $(get "$n" "${path}_fleet_p99") |"
    done
  done
  echo
  echo "| N | probe round trip p50 / p99 (ms) |"
  echo "|---:|---|"
  for n in $SIZES; do
    echo "| $n | $(get "$n" probe_rtt_p50) / $(get "$n" probe_rtt_p99) |"
  done
  echo
  echo "| N | admin API answer p50 / p99 (ms) | Kafka produce→ack p50 / p99 (ms; direct rounds, same producer settings) | answer after ack p50 / p99 (ms) |"
  echo "|---:|---|---|---|"
  for n in $SIZES; do
    echo "| $n | $(get "$n" admin_answer_p50) / $(get "$n" admin_answer_p99) | $(get "$n" direct_ack_p50) / $(get "$n" direct_ack_p99) | **$(get "$n" admin_answer_after_ack_p50)** / **$(get "$n" admin_answer_after_ack_p99)** |"
  done
  echo
  echo "Targets: added ≤ 1 ms at p50 and ≤ 2 ms at p99 for N = 3; time-to-401 p99 ≤ 1.5 × Kafka's p99 for"
  echo "N = 10; the admin API answers ≤ 1 ms after Kafka acknowledges."
  echo
  echo "| N | load delivered (hey, all sidecars) | non-200 answers to the load | probe requests | largest sidecar RSS | load average at the end |"
  echo "|---:|---:|---:|---:|---:|---|"
  for n in $SIZES; do
    echo "| $n | ${LOAD_RPS[$n]} req/s | ${LOAD_NON200[$n]} | $(get "$n" probes) | ${RSS[$n]} MB | ${LOAD_CPU[$n]} |"
  done
  echo
  echo "![cumulative distribution]($(basename "$PLOT"))"
  echo
  echo "Raw samples (milliseconds from t0): $(for n in $SIZES; do printf '`%s` ' "$(basename "${REPORT%.md}")-n$n.csv"; done)"
} >"$REPORT"
echo "report: $REPORT"
cat "$REPORT"
