# shellcheck shell=bash
# Shared by the load-test scripts (sourced, not run). The caller sets `set -euo pipefail` and is
# in the repository root. Provides a work directory removed at exit, process bookkeeping, port and
# readiness helpers, tool installation and the embedded Kafka broker of `jwt-sidecar dev`.

# The dev jar: the scripts start its embedded broker (`dev`) as well as the sidecar (`run`, the same
# code as the production jar's).
JAR=${JAR:-target/jwt-sidecar-dev.jar}
# shellcheck disable=SC2034 # DATE and BOOTSTRAP are for the scripts that source this file
DATE=$(date -u +%Y-%m-%d)

WORK=$(mktemp -d -t jwt-sidecar-load-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Anything started with a path of the work directory on its command line (e.g. forked server
  # workers) must not outlive the run.
  pkill -f "$WORK/" 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# install TOOL... : apt-get install for the ones not on the PATH (packages named as the tools,
# except where PACKAGE_OF_<tool> says otherwise).
install_missing() {
  local missing=() tool pkg
  for tool in "$@"; do
    command -v "$tool" >/dev/null && continue
    pkg=$tool
    [ "$tool" = gnuplot ] && pkg=gnuplot-nox
    missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]}" >&2
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -q "${missing[@]}" >/dev/null
}

# place_processes SERVERS CLIENTS: with PIN=1 (the default) and two cores or more, the servers run
# on the last core and the clients on the others. Sets ON_SERVER and ON_CLIENT (command prefixes),
# SERVER_CPUS, and PLACEMENT (a sentence for the report naming SERVERS and CLIENTS).
place_processes() {
  if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ]; then
    SERVER_CPUS=$(( $(nproc) - 1 ))
    local client_cpus=0-$(( $(nproc) - 2 ))
    # Arrays, not functions: taskset execs the command, so "$!" of a background start is its pid.
    ON_SERVER=(taskset -c "$SERVER_CPUS"); ON_CLIENT=(taskset -c "$client_cpus")
    PLACEMENT="$1 pinned to CPU $SERVER_CPUS, $2 to CPU $client_cpus (taskset)"
  else
    ON_SERVER=(env); ON_CLIENT=(env)
    PLACEMENT="$1 and $2 share all cores (no pinning)"
  fi
}

build_jar_if_missing() { [ -f "$JAR" ] || mvn -B -q -DskipTests package; }

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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
machine() { # one line: cores, CPU model, Java
  local cpu; cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/ [0-9]*-Core Processor//')
  echo "$(nproc) vCPU ${cpu:-unknown CPU}, $("${JAVA:-java}" -version 2>&1 | head -1)"
}

# Starts `jwt-sidecar dev` on free ports (its own sidecar stays idle) and sets BOOTSTRAP to the
# address of its embedded Kafka broker.
start_kafka() {
  local api admin; api=$(free_port); admin=$(free_port)
  java -jar "$JAR" dev --api-port "$api" --admin-port "$admin" --dir "$WORK/dev" >"$WORK/dev.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do grep -q 'jwt-sidecar dev is ready' "$WORK/dev.log" && break; sleep 0.2; done
  grep -q 'jwt-sidecar dev is ready' "$WORK/dev.log" || { cat "$WORK/dev.log" >&2; return 1; }
  # shellcheck disable=SC2034
  BOOTSTRAP=$(sed -n 's/^ *Kafka *: \([^ ]*\).*/\1/p' "$WORK/dev.log")
}

# Keys for the three issuers (RSA 2048, EC P-256 with openssl; a random HMAC secret) in $WORK.
make_keys() {
  HS_SECRET=$(openssl rand -hex 24)
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/rs.key" 2>/dev/null
  openssl pkey -in "$WORK/rs.key" -pubout -out "$WORK/rs.pub.pem"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/es.key" 2>/dev/null
  openssl pkey -in "$WORK/es.key" -pubout -out "$WORK/es.pub.pem"
}

# mint_tokens FILE COUNT: COUNT tokens cycling HS256, RS256, ES256, valid for an hour from now.
mint_tokens() {
  java -cp "$JAR" load-tests/peer/MintTokens.java "$1" "$2" 3600 "$HS_SECRET" "$WORK/rs.key" "$WORK/es.key"
}

# sidecar_yaml ID API_PORT DATA_DIR ISSUERS [NOOP_ROUTE]: a sidecar configuration on dev mode's broker
# (start_kafka) with the load-test issuers: "hs" (HS256 only) or "all" (HS256, RS256 and ES256, keys
# from make_keys; the PEM paths are relative to a config file written in $WORK).
sidecar_yaml() {
  local id=$1 port=$2 data=$3 issuers=$4 noop=${5:-false}
  cat <<YAML
sidecar:
  id: $id
api:
  host: 127.0.0.1
  port: $port
  noopRoute: $noop
kafka:
  bootstrapServers: $BOOTSTRAP
  topic: jwt-revocations
  statusTopic: jwt-revocations-status
revocation:
  dataDir: $data
issuers:
  - issuer: https://hs.load.test
    audiences: [load-api]
    keys:
      - kid: hs-1
        alg: HS256
        secret: "$HS_SECRET"
YAML
  [ "$issuers" = all ] || return 0
  cat <<YAML
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
}
