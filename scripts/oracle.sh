#!/usr/bin/env bash
# Differential tests against Apache Kafka itself: start a single-node Kafka 4.x on loopback
# (scripts/kafka.sh), send the same requests to it and to the gateway (kafka-gateway/tests/
# oracle.rs), compare the answers, stop Kafka. Exits non-zero on any unexplained difference.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${ORACLE_PORT:-29192}
dir=$(mktemp -d)
trap 'bash "$root/scripts/kafka.sh" stop "$dir"; rm -rf "$dir"' EXIT
bash "$root/scripts/kafka.sh" start "$dir" "$port" >/dev/null
log=$(mktemp)
KAFKA_GATEWAY_TEST_KAFKA=127.0.0.1:$port cargo test -q -p kafka-gateway --manifest-path "$root/Cargo.toml" \
  --test oracle -- --nocapture --test-threads 1 2>&1 | tee "$log"
if grep -q "DID NOT RUN" "$log"; then
  echo "oracle: the tests did not reach Kafka" >&2
  exit 1
fi
grep -oE 'oracle: .*' "$log" | sed 's/^/  /'
