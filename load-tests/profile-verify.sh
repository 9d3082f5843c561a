#!/usr/bin/env bash
# CPU profile of the sidecar under the verify load: JFR execution samples while wrk drives
# /v1/verify with the token mix, summed by top frame and by the sidecar's own methods (inclusive).
# How the answer cache was found (docs/ARCHITECTURE.md, decision 37).
#
#   load-tests/profile-verify.sh        # prints the two tables; the recording stays in load-tests/results/
#
# Settings: DURATION (15s of recording), TOKENS (3000), SIDECAR_JAVA_OPTS (-Xmx128m), PIN (1).
# Needs what run-verify.sh needs, and jcmd and jfr from the JDK.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
. load-tests/lib/common.sh
DURATION=${DURATION:-15s}
TOKENS=${TOKENS:-3000}
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:--Xmx128m}
RECORDING=${RECORDING:-load-tests/results/profile-verify-$DATE.jfr}
SERVER=(env); CLIENT=(env)
if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ]; then
  SERVER=(taskset -c $(( $(nproc) - 1 ))); CLIENT=(taskset -c 0-$(( $(nproc) - 2 )))
fi

install_missing wrk
build_jar_if_missing
start_kafka
make_keys
mint_tokens "$WORK/tokens.txt" "$TOKENS"
API=$(free_port)
sidecar_yaml profile "$API" "$WORK/store" all >"$WORK/profile.yaml"
# shellcheck disable=SC2086 # word splitting of the JVM options is intended
"${SERVER[@]}" java $SIDECAR_JAVA_OPTS -jar "$JAR" run --config "$WORK/profile.yaml" >"$WORK/sidecar.log" 2>&1 &
SIDECAR=$!
PIDS+=("$SIDECAR")
wait_for "http://127.0.0.1:$API/health/ready" 60 >/dev/null
URL="http://127.0.0.1:$API/v1/verify"
"${CLIENT[@]}" wrk -t2 -c50 -d8s -s load-tests/mix.lua "$URL" -- "$WORK/tokens.txt" >/dev/null # JIT warm-up
mkdir -p "$(dirname "$RECORDING")"
jcmd "$SIDECAR" JFR.start name=verify settings=profile filename="$PWD/$RECORDING" >/dev/null
"${CLIENT[@]}" wrk -t2 -c50 -d"$DURATION" -s load-tests/mix.lua "$URL" -- "$WORK/tokens.txt" | grep 'Requests/sec'
jcmd "$SIDECAR" JFR.stop name=verify >/dev/null
jfr print --events jdk.ExecutionSample "$RECORDING" | python3 -c '
import collections, re, sys
top, own = collections.Counter(), collections.Counter()
for sample in sys.stdin.read().split("jdk.ExecutionSample")[1:]:
    frames = re.findall(r"^\s+([\w$.<>]+)\(", sample, re.M)
    if not frames:
        continue
    top[frames[0]] += 1
    for f in set(f for f in frames if f.startswith("io.jwtsidecar")):
        own[f] += 1
n = sum(top.values())
print(f"{n} samples\n\ntop frames:")
for f, c in top.most_common(15):
    print(f"{100 * c / n:5.1f} %  {f}")
print("\nthe sidecar'"'"'s methods, inclusive:")
for f, c in own.most_common(15):
    print(f"{100 * c / n:5.1f} %  {f}")
'
echo "recording: $RECORDING"
