#!/usr/bin/env bash
# Load test of the sidecar API on loopback: the /noop ceiling, /v1/verify with a token mix
# (HS256, RS256, ES256), latency at 50 % of the verify maximum rate, and the footprint (RSS, start
# to ready cold, warm, and warm with a class-data archive). With WITH_PEERS=1 (what run-peers.sh sets)
# the same run also measures the peers: a Redis-session front (peer/RedisSessionServer.java) and,
# where it installs, Apache with mod_auth_openidc verifying the same JWTs (peer/apache/).
#
#   load-tests/run-verify.sh     # report: load-tests/results/verify-<date>.md and .png
#   load-tests/run-peers.sh      # report: load-tests/results/peers-<date>.md and .png
#
# Servers run on the last core and the load generators (and redis-server, which stands for a
# store on another machine) on the others, when there are at least two (PIN=0 turns it off).
# Settings (environment): DURATION (15s), WARMUP (5s), THREADS (2), CONNECTIONS (50), TOKENS (10000),
# SIDECAR_JAVA_OPTS (JVM options of the measured sidecar, e.g. -Xmx128m; none by default), JAVA (its
# java command, default java on the PATH),
# PIN (1), REPORT (report path instead of the default), KEEP_WORK (1 keeps the work directory).
# Needs Java 17+, Maven, curl, openssl, python3; installs wrk, gnuplot (and redis-server,
# apache2 with mod_auth_openidc) with apt-get if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
. load-tests/lib/common.sh
# shellcheck source=lib/plot.sh
. load-tests/lib/plot.sh
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
TOKENS=${TOKENS:-10000}
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:-}
JAVA=${JAVA:-java} # the JVM of the measured sidecar (and of the class-archive training run)
WITH_PEERS=${WITH_PEERS:-0}
if [ -n "${REPORT:-}" ]; then
  : # the caller names the report
elif [ "$WITH_PEERS" = 1 ]; then
  REPORT=load-tests/results/peers-$DATE.md
else
  REPORT=load-tests/results/verify-$DATE.md
fi

PIN=${PIN:-1}
place_processes servers "load generators and redis-server"

need=(wrk gnuplot)
[ "$WITH_PEERS" = 1 ] && need+=(redis-server)
# shellcheck source=peer/apache/apache-peer.sh
[ "$WITH_PEERS" = 1 ] && . load-tests/peer/apache/apache-peer.sh
install_missing "${need[@]}"
build_jar_if_missing
start_kafka

# --- Keys, config and the token mix ------------------------------------------------------------
make_keys
API=$(free_port)
sidecar_yaml load-test "$API" "$WORK/load-store" all true >"$WORK/load.yaml"
# Tokens live 1 h from now (the run takes a few minutes), on the same clock as the sidecar.
mint_tokens "$WORK/tokens.txt" "$TOKENS"
TOKEN=$(head -1 "$WORK/tokens.txt")

# --- The sidecar: start cold (empty store), warm, and warm with a class-data archive -------------
# The archive is made as the container image makes it (Dockerfile): a training run of
# `dev --self-test`, recording the classes a start loads. JDK 25 has the AOT cache (JEP 483/514);
# older JDKs a dynamic AppCDS archive (-XX:ArchiveClassesAtExit), which works the same way here.
JAVA_FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
if [ "${JAVA_FEATURE%%.*}" -ge 25 ]; then
  ARCHIVE_KIND="AOT cache"; TRAIN_OPTS=(-XX:AOTCacheOutput="$WORK/sidecar.aot"); ARCHIVE_OPTS=(-XX:AOTCache="$WORK/sidecar.aot")
else
  ARCHIVE_KIND="AppCDS archive"; TRAIN_OPTS=(-XX:ArchiveClassesAtExit="$WORK/sidecar.jsa"); ARCHIVE_OPTS=(-XX:SharedArchiveFile="$WORK/sidecar.jsa")
fi
"$JAVA" "${TRAIN_OPTS[@]}" -jar "$JAR" dev --api-port 0 --admin-port 0 --self-test >"$WORK/training.log" 2>&1 \
  || { echo "the training run (dev --self-test) failed:" >&2; tail -20 "$WORK/training.log" >&2; exit 1; }
# Starts are timed on all cores (a pod's JVM starts with its CPU share); the measured sidecar is pinned.
start_sidecar() { # [pinned] EXTRA_JVM_OPTS...
  local t0 place=(env); t0=$(now_ms)
  if [ "${1:-}" = pinned ]; then place=("${ON_SERVER[@]}"); shift; fi
  # shellcheck disable=SC2086 # word splitting of the JVM options is intended
  "${place[@]}" "$JAVA" $SIDECAR_JAVA_OPTS "$@" -jar "$JAR" run --config "$WORK/load.yaml" >>"$WORK/sidecar.log" 2>&1 &
  SIDECAR=$!
  PIDS+=("$SIDECAR")
  wait_for "http://127.0.0.1:$API/health/ready" 60 >/dev/null
  READY_MS=$(( $(now_ms) - t0 ))
}
stop_sidecar() { kill "$SIDECAR"; wait "$SIDECAR" 2>/dev/null || true; }
verify_once() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "http://127.0.0.1:$API/v1/verify"; }
start_sidecar
COLD_READY_MS=$READY_MS
verify_once "$TOKEN" >/dev/null
stop_sidecar
start_sidecar
WARM_READY_MS=$READY_MS
stop_sidecar
start_sidecar "${ARCHIVE_OPTS[@]}"
CDS_READY_MS=$READY_MS
stop_sidecar
start_sidecar pinned # the measured sidecar: the JVM as users start it
for t in $(sed -n '1p;2p;3p' "$WORK/tokens.txt"); do
  code=$(verify_once "$t")
  [ "$code" = 200 ] || { echo "a minted token was refused ($code)" >&2; curl -s -H "Authorization: Bearer $t" "http://127.0.0.1:$API/v1/verify" >&2; exit 1; }
done
sleep 2
IDLE_RSS=$(rss_mb "$SIDECAR")

run_wrk() { # NAME URL FILE
  "${ON_CLIENT[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s load-tests/mix.lua "$2" -- "$3" >"$WORK/wrk-$1.txt"
  cat "$WORK/wrk-$1.txt" >&2
}
warm_wrk() { "${ON_CLIENT[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s load-tests/mix.lua "$1" -- "$2" >/dev/null; }
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$WORK/wrk-$1.txt"; }
wrk_pct() { awk -v p="$2" '$1 == p {print $2}' "$WORK/wrk-$1.txt"; }
non2xx() { awk '/Non-2xx/ {print $5; f=1} END {if (!f) print 0}' "$WORK/wrk-$1.txt"; }
to_ms() { # wrk latency (e.g. 812.00us, 1.20ms, 1.02s) in ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
# Latency at part load: wrk with paced.lua (each connection waits 1 ms between requests), with as
# many connections as a 3 s calibration says give TOTAL_RATE. Output as wrk-paced-NAME.txt.
run_paced() { # NAME URL FILE TOTAL_RATE
  local c=$(( $4 / 1000 )) got
  [ "$c" -lt 1 ] && c=1
  "${ON_CLIENT[@]}" wrk -t1 -c"$c" -d3s -s load-tests/paced.lua "$2" -- "$3" 1 >"$WORK/calibration-$1.txt"
  got=$(awk '/^Requests\/sec/ {print $2}' "$WORK/calibration-$1.txt")
  c=$(awk -v c="$c" -v r="$4" -v g="$got" 'BEGIN {n = int(c * r / g + 0.5); print (n < 1 ? 1 : n)}')
  "${ON_CLIENT[@]}" wrk -t1 -c"$c" -d"$DURATION" --latency -s load-tests/paced.lua "$2" -- "$3" 1 >"$WORK/wrk-paced-$1.txt"
  cat "$WORK/wrk-paced-$1.txt" >&2
}

URL_NOOP="http://127.0.0.1:$API/noop"
URL_VERIFY="http://127.0.0.1:$API/v1/verify"
# JIT warm-up of both routes (not measured), then the measured runs.
warm_wrk "$URL_NOOP" "$WORK/tokens.txt"
warm_wrk "$URL_VERIFY" "$WORK/tokens.txt"
run_wrk noop "$URL_NOOP" "$WORK/tokens.txt"
run_wrk verify "$URL_VERIFY" "$WORK/tokens.txt"
LOAD_RSS=$(rss_mb "$SIDECAR")
NOOP_RPS=$(rps noop); VERIFY_RPS=$(rps verify)
HALF_RATE=$(( VERIFY_RPS / 2 ))
run_paced verify "$URL_VERIFY" "$WORK/tokens.txt" "$HALF_RATE"
AFTER_RSS=$(rss_mb "$SIDECAR")
# /noop at the same rate: the latency floor of this server, network stack and load generator.
run_paced noop "$URL_NOOP" "$WORK/tokens.txt" "$HALF_RATE"
SCENARIOS=(noop verify)

if [ "$WITH_PEERS" = 1 ]; then
  stop_sidecar # the peers get the server core to themselves, as the sidecar had
  REDIS_PORT=$(free_port); PEER=$(free_port)
  "${ON_CLIENT[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    >"$WORK/redis.log" 2>&1 &
  PIDS+=($!)
  REDIS_PID=$!
  until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
  openssl rand -hex $((16 * TOKENS)) | fold -w 32 >"$WORK/sessions.txt" # TOKENS random session ids
  awk '{ v = "{\"sub\":\"user-" NR "\",\"scope\":\"orders:read\"}";
         printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length($0), $0, length(v), v }' \
    "$WORK/sessions.txt" | redis-cli -p "$REDIS_PORT" --pipe >/dev/null
  "${ON_SERVER[@]}" java -cp "$JAR" load-tests/peer/RedisSessionServer.java "$PEER" "$REDIS_PORT" >"$WORK/peer.log" 2>&1 &
  PIDS+=($!)
  PEER_PID=$!
  URL_PEER="http://127.0.0.1:$PEER/session"
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head -1 "$WORK/sessions.txt")" "$URL_PEER")" = 200 ]; do sleep 0.1; done
  warm_wrk "$URL_PEER" "$WORK/sessions.txt"
  run_wrk redis "$URL_PEER" "$WORK/sessions.txt"
  REDIS_RPS=$(rps redis)
  run_paced redis "$URL_PEER" "$WORK/sessions.txt" "$HALF_RATE"
  PEER_RSS=$(rss_mb "$PEER_PID")
  kill "$PEER_PID" "$REDIS_PID"; wait "$PEER_PID" "$REDIS_PID" 2>/dev/null || true
  SCENARIOS+=(redis)

  APACHE_PORT=$(free_port)
  # Not in $(...): the function sets APACHE_PEER_PID and APACHE_PEER_URL in this shell.
  if apache_peer_start "$WORK" "$APACHE_PORT" "$HS_SECRET" "$WORK/rs.pub.pem" "$WORK/es.pub.pem" 2>"$WORK/apache-start.log"; then
    PIDS+=("$APACHE_PEER_PID")
    # apache2 forks its workers from the parent, so pinning the running tree covers them all.
    [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && for pid in $(pgrep -f "$WORK/apache"); do taskset -a -p -c "$SERVER_CPUS" "$pid" >/dev/null; done
    warm_wrk "$APACHE_PEER_URL" "$WORK/tokens.txt"
    run_wrk apache "$APACHE_PEER_URL" "$WORK/tokens.txt"
    run_paced apache "$APACHE_PEER_URL" "$WORK/tokens.txt" "$HALF_RATE"
    APACHE_RPS=$(rps apache)
    APACHE_NOTE=$(apache_peer_describe)
    apache_peer_stop
    SCENARIOS+=(apache)
  else
    APACHE_NOTE="Apache with mod_auth_openidc did not start here, so this run has no Apache row: $(tr '\n' ' ' <"$WORK/apache-start.log")"
  fi
fi

# --- Report -------------------------------------------------------------------------------------
label_of() {
  case $1 in
    noop) echo "GET /noop (ceiling)" ;;
    verify) echo "GET /v1/verify (token mix)" ;;
    redis) echo "Redis-session front (GET per request)" ;;
    apache) echo "Apache + mod_auth_openidc (token mix)" ;;
  esac
}
short_label_of() { # for plot axes
  case $1 in
    noop) echo "noop" ;;
    verify) echo "sidecar verify" ;;
    redis) echo "Redis session" ;;
    apache) echo "Apache oidc" ;;
  esac
}
JAR_MB=$(awk '{printf "%.1f", $1 / 1048576}' <<<"$(stat -c %s "$JAR")")
PLOT=${REPORT%.md}.png
mkdir -p "$(dirname "$REPORT")"
for s in "${SCENARIOS[@]}"; do printf '"%s" %s\n' "$(short_label_of "$s")" "$(rps "$s")"; done >"$WORK/rps.dat"
for s in "${SCENARIOS[@]}"; do
  printf '"%s" %s %s\n' "$(short_label_of "$s")" "$(to_ms "$(wrk_pct "paced-$s" 50%)")" "$(to_ms "$(wrk_pct "paced-$s" 99%)")"
done >"$WORK/latency.dat"
plot_bars "${PLOT%.png}-throughput.png" "Maximum rate (wrk -t$THREADS -c$CONNECTIONS), $DATE" "requests/s" "$WORK/rps.dat"
plot_bars "${PLOT%.png}-latency.png" "Latency at about $HALF_RATE requests/s (paced wrk), $DATE" "milliseconds (log scale)" "$WORK/latency.dat" log
{
  echo "# Load test: verify vs the no-op ceiling$([ "$WITH_PEERS" = 1 ] && echo ' and the peers'), $DATE"
  echo
  echo "- Command: \`load-tests/$([ "$WITH_PEERS" = 1 ] && echo run-peers.sh || echo run-verify.sh)\`"
  echo "  (wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency with load-tests/mix.lua after a ${WARMUP} warm-up;"
  echo "  at 50 % of the verify maximum, $HALF_RATE requests/s: wrk -t1 -d$DURATION --latency with load-tests/paced.lua,"
  echo "  each connection waiting 1 ms between requests, as many connections as a 3 s calibration needs)."
  echo "- Sidecar JVM: Java $JAVA_FEATURE$([ "$JAVA" != java ] && echo " (JAVA set to another JDK's java)"); options: ${SIDECAR_JAVA_OPTS:-none (JVM defaults)}."
  echo "- Machine: $(machine); $PLACEMENT;"
  echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "- Token mix: $TOKENS distinct tokens, a third each HS256, RS256 (2048), ES256 (P-256); skewed picks"
  echo "  (index = n·r³), in both the maximum-rate and the paced runs."
  echo
  echo "| scenario | max rate: requests/s | p50 ms | p99 ms | non-2xx | paced at ~$HALF_RATE/s: requests/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in "${SCENARIOS[@]}"; do
    paced_cols="| $(rps "paced-$s") | $(to_ms "$(wrk_pct "paced-$s" 50%)") | $(to_ms "$(wrk_pct "paced-$s" 99%)") | $(non2xx "paced-$s") |"
    echo "| $(label_of "$s") | $(rps "$s") | $(to_ms "$(wrk_pct "$s" 50%)") | $(to_ms "$(wrk_pct "$s" 99%)") | $(non2xx "$s") $paced_cols"
  done
  echo
  echo "- verify ÷ noop throughput: **$(ratio "$VERIFY_RPS" "$NOOP_RPS")** (target ≥ 0.8)"
  echo "- verify p99 at 50 % of its maximum rate: **$(to_ms "$(wrk_pct paced-verify 99%)") ms** (target ≤ 1 ms); /noop at the same rate, the floor of this set-up: $(to_ms "$(wrk_pct paced-noop 99%)") ms"
  if [ "$WITH_PEERS" = 1 ]; then
    echo "- verify ÷ Redis-session throughput: **$(ratio "$VERIFY_RPS" "$REDIS_RPS")** (target ≥ 2); p99 at the same rate: $(to_ms "$(wrk_pct paced-verify 99%)") vs $(to_ms "$(wrk_pct paced-redis 99%)") ms"
    if [ -n "${APACHE_RPS:-}" ]; then
      echo "- verify ÷ Apache mod_auth_openidc throughput: **$(ratio "$VERIFY_RPS" "$APACHE_RPS")**; p99 at the same rate: $(to_ms "$(wrk_pct paced-verify 99%)") vs $(to_ms "$(wrk_pct paced-apache 99%)") ms"
    fi
    echo "- Apache peer: $APACHE_NOTE"
  fi
  echo
  echo "Footprint (sidecar process, \`ps -o rss=\`):"
  echo
  echo "| | value |"
  echo "|---|---:|"
  echo "| RSS at idle (ready, 3 requests served) | $IDLE_RSS MB |"
  echo "| RSS right after the verify max-rate run | $LOAD_RSS MB |"
  echo "| RSS after the 50 % latency run | $AFTER_RSS MB |"
  echo "| launch to /health/ready 200, empty store (cold) | $COLD_READY_MS ms |"
  echo "| launch to /health/ready 200, warm store (restart) | $WARM_READY_MS ms |"
  echo "| launch to /health/ready 200, warm store, $ARCHIVE_KIND from a \`dev --self-test\` training run | $CDS_READY_MS ms |"
  echo "| jar size ($JAR) | $JAR_MB MB |"
  echo "| container image size | not measured: no container engine on this machine |"
  [ "$WITH_PEERS" = 1 ] && echo "| Redis-session front RSS after its runs (for reference) | $PEER_RSS MB |"
  echo
  echo "![throughput]($(basename "${PLOT%.png}-throughput.png")) ![latency]($(basename "${PLOT%.png}-latency.png"))"
  echo
  echo "Raw tool output:"
  for f in "$WORK"/wrk-*.txt; do
    echo; echo "\`$(basename "$f" .txt)\`"; echo; echo '```'; { grep -v '^ *$' "$f" | grep -Ev '^\s*[0-9.]+ \[' || true; }; echo '```'
  done
} >"$REPORT"
echo "report: $REPORT"
cat "$REPORT"
