#!/usr/bin/env bash
# The ACLs jwt-sidecar needs on plain Kafka (see README.md beside this file).
# Usage: BOOTSTRAP=broker:9092 COMMAND_CONFIG=admin.properties ./acls.sh
#        [TOPIC=jwt-revocations STATUS_TOPIC=jwt-revocations-status
#         SIDECAR=jwt-sidecar PUBLISHER=jwt-sidecar-publisher KAFKA_ACLS=kafka-acls.sh]
set -euo pipefail

: "${BOOTSTRAP:?set BOOTSTRAP to the brokers, host:port}"
TOPIC=${TOPIC:-jwt-revocations}
STATUS_TOPIC=${STATUS_TOPIC:-jwt-revocations-status}
SIDECAR=${SIDECAR:-jwt-sidecar}
PUBLISHER=${PUBLISHER:-jwt-sidecar-publisher}
KAFKA_ACLS=${KAFKA_ACLS:-kafka-acls.sh}

acls() {
  "$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" ${COMMAND_CONFIG:+--command-config "$COMMAND_CONFIG"} --add "$@"
}

# Every sidecar: reads every partition of the revocation topic, reports to the status topic.
acls --allow-principal "User:$SIDECAR" --operation Read --operation Describe --operation DescribeConfigs \
  --topic "$TOPIC"
acls --allow-principal "User:$SIDECAR" --operation Write --operation Describe --operation DescribeConfigs \
  --topic "$STATUS_TOPIC"

# Publishers (sidecars with an admin API, bridges): the same, plus writing events and reading the fleet's reports.
acls --allow-principal "User:$PUBLISHER" --operation Read --operation Write --operation Describe \
  --operation DescribeConfigs --topic "$TOPIC"
acls --allow-principal "User:$PUBLISHER" --operation Read --operation Write --operation Describe \
  --operation DescribeConfigs --topic "$STATUS_TOPIC"
