#!/usr/bin/env bash
# Load test of the sidecar API on loopback: the /noop ceiling, /v1/verify with a token mix
# (HS256, RS256, ES256), latency at 50 % of the verify maximum rate, and the footprint.
# With WITH_REDIS_PEER=1 (what run-redis-peer.sh sets) the same run also measures a Redis-session
# front (load-tests/peer/RedisSessionServer.java), so every ratio comes from one run.
#
#   load-tests/run-verify.sh            # report: load-tests/results/verify-<date>.md
#   load-tests/run-redis-peer.sh        # report: load-tests/results/verify-redis-peer-<date>.md
#
# Settings (environment): DURATION (15s), WARMUP (5s), THREADS (2), CONNECTIONS (50), TOKENS (10000),
# SIDECAR_JAVA_OPTS (JVM options of the measured sidecar, e.g. -Xmx128m; none by default),
# REPORT (report path instead of the default).
# Needs Java 17+, Maven, curl, openssl, python3; installs wrk, hey (and redis-server) with apt-get if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
TOKENS=${TOKENS:-10000}
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:-}
WITH_REDIS_PEER=${WITH_REDIS_PEER:-0}
JAR=target/jwt-sidecar.jar
DATE=$(date -u +%Y-%m-%d)
if [ -n "${REPORT:-}" ]; then
  : # the caller names the report
elif [ "$WITH_REDIS_PEER" = 1 ]; then
  REPORT=load-tests/results/verify-redis-peer-$DATE.md
else
  REPORT=load-tests/results/verify-$DATE.md
fi

need=(wrk hey)
[ "$WITH_REDIS_PEER" = 1 ] && need+=(redis-server)
missing=()
for tool in "${need[@]}"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -q "${missing[@]}" >/dev/null
fi
[ -f "$JAR" ] || mvn -B -q -DskipTests package

WORK=$(mktemp -d -t jwt-sidecar-load-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
wait_for() { # URL TIMEOUT_S: poll until 200; prints the milliseconds waited
  local url=$1 deadline=$(( $(now_ms) + $2 * 1000 )) start; start=$(now_ms)
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ]; do
    [ "$(now_ms)" -lt "$deadline" ] || { echo "timeout waiting for $url" >&2; return 1; }
    sleep 0.02
  done
  echo $(( $(now_ms) - start ))
}
rss_mb() { awk '{printf "%.0f", $1 / 1024}' <<<"$(ps -o rss= -p "$1")"; }

# --- Kafka: dev mode's embedded broker (dev also runs its own idle sidecar) ---------------------
DEV_API=$(free_port); DEV_ADMIN=$(free_port)
java -jar "$JAR" dev --api-port "$DEV_API" --admin-port "$DEV_ADMIN" --dir "$WORK/dev" >"$WORK/dev.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do grep -q 'jwt-sidecar dev is ready' "$WORK/dev.log" && break; sleep 0.2; done
grep -q 'jwt-sidecar dev is ready' "$WORK/dev.log" || { cat "$WORK/dev.log" >&2; exit 1; }
BOOTSTRAP=$(sed -n 's/^ *Kafka *: \([^ ]*\).*/\1/p' "$WORK/dev.log")

# --- Keys, config and the token mix ------------------------------------------------------------
HS_SECRET=$(openssl rand -hex 24)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/rs.key" 2>/dev/null
openssl pkey -in "$WORK/rs.key" -pubout -out "$WORK/rs.pub.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/es.key" 2>/dev/null
openssl pkey -in "$WORK/es.key" -pubout -out "$WORK/es.pub.pem"
API=$(free_port)
cat >"$WORK/load.yaml" <<YAML
sidecar:
  id: load-test
api:
  host: 127.0.0.1
  port: $API
  noopRoute: true
kafka:
  bootstrapServers: $BOOTSTRAP
  topic: jwt-revocations
  statusTopic: jwt-revocations-status
revocation:
  dataDir: $WORK/load-store
issuers:
  - issuer: https://hs.load.test
    audiences: [load-api]
    keys:
      - kid: hs-1
        alg: HS256
        secret: "$HS_SECRET"
  - issuer: https://rs.load.test
    audiences: [load-api]
    keys:
      - kid: rs-1
        alg: RS256
        pemFile: rs.pub.pem
  - issuer: https://es.load.test
    audiences: [load-api]
    keys:
      - kid: es-1
        alg: ES256
        pemFile: es.pub.pem
YAML
# Tokens live 1 h from now (the run takes a few minutes), on the same clock as the sidecar.
java -cp "$JAR" load-tests/peer/MintTokens.java "$WORK/tokens.txt" "$TOKENS" 3600 "$HS_SECRET" \
  "$WORK/rs.key" "$WORK/es.key"
TOKEN=$(head -1 "$WORK/tokens.txt")

# --- The sidecar: a first start fills the store, the measured start finds it warm ---------------
start_sidecar() {
  local t0; t0=$(now_ms)
  # shellcheck disable=SC2086 # word splitting of the JVM options is intended
  java $SIDECAR_JAVA_OPTS -jar "$JAR" run --config "$WORK/load.yaml" >>"$WORK/sidecar.log" 2>&1 &
  SIDECAR=$!
  PIDS+=("$SIDECAR")
  wait_for "http://127.0.0.1:$API/health/ready" 60 >/dev/null
  READY_MS=$(( $(now_ms) - t0 ))
}
start_sidecar
COLD_READY_MS=$READY_MS
kill "$SIDECAR"; wait "$SIDECAR" 2>/dev/null || true
start_sidecar
WARM_READY_MS=$READY_MS
for t in $(sed -n '1p;2p;3p' "$WORK/tokens.txt"); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" "http://127.0.0.1:$API/v1/verify")
  [ "$code" = 200 ] || { echo "a minted token was refused ($code)" >&2; curl -s -H "Authorization: Bearer $t" "http://127.0.0.1:$API/v1/verify" >&2; exit 1; }
done
sleep 2
IDLE_RSS=$(rss_mb "$SIDECAR")

run_wrk() { # NAME URL FILE
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s load-tests/mix.lua "$2" -- "$3" >"$WORK/wrk-$1.txt"
  cat "$WORK/wrk-$1.txt" >&2
}
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$WORK/wrk-$1.txt"; }
wrk_pct() { awk -v p="$2" '$1 == p {print $2}' "$WORK/wrk-$1.txt"; }
non2xx() { awk '/Non-2xx/ {print $5; f=1} END {if (!f) print 0}' "$WORK/wrk-$1.txt"; }
to_ms() { # wrk latency (e.g. 812.00us, 1.20ms, 1.02s) in ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
run_hey() { # NAME URL VALUE TOTAL_RATE
  local per_worker; per_worker=$(awk -v r="$4" -v c="$CONNECTIONS" 'BEGIN {q = r / c; printf "%.0f", (q < 1 ? 1 : q)}')
  hey -z "$DURATION" -c "$CONNECTIONS" -q "$per_worker" -H "Authorization: Bearer $3" "$2" >"$WORK/hey-$1.txt"
  cat "$WORK/hey-$1.txt" >&2
}
hey_pct() { awk -v p="$2%" '$1 == p {printf "%.2f", $3 * 1000}' "$WORK/hey-$1.txt"; }
hey_rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' "$WORK/hey-$1.txt"; }
hey_codes() { awk '/Status code distribution/ {f=1; next} f && /\[/ {printf "%s ", $0} f && /^$/ {f=0}' "$WORK/hey-$1.txt"; }

URL_NOOP="http://127.0.0.1:$API/noop"
URL_VERIFY="http://127.0.0.1:$API/v1/verify"
# JIT warm-up on the verify path (not measured), then the measured runs.
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s load-tests/mix.lua "$URL_VERIFY" -- "$WORK/tokens.txt" >/dev/null
run_wrk noop "$URL_NOOP" "$WORK/tokens.txt"
run_wrk verify "$URL_VERIFY" "$WORK/tokens.txt"
LOAD_RSS=$(rss_mb "$SIDECAR")
NOOP_RPS=$(rps noop); VERIFY_RPS=$(rps verify)
HALF_RATE=$(( VERIFY_RPS / 2 ))
run_hey verify "$URL_VERIFY" "$TOKEN" "$HALF_RATE"
AFTER_RSS=$(rss_mb "$SIDECAR")

if [ "$WITH_REDIS_PEER" = 1 ]; then
  REDIS_PORT=$(free_port); PEER=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    >"$WORK/redis.log" 2>&1 &
  PIDS+=($!)
  until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
  for i in $(seq 1 "$TOKENS"); do openssl rand -hex 16; done >"$WORK/sessions.txt"
  awk '{ v = "{\"sub\":\"user-" NR "\",\"scope\":\"orders:read\"}";
         printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length($0), $0, length(v), v }' \
    "$WORK/sessions.txt" | redis-cli -p "$REDIS_PORT" --pipe >/dev/null
  java -cp "$JAR" load-tests/peer/RedisSessionServer.java "$PEER" "$REDIS_PORT" >"$WORK/peer.log" 2>&1 &
  PIDS+=($!)
  PEER_PID=$!
  URL_PEER="http://127.0.0.1:$PEER/session"
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head -1 "$WORK/sessions.txt")" "$URL_PEER")" = 200 ]; do sleep 0.1; done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s load-tests/mix.lua "$URL_PEER" -- "$WORK/sessions.txt" >/dev/null
  run_wrk redis "$URL_PEER" "$WORK/sessions.txt"
  REDIS_RPS=$(rps redis)
  run_hey redis "$URL_PEER" "$(head -1 "$WORK/sessions.txt")" "$HALF_RATE"
  PEER_RSS=$(rss_mb "$PEER_PID")
fi

# --- Report -------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
JAR_MB=$(awk '{printf "%.1f", $1 / 1048576}' <<<"$(stat -c %s "$JAR")")
CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/ [0-9]*-Core Processor//')
JAVA=$(java -version 2>&1 | head -1)
mkdir -p load-tests/results
{
  echo "# Load test: verify vs the no-op ceiling$([ "$WITH_REDIS_PEER" = 1 ] && echo ' and a Redis-session front'), $DATE"
  echo
  echo "- Command: \`load-tests/$([ "$WITH_REDIS_PEER" = 1 ] && echo run-redis-peer.sh || echo run-verify.sh)\`"
  echo "  (wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency with load-tests/mix.lua after a ${WARMUP} warm-up;"
  echo "  hey -z $DURATION -c $CONNECTIONS -q <rate/$CONNECTIONS> at 50 % of the verify maximum)."
  echo "- Sidecar JVM options: ${SIDECAR_JAVA_OPTS:-none (JVM defaults)}."
  echo "- Machine: $(nproc) vCPU ${CPU:-unknown CPU}, $JAVA; load generator and server share the cores;"
  echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "- Token mix: $TOKENS distinct tokens, a third each HS256, RS256 (2048), ES256 (P-256); skewed picks"
  echo "  (index = n·r³). hey sends one token (it cannot vary headers): the cached path."
  echo
  echo "| scenario | requests/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---:|---:|---:|---:|"
  for s in noop verify $([ "$WITH_REDIS_PEER" = 1 ] && echo redis); do
    label=$s; [ "$s" = noop ] && label="GET /noop (ceiling)"; [ "$s" = verify ] && label="GET /v1/verify (token mix)"
    [ "$s" = redis ] && label="GET /session (Redis GET per request)"
    echo "| $label, max rate (wrk) | $(rps "$s") | $(to_ms "$(wrk_pct "$s" 50%)") | $(to_ms "$(wrk_pct "$s" 99%)") | $(non2xx "$s") |"
  done
  echo "| GET /v1/verify at 50 % (hey, target $HALF_RATE/s) | $(hey_rps verify) | $(hey_pct verify 50) | $(hey_pct verify 99) | codes: $(hey_codes verify)|"
  if [ "$WITH_REDIS_PEER" = 1 ]; then
    echo "| GET /session at the same rate (hey) | $(hey_rps redis) | $(hey_pct redis 50) | $(hey_pct redis 99) | codes: $(hey_codes redis)|"
  fi
  echo
  echo "- verify ÷ noop throughput: **$(ratio "$VERIFY_RPS" "$NOOP_RPS")**"
  [ "$WITH_REDIS_PEER" = 1 ] && echo "- verify ÷ Redis-session throughput: **$(ratio "$VERIFY_RPS" "$REDIS_RPS")**"
  echo
  echo "Footprint (sidecar process, \`ps -o rss=\`):"
  echo
  echo "| | value |"
  echo "|---|---:|"
  echo "| RSS at idle (ready, 3 requests served) | $IDLE_RSS MB |"
  echo "| RSS right after the verify max-rate run | $LOAD_RSS MB |"
  echo "| RSS after the 50 % latency run | $AFTER_RSS MB |"
  echo "| launch to /health/ready 200, empty store | $COLD_READY_MS ms |"
  echo "| launch to /health/ready 200, warm store (restart) | $WARM_READY_MS ms |"
  echo "| jar size ($JAR) | $JAR_MB MB |"
  [ "$WITH_REDIS_PEER" = 1 ] && echo "| Redis-session front RSS after its runs (for reference) | $PEER_RSS MB |"
  echo
  echo "Raw tool output:"
  for f in "$WORK"/wrk-*.txt "$WORK"/hey-*.txt; do
    echo; echo "\`$(basename "$f" .txt)\`"; echo; echo '```'; { grep -v '^ *$' "$f" | grep -Ev '^\s*[0-9.]+ \[' || true; }; echo '```'
  done
} >"$REPORT"
echo "report: $REPORT"
cat "$REPORT"
