#!/usr/bin/env bash
# What tracing costs on the verify path: /v1/verify at its maximum rate with tracing off (the
# default), with tracing on (a SERVER span per request, batched to an OTLP/HTTP endpoint that
# answers 200), with tracing on and 1 % of requests sampled, and, when JAR_BEFORE names a jar
# built before the tracing code existed, without it.
# The variants run in interleaved rounds, each a fresh sidecar on the same pinned core, so machine
# noise falls on all alike; the report gives each variant's median and its ratio to "off".
#
#   load-tests/run-tracing.sh                              # report: load-tests/results/tracing-<date>.md
#   JAR_BEFORE=old/jwt-sidecar-dev.jar load-tests/run-tracing.sh
#
# Settings (environment): ROUNDS (5), DURATION (10s), WARMUP (5s), THREADS (2), CONNECTIONS (50),
# TOKENS (10000), PIN (1), JAR_BEFORE (none), VARIANTS (a subset in another order, e.g. "sampled off";
# the order within a round can matter), REPORT, KEEP_WORK. Needs what run-verify.sh needs.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
. load-tests/lib/common.sh
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
TOKENS=${TOKENS:-10000}
JAR_BEFORE=${JAR_BEFORE:-}
REPORT=${REPORT:-load-tests/results/tracing-$DATE.md}
PIN=${PIN:-1}
place_processes "the sidecar" "wrk and the OTLP endpoint"
install_missing wrk
build_jar_if_missing
[ -z "$JAR_BEFORE" ] || [ -f "$JAR_BEFORE" ] || { echo "JAR_BEFORE=$JAR_BEFORE: no such file" >&2; exit 2; }
start_kafka
make_keys
mint_tokens "$WORK/tokens.txt" "$TOKENS"

# The OTLP endpoint: takes each export and answers 200 with an empty body, as a collector that
# keeps up would; it counts exports and bytes so the report can show the spans really left.
SINK=$(free_port)
"${ON_CLIENT[@]}" python3 - "$SINK" "$WORK/sink.count" <<'PY' &
import http.server, sys
port, count_file = int(sys.argv[1]), sys.argv[2]
exports = received = 0
class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        global exports, received
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        exports += 1
        received += len(body)
        with open(count_file, "w") as f:
            f.write(f"{exports} {received}\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()
PY
PIDS+=($!)

API=$(free_port)
sidecar_yaml tracing-off "$API" "$WORK/store-off" all >"$WORK/off.yaml"
sidecar_yaml tracing-before "$API" "$WORK/store-before" all >"$WORK/before.yaml"
{ sidecar_yaml tracing-on "$API" "$WORK/store-on" all; printf 'tracing:\n  otlpEndpoint: http://127.0.0.1:%s\n' "$SINK"; } >"$WORK/on.yaml"
{ sidecar_yaml tracing-sampled "$API" "$WORK/store-sampled" all
  printf 'tracing:\n  otlpEndpoint: http://127.0.0.1:%s\n  requestSampleRatio: 0.01\n' "$SINK"; } >"$WORK/sampled.yaml"
if [ -n "${VARIANTS:-}" ]; then
  read -r -a VARIANTS <<<"$VARIANTS" # e.g. VARIANTS="sampled off": only these, in this order
else
  VARIANTS=(off on sampled)
  [ -n "$JAR_BEFORE" ] && VARIANTS=(before off on sampled)
fi
jar_of() { if [ "$1" = before ]; then echo "$JAR_BEFORE"; else echo "$JAR"; fi; }

rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$1"; }
pct() { # FILE PERCENTILE: wrk's latency at it, in ms
  awk -v p="$2" '$1 == p { v = $2; n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }' "$1"
}
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

for round in $(seq 1 "$ROUNDS"); do
  for v in "${VARIANTS[@]}"; do
    "${ON_SERVER[@]}" java -jar "$(jar_of "$v")" run --config "$WORK/$v.yaml" >>"$WORK/sidecar-$v.log" 2>&1 &
    SIDECAR=$!
    PIDS+=("$SIDECAR")
    wait_for "http://127.0.0.1:$API/health/ready" 60 >/dev/null
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head -1 "$WORK/tokens.txt")" "http://127.0.0.1:$API/v1/verify")
    [ "$code" = 200 ] || { echo "$v: a minted token got $code" >&2; exit 1; }
    "${ON_CLIENT[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s load-tests/mix.lua "http://127.0.0.1:$API/v1/verify" -- "$WORK/tokens.txt" >/dev/null
    out="$WORK/wrk-$v-$round.txt"
    "${ON_CLIENT[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s load-tests/mix.lua \
      "http://127.0.0.1:$API/v1/verify" -- "$WORK/tokens.txt" >"$out"
    echo "round $round $v: $(rps "$out") requests/s, p50 $(pct "$out" 50%) ms, p99 $(pct "$out" 99%) ms" >&2
    kill "$SIDECAR"; wait "$SIDECAR" 2>/dev/null || true
  done
done

mkdir -p "$(dirname "$REPORT")"
median_of() { for r in $(seq 1 "$ROUNDS"); do "$1" "$WORK/wrk-$2-$r.txt" ${3:+"$3"}; echo; done | median; }
OFF_RPS=$(median_of rps off)
label_of() {
  case $1 in
    before) echo "before tracing (JAR_BEFORE)" ;;
    off) echo "tracing off (default)" ;;
    on) echo "tracing on, every request a span (requestSampleRatio 1, the default)" ;;
    sampled) echo "tracing on, requestSampleRatio 0.01" ;;
  esac
}
read -r EXPORTS BYTES <"$WORK/sink.count" || { EXPORTS=0; BYTES=0; }
{
  echo "# Load test: what tracing costs on /v1/verify, $DATE"
  echo
  echo "- Command: \`load-tests/run-tracing.sh\`$([ -n "$JAR_BEFORE" ] && echo " with JAR_BEFORE set to a jar built before the tracing code")"
  echo "  ($ROUNDS interleaved rounds; each a fresh sidecar, a ${WARMUP} warm-up, then wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency"
  echo "  with load-tests/mix.lua: $TOKENS tokens, a third each HS256, RS256, ES256)."
  echo "- Machine: $(machine); $PLACEMENT; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "- The OTLP endpoint took $EXPORTS exports, $BYTES bytes, over the \"on\" and \"sampled\" rounds."
  echo
  echo "| variant | median requests/s | ÷ off | median p50 ms | median p99 ms | each round's requests/s |"
  echo "|---|---:|---:|---:|---:|---|"
  for v in "${VARIANTS[@]}"; do
    m=$(median_of rps "$v")
    rounds=$(for r in $(seq 1 "$ROUNDS"); do rps "$WORK/wrk-$v-$r.txt"; echo; done | paste -sd' ')
    echo "| $(label_of "$v") | $m | $(ratio "$m" "$OFF_RPS") | $(median_of pct "$v" 50%) | $(median_of pct "$v" 99%) | $rounds |"
  done
} >"$REPORT"
echo "report: $REPORT"
cat "$REPORT"
