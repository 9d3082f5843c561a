#!/usr/bin/env bash
# The verify load test plus its peers in the same run: a Redis-session front
# (peer/RedisSessionServer.java) and, where it installs, Apache with mod_auth_openidc verifying the
# same JWTs (peer/apache/apache-peer.sh), with the same wrk and hey settings, so every ratio comes
# from one run.
#   load-tests/run-peers.sh      # report: load-tests/results/peers-<date>.md (+ two .png plots)
set -euo pipefail
WITH_PEERS=1 exec "$(dirname "$0")/run-verify.sh" "$@"
