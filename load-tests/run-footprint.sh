#!/usr/bin/env bash
# The sidecar's footprint, one configuration after another in the same run: resident memory
# (VmHWM, the peak, and VmRSS) under a paced 10,000 requests/s on /v1/verify with 100,000 live
# revocation rules in the store, launch to ready with a warm store, and the maximum rate, so that
# every knob is a ratio to the baseline of the same run. Then Native Memory Tracking and
# /proc/PID/smaps_rollup for the baseline and the candidate: where the resident memory goes.
#
#   load-tests/run-footprint.sh     # report: load-tests/results/footprint-<date>.md (a few minutes)
#
# Each configuration: start once (untimed; it catches up with the topic), stop cleanly, start
# again on all cores and time launch → /health/ready 200 (the store is warm), stop, start pinned
# to the server core for the load: a JIT warm-up at the paced rate, STEADY of paced load at RATE
# requests/s (wrk with paced.lua; VmHWM and VmRSS read at its end), then MAX of wrk at full speed.
# The store directory is shared by every configuration: the first start fills it from the topic.
#
# Configurations (CONFIGS, names from the list below, baseline first): "baseline" is the image's
# entry point before this script (MaxRAMPercentage=50 of the injected 512Mi limit, the class
# archive, RocksDB's default memory with JAR_BEFORE), "candidate" the image's entry point now (a
# fifth of the injected 320Mi limit, the serial collector, the archive, the store's memory budget),
# and one row per knob, each the baseline with that one knob changed.
#
# Settings (environment): RULES (100000), RATE (10000), STEADY (15s), MAX (6s), WARMUP (4s),
# TOKENS (10000), CONFIGS (all), JAR_BEFORE (a dev jar built from the commit before the store's
# memory budget, for the baseline and the knob rows; default the current jar, when the RocksDB row
# is then the same as the baseline), NMT (1: the NMT pass), PIN (1), REPORT, KEEP_WORK.
# Needs Java 17+ (with jcmd), Maven, curl, openssl, python3; installs wrk with apt-get if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
. load-tests/lib/common.sh
RULES=${RULES:-100000}
RATE=${RATE:-10000}
STEADY=${STEADY:-15s}
MAX=${MAX:-6s}
WARMUP=${WARMUP:-4s}
TOKENS=${TOKENS:-10000}
NMT=${NMT:-1}
REPORT=${REPORT:-load-tests/results/footprint-$DATE.md}
JAR_BEFORE=${JAR_BEFORE:-$JAR}
PIN=${PIN:-1}
place_processes "the sidecar" "wrk"
install_missing wrk
build_jar_if_missing

# --- Configurations ------------------------------------------------------------------------------
# name | jar (now: JAR, before: JAR_BEFORE) | environment | JVM options. ARCHIVE is the class
# archive trained for that jar; -XX:MaxRAM stands in for the container's memory limit (512m: the
# injected limit before; 320m: now), which the JVM reads as its RAM.
BASE_OPTS="-XX:MaxRAM=512m -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError ARCHIVE"
CAND_OPTS="-XX:MaxRAM=320m -XX:MaxRAMPercentage=50 -XX:MinRAMPercentage=50 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError ARCHIVE"
ALL_CONFIGS=(
  "baseline|before||$BASE_OPTS"
  "candidate|now||$CAND_OPTS"
  "heap a fifth of 320m, 64 MiB (-XX:MaxRAMPercentage=20 -XX:MinRAMPercentage=20)|now||${CAND_OPTS//RAMPercentage=50/RAMPercentage=20}"
  "store memory budget (StoreMemoryBudget)|now||$BASE_OPTS"
  "G1 (-XX:+UseG1GC)|before||$BASE_OPTS -XX:+UseG1GC"
  "Parallel (-XX:+UseParallelGC)|before||$BASE_OPTS -XX:+UseParallelGC"
  "Serial (-XX:+UseSerialGC)|before||$BASE_OPTS -XX:+UseSerialGC"
  "heap 80m (-XX:MaxRAM=160m)|before||${BASE_OPTS/MaxRAM=512m/MaxRAM=160m}"
  "heap 64m (-XX:MaxRAM=128m)|before||${BASE_OPTS/MaxRAM=512m/MaxRAM=128m}"
  "young 16m (-Xmn16m)|before||$BASE_OPTS -Xmn16m"
  "metaspace, code cache (-XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m)|before||$BASE_OPTS -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m"
  "C1 only (-XX:TieredStopAtLevel=1)|before||$BASE_OPTS -XX:TieredStopAtLevel=1"
  "two compiler threads at most (-XX:CICompilerCount=2)|before||$BASE_OPTS -XX:CICompilerCount=2"
  "thread stacks (-Xss512k)|before||$BASE_OPTS -Xss512k"
  "glibc arenas (MALLOC_ARENA_MAX=2)|before|MALLOC_ARENA_MAX=2|$BASE_OPTS"
  "Netty: one pooled arena (-Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1)|before||$BASE_OPTS -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1"
  "Netty: unpooled (-Dio.netty.allocator.type=unpooled)|before||$BASE_OPTS -Dio.netty.allocator.type=unpooled"
  "no class archive|before||${BASE_OPTS/ ARCHIVE/}"
)
CONFIGS=${CONFIGS:-}

start_kafka
make_keys
API=$(free_port)
sidecar_yaml footprint "$API" "$WORK/store" all >"$WORK/sidecar.yaml"
mint_tokens "$WORK/tokens.txt" "$TOKENS"
java -cp "$JAR" load-tests/peer/PublishRules.java "$BOOTSTRAP" jwt-revocations https://hs.load.test "$RULES" 7200 >&2

# One class archive per jar, trained as the Dockerfile trains the image's (`warm-up`).
for which in before now; do
  jar=$JAR; [ "$which" = before ] && jar=$JAR_BEFORE
  java -XX:ArchiveClassesAtExit="$WORK/$which.jsa" -jar "$jar" warm-up >"$WORK/warm-up-$which.log" 2>&1 \
    || { tail -20 "$WORK/warm-up-$which.log" >&2; exit 1; }
done

vm() { awk -v k="$2:" '$1 == k {printf "%.0f", $2 / 1024}' "/proc/$1/status"; } # PID FIELD: MiB
rollup() { awk -v k="$2:" '$1 == k {printf "%.0f", $2 / 1024}' "/proc/$1/smaps_rollup"; } # PID FIELD: MiB
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {n += $5} /Socket errors/ {n += 0} END {print n + 0}' "$1"; }
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
pct() { to_ms "$(awk -v p="$2" '$1 == p {print $2}' "$1")"; }

# start_sidecar JAR_KIND ENV OPTS [pinned]: sets SIDECAR and READY_MS.
start_sidecar() {
  local jar=$JAR place=(env) t0 opts
  [ "$1" = before ] && jar=$JAR_BEFORE
  opts=${3//ARCHIVE/-XX:SharedArchiveFile=$WORK/$1.jsa}
  [ "${4:-}" = pinned ] && place=("${ON_SERVER[@]}")
  t0=$(now_ms)
  # shellcheck disable=SC2086 # word splitting of the environment and the JVM options is intended
  env $2 "${place[@]}" java $opts -jar "$jar" run --config "$WORK/sidecar.yaml" >>"$WORK/sidecar.log" 2>&1 &
  SIDECAR=$!
  PIDS+=("$SIDECAR")
  wait_for "http://127.0.0.1:$API/health/ready" 600 >/dev/null || { tail -30 "$WORK/sidecar.log" >&2; exit 1; }
  READY_MS=$(( $(now_ms) - t0 ))
}
stop_sidecar() { kill "$SIDECAR"; wait "$SIDECAR" 2>/dev/null || true; }
rules_in_store() { curl -s "http://127.0.0.1:$API/metrics" | awk '/^jwt_sidecar_store_rules/ {printf "%.0f", $2}'; }

URL="http://127.0.0.1:$API/v1/verify"
# Connections for RATE: each paced connection waits 1 ms after an answer, so a 3 s calibration
# with RATE / 1000 connections tells how many give RATE.
paced_connections() {
  local c=$(( RATE / 1000 )) got
  "${ON_CLIENT[@]}" wrk -t1 -c"$c" -d3s -s load-tests/paced.lua "$URL" -- "$WORK/tokens.txt" 1 >"$WORK/calibration.txt"
  got=$(rps "$WORK/calibration.txt")
  awk -v c="$c" -v r="$RATE" -v g="$got" 'BEGIN {n = int(c * r / g + 0.5); print (n < 1 ? 1 : n)}'
}

declare -a ROWS
i=0
for config in "${ALL_CONFIGS[@]}"; do
  IFS='|' read -r name kind envs opts <<<"$config"
  if [ -n "$CONFIGS" ] && ! grep -qxF "$name" <<<"$(tr ',' '\n' <<<"$CONFIGS")" && [ "$i" -gt 1 ]; then i=$((i + 1)); continue; fi
  i=$((i + 1))
  echo "=== $name" >&2
  start_sidecar "$kind" "$envs" "$opts"; COLD_MS=$READY_MS; stop_sidecar
  start_sidecar "$kind" "$envs" "$opts"; WARM_MS=$READY_MS; stop_sidecar
  start_sidecar "$kind" "$envs" "$opts" pinned
  LIVE=$(rules_in_store)
  [ -n "${CONNS:-}" ] || CONNS=$(paced_connections)
  "${ON_CLIENT[@]}" wrk -t1 -c"$CONNS" -d"$WARMUP" -s load-tests/paced.lua "$URL" -- "$WORK/tokens.txt" 1 >/dev/null
  "${ON_CLIENT[@]}" wrk -t1 -c"$CONNS" -d"$STEADY" --latency -s load-tests/paced.lua "$URL" -- "$WORK/tokens.txt" 1 >"$WORK/paced-$i.txt"
  HWM=$(vm "$SIDECAR" VmHWM); RSS=$(vm "$SIDECAR" VmRSS); ANON=$(rollup "$SIDECAR" Anonymous)
  "${ON_CLIENT[@]}" wrk -t1 -c32 -d"$MAX" --latency -s load-tests/mix.lua "$URL" -- "$WORK/tokens.txt" >"$WORK/max-$i.txt"
  HWM_MAX=$(vm "$SIDECAR" VmHWM)
  stop_sidecar
  ROWS+=("$name|$HWM|$RSS|$ANON|$HWM_MAX|$COLD_MS|$WARM_MS|$(rps "$WORK/paced-$i.txt")|$(pct "$WORK/paced-$i.txt" 50%) / $(pct "$WORK/paced-$i.txt" 99%)|$(rps "$WORK/max-$i.txt")|$(pct "$WORK/max-$i.txt" 50%) / $(pct "$WORK/max-$i.txt" 99%)|$(( $(non2xx "$WORK/paced-$i.txt") + $(non2xx "$WORK/max-$i.txt") ))|$LIVE|$kind|$envs|$opts")
  echo "${ROWS[-1]}" >&2
done

# --- Where the memory goes: NMT and smaps_rollup, baseline and candidate --------------------------
nmt_pass() { # NAME KIND ENV OPTS: WORK/nmt-NAME.txt, WORK/smaps-NAME.txt after the paced load
  start_sidecar "$2" "$3" "$4 -XX:NativeMemoryTracking=summary" pinned
  "${ON_CLIENT[@]}" wrk -t1 -c"$CONNS" -d"$STEADY" -s load-tests/paced.lua "$URL" -- "$WORK/tokens.txt" 1 >/dev/null
  jcmd "$SIDECAR" VM.native_memory summary scale=KB >"$WORK/nmt-$1.txt"
  cat "/proc/$SIDECAR/smaps_rollup" >"$WORK/smaps-$1.txt"
  awk '$1 == "VmHWM:" || $1 == "VmRSS:"' "/proc/$SIDECAR/status" >>"$WORK/smaps-$1.txt"
  stop_sidecar
}
if [ "$NMT" = 1 ]; then
  IFS='|' read -r _ kind envs opts <<<"${ALL_CONFIGS[0]}"; nmt_pass baseline "$kind" "$envs" "$opts"
  IFS='|' read -r _ kind envs opts <<<"${ALL_CONFIGS[1]}"; nmt_pass candidate "$kind" "$envs" "$opts"
fi
nmt_mb() { # FILE CATEGORY: committed MiB of that NMT category ("Total" for the total)
  awk -v c="$2" '
    c == "Total" && /^Total:/ { for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) { sub(/committed=/, "", $i); sub(/KB.*/, "", $i); printf "%.1f", $i / 1024; exit } }
    c != "Total" && /^-/ && index($0, " " c " (") { for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) { sub(/committed=/, "", $i); sub(/KB.*/, "", $i); printf "%.1f", $i / 1024; exit } }' "$1"
}
smaps_mb() { awk -v k="$2:" '$1 == k {printf "%.1f", $2 / 1024}' "$1"; }

# --- Report ----------------------------------------------------------------------------------------
BASE_MAX=$(cut -d'|' -f10 <<<"${ROWS[0]}")
{
  echo "# Footprint: a sidecar in every pod, $DATE"
  echo
  echo "Command: \`load-tests/run-footprint.sh\` (RULES=$RULES, RATE=$RATE, STEADY=$STEADY, MAX=$MAX, WARMUP=$WARMUP, TOKENS=$TOKENS$([ "$JAR_BEFORE" != "$JAR" ] && echo ", JAR_BEFORE=$(basename "$JAR_BEFORE")"))."
  echo "Machine: $(machine). $PLACEMENT. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "Store: $RULES live revoke rules published to the topic before the first start (every row reports the"
  echo "store's \`jwt_sidecar_store_rules\` estimate). Launch → ready: the second start of the row (the first one"
  echo "caught up, then stopped cleanly), on all cores, in ms. Then a third start pinned to the server core:"
  echo "$WARMUP paced warm-up, $STEADY paced at ~$RATE req/s with $CONNS connections (RSS read at its end), $MAX at"
  echo "full speed (wrk -t1 -c32, mix.lua). RSS in MiB. \"before\": the jar built before the store's memory budget."
  echo
  echo "| configuration | VmHWM at $RATE/s | VmRSS at $RATE/s | anonymous | VmHWM after max | first start ms | launch→ready, warm ms | paced req/s | paced p50 / p99 ms | max req/s | ÷ baseline | max p50 / p99 ms | non-200 | rules |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${ROWS[@]}"; do
    IFS='|' read -r name hwm rss anon hwmmax cold warm prps plat mrps mlat bad live _ _ _ <<<"$row"
    echo "| $name | $hwm | $rss | $anon | $hwmmax | $cold | $warm | $prps | $plat | $mrps | $(ratio "$mrps" "$BASE_MAX") | $mlat | $bad | $live |"
  done
  echo
  echo "Exact settings of each row (jar; environment; JVM options; ARCHIVE = \`-XX:SharedArchiveFile=\` of the archive \`warm-up\` trained for that jar):"
  echo
  for row in "${ROWS[@]}"; do
    IFS='|' read -r name _ _ _ _ _ _ _ _ _ _ _ _ kind envs opts <<<"$row"
    echo "- $name: $kind; ${envs:-(none)}; \`$opts\`"
  done
  if [ "$NMT" = 1 ]; then
    echo
    echo "## Where it goes (NMT committed and smaps_rollup, MiB, after $STEADY paced, with -XX:NativeMemoryTracking=summary)"
    echo
    echo "| | baseline | candidate |"
    echo "|---|---:|---:|"
    for f in VmHWM VmRSS Rss Anonymous Pss_Anon Pss_File; do
      echo "| smaps/status $f | $(smaps_mb "$WORK/smaps-baseline.txt" "$f") | $(smaps_mb "$WORK/smaps-candidate.txt" "$f") |"
    done
    echo "| NMT total committed | $(nmt_mb "$WORK/nmt-baseline.txt" Total) | $(nmt_mb "$WORK/nmt-candidate.txt" Total) |"
    for c in "Java Heap" Class Thread Code GC Compiler Internal Other Symbol "Native Memory Tracking" "Shared class space" "Arena Chunk" Metaspace; do
      echo "| NMT $c | $(nmt_mb "$WORK/nmt-baseline.txt" "$c") | $(nmt_mb "$WORK/nmt-candidate.txt" "$c") |"
    done
    echo
    echo "Anonymous resident memory that NMT does not see (RocksDB, glibc's arenas, other native libraries) is about"
    echo "smaps Anonymous minus NMT's committed heap and non-heap that is resident."
    for which in baseline candidate; do
      echo
      echo "<details><summary>NMT summary, $which</summary>"
      echo
      echo '```'
      grep -v '^$' "$WORK/nmt-$which.txt" | grep -v '(mmap: \|(malloc=\|(arena=\|^ *(reserved=\|(at peak)' | head -60
      echo '```'
      echo "</details>"
    done
  fi
} | tee "$REPORT"
