#!/usr/bin/env bash
# The verify load test plus a Redis-session front (load-tests/peer/RedisSessionServer.java) in the
# same run: /noop, /v1/verify and /session with the same wrk settings, so the ratios come from one run.
#   load-tests/run-redis-peer.sh      # report: load-tests/results/verify-redis-peer-<date>.md
set -euo pipefail
WITH_REDIS_PEER=1 exec "$(dirname "$0")/run-verify.sh" "$@"
