#!/usr/bin/env bash
# The image as it runs: its size (and the size it would have with the dev jar), launch to ready
# in the container with and without the class archive the build trained, and the JVM's resident
# memory when ready and under load (a token mix of many distinct tokens, so signatures are
# verified and the verified-token cache fills), in a container limited as the injected sidecar is.
#
#   load-tests/run-image.sh      # report: load-tests/results/image-<date>.md
#
# Settings (environment): BASE (the image both FROM lines use; default the one
# deploy/image/debian-base.sh makes from Debian packages), RUNS (5 starts of each kind), MEMORY
# (the container's memory limit, 512m as injected), LOAD (20s of wrk on /v1/verify per start),
# TOKENS (50000: HS256, RS256 and ES256 in turn, picked by load-tests/mix.lua),
# REPORT, KEEP_WORK. Needs root, a Docker engine (host networking), Java 17+, Maven, curl, openssl;
# installs wrk with apt-get if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
. load-tests/lib/common.sh
BASE=${BASE:-jwt-sidecar-base/debian-jre:bookworm}
RUNS=${RUNS:-5}
MEMORY=${MEMORY:-512m}
LOAD=${LOAD:-20s}
TOKENS=${TOKENS:-50000}
REPORT=${REPORT:-load-tests/results/image-$DATE.md}
PRODUCTION_JAR=target/jwt-sidecar.jar
install_missing wrk
[ -f "$PRODUCTION_JAR" ] && [ -f "$JAR" ] || mvn -B -q -DskipTests package

bash deploy/image/debian-base.sh "$BASE" >&2
build() { # JAR TAG
  docker build --network host -q --force-rm --build-arg BUILD_BASE="$BASE" --build-arg RUNTIME_BASE="$BASE" \
    --build-arg JAR="$1" -t "$2" . >/dev/null 2>"$WORK/build.log" || { cat "$WORK/build.log" >&2; exit 1; }
}
build "$PRODUCTION_JAR" jwt-sidecar:bench
build "$JAR" jwt-sidecar:bench-dev
image_mb() { docker image inspect --format '{{.Size}}' "$1" | awk '{printf "%.1f", $1 / 1000000}'; }
file_mb() { awk '{printf "%.1f", $1 / 1000000}' <<<"$(stat -c %s "$1")"; }
in_image_mb() { docker run --rm --entrypoint stat jwt-sidecar:bench -c %s "$1" | awk '{printf "%.1f", $1 / 1000000}'; }

start_kafka
make_keys
PORT=$(free_port)
sidecar_yaml image-bench "$PORT" /var/lib/jwt-sidecar/revocations all >"$WORK/sidecar.yaml"
# The container's user (10001) reads the configuration and the public keys; test keys only.
chmod a+rx "$WORK"
chmod a+r "$WORK"/sidecar.yaml "$WORK"/*.pem
mint_tokens "$WORK/tokens.txt" "$TOKENS"

vm() { awk -v k="$2:" '$1 == k {printf "%.0f", $2 / 1024}' "/proc/$1/status"; } # PID FIELD: MiB
median() { sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%g (%g-%g)", m, a[1], a[NR]}'; }

declare -A READY RSS_READY RSS_LOAD HWM
one_start() { # MODE: archive | plain
  local mode=$1 name="jwt-sidecar-bench-$$" start pid
  local opts=(--name "$name" -d --network host --read-only --tmpfs /tmp --memory "$MEMORY" --cap-drop ALL
              -e JWT_SIDECAR_API_PORT="$PORT" -v "$WORK:/cfg:ro")
  start=$(now_ms)
  if [ "$mode" = archive ]; then
    docker run "${opts[@]}" jwt-sidecar:bench run --config /cfg/sidecar.yaml >/dev/null
  else
    docker run "${opts[@]}" --entrypoint java jwt-sidecar:bench -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError \
      -Djava.library.path=/app/native -Dcom.amazon.corretto.crypto.provider.useExternalLib=true \
      -Dorg.xerial.snappy.use.systemlib=true \
      -jar /app/jwt-sidecar.jar run --config /cfg/sidecar.yaml >/dev/null
  fi
  wait_for "http://127.0.0.1:$PORT/health/ready" 120 >/dev/null || { docker logs "$name" >&2; docker rm -f -v "$name"; exit 1; }
  READY[$mode]+="$(( $(now_ms) - start )) "
  pid=$(docker inspect --format '{{.State.Pid}}' "$name")
  sleep 2
  RSS_READY[$mode]+="$(vm "$pid" VmRSS) "
  wrk -t1 -c16 -d"$LOAD" -s load-tests/mix.lua "http://127.0.0.1:$PORT/v1/verify" -- "$WORK/tokens.txt" >"$WORK/wrk.txt"
  grep -q 'Non-2xx' "$WORK/wrk.txt" && { cat "$WORK/wrk.txt" >&2; docker rm -f -v "$name"; exit 1; }
  RSS_LOAD[$mode]+="$(vm "$pid" VmRSS) "
  HWM[$mode]+="$(vm "$pid" VmHWM) "
  docker rm -f -v "$name" >/dev/null
}
for _ in $(seq 1 "$RUNS"); do one_start archive; one_start plain; done
stats() { tr ' ' '\n' <<<"$1" | grep . | median; }

{
  echo "# The image, $DATE"
  echo
  echo "Command: \`load-tests/run-image.sh\` (RUNS=$RUNS, MEMORY=$MEMORY, LOAD=$LOAD, TOKENS=$TOKENS). Machine: $(machine)."
  echo "Base of both stages: \`$BASE\`, runtime Java: $(docker run --rm --entrypoint java jwt-sidecar:bench -version 2>&1 | head -1)."
  echo "Each start is a fresh container (read-only, \`--tmpfs /tmp\`, \`--memory $MEMORY\`) with an empty store"
  echo "on a new volume, against an in-JVM broker on the host network; medians (min-max) of $RUNS."
  echo
  echo "| what | size |"
  echo "|---|---|"
  echo "| \`target/jwt-sidecar.jar\` (production: no broker, no Scala, no dev mode; every platform's natives) | $(file_mb "$PRODUCTION_JAR") MB |"
  echo "| \`target/jwt-sidecar-dev.jar\` (with dev mode and its broker) | $(file_mb "$JAR") MB |"
  echo "| the production jar in the image (one platform's RocksDB) | $(in_image_mb /app/jwt-sidecar.jar) MB |"
  echo "| the class archive in the image (\`$(docker run --rm --entrypoint cat jwt-sidecar:bench /app/jvm.options)\`) | $(in_image_mb "$(docker run --rm --entrypoint sh jwt-sidecar:bench -c 'ls /app/jwt-sidecar.aot /app/jwt-sidecar.jsa 2>/dev/null | head -1')") MB |"
  echo "| base image | $(image_mb "$BASE") MB |"
  echo "| image (production jar) | $(image_mb jwt-sidecar:bench) MB |"
  echo "| the same image built with the dev jar, for comparison | $(image_mb jwt-sidecar:bench-dev) MB |"
  echo
  echo "| in the container | with the class archive (the image's entry point) | without |"
  echo "|---|---|---|"
  echo "| \`docker run\` to \`/health/ready\` 200, ms | $(stats "${READY[archive]}") | $(stats "${READY[plain]}") |"
  echo "| RSS when ready, MiB | $(stats "${RSS_READY[archive]}") | $(stats "${RSS_READY[plain]}") |"
  echo "| RSS after $LOAD of wrk -t1 -c16 on /v1/verify, $TOKENS tokens (HS256, RS256, ES256; mix.lua), MiB | $(stats "${RSS_LOAD[archive]}") | $(stats "${RSS_LOAD[plain]}") |"
  echo "| peak RSS (VmHWM), MiB | $(stats "${HWM[archive]}") | $(stats "${HWM[plain]}") |"
} | tee "$REPORT"
