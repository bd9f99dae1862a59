#!/usr/bin/env bash
# Real-client compatibility: start the gateway, then with each client create a topic, produce
# 2,000 keyed records, read them all back by explicit partition assignment, and check content
# and per-partition order; then consumer groups with each client (read once, commit, re-run
# reads nothing), two members splitting a topic and taking over on leave, and a group resuming
# from its committed offsets after a gateway restart. Prints client × scenario matrices; exits
# non-zero on any failure.
#
# `scripts/compat.sh --storage iggy://USER:PASSWORD@HOST:PORT` runs the same matrix with the
# gateway in front of an Iggy server, in a stream of its own (compat-<time>).
#
# Then a secured run (scripts/compat/secured.py): a gateway serving SASL_SSL only, with a
# certificate made here with openssl, users made with `kafka-cli user add`, ACLs on and
# --allow-if-no-acl false.
#
# The first gateway also serves /metrics: it must pass `promtool check metrics` (Debian's
# prometheus package) and its counters must have moved with the clients' traffic.
#
# Installs what it needs: kcat (Debian), kafka-python, confluent-kafka, aiokafka (PyPI, in a
# venv) and kafkajs (npm), under $WORK (default /tmp/kafka-gateway-compat).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/kafka-gateway-compat}
port=${PORT:-19093}
mport=$((port + 2))
mkdir -p "$work"
storage=()
while [ $# -gt 0 ]; do
  case $1 in
    --storage) storage=(--storage "$2" --iggy-stream "compat-$(date +%s)"); shift 2 ;;
    *) echo "usage: $0 [--storage iggy://USER:PASSWORD@HOST:PORT]" >&2; exit 2 ;;
  esac
done

if ! command -v kcat >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq kcat) >/dev/null
fi
[ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check kafka-python==3.0.12 confluent-kafka==2.16.1 aiokafka==0.12.0 lz4 zstandard python-snappy
[ -d "$work/node_modules/kafkajs" ] || (cd "$work" && npm install -q --no-save --no-audit --no-fund kafkajs@2.2.4 >/dev/null)

for tool in openssl:openssl curl:curl promtool:prometheus; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq --no-install-recommends "${tool#*:}") >/dev/null
  fi
done
cargo build -q -p kafka-gateway -p kafka-cli --manifest-path "$root/Cargo.toml"
data=$(mktemp -d)
start_gateway() {
  "$root/target/debug/kafka-gateway" serve --listen "127.0.0.1:$port" --data-dir "$data" "${storage[@]}" --default-partitions 3 \
    --metrics-listen "127.0.0.1:$mport" \
    --group-initial-rebalance-delay-ms 1000 >>"$work/gateway.log" 2>&1 &
  gw=$!
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  if ! kill -0 "$gw" 2>/dev/null; then
    echo "the gateway did not start:" >&2
    cat "$work/gateway.log" >&2
    exit 1
  fi
}
: >"$work/gateway.log"
start_gateway
trap 'kill $gw 2>/dev/null; wait $gw 2>/dev/null; rm -rf "$data"' EXIT

py="$work/venv/bin/python"
export NODE_PATH="$work/node_modules"
# The sum of a metric's samples in a scrape on stdin.
total() { awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { printf "%d\n", s }'; }
requests_before=$(curl -sf "http://127.0.0.1:$mport/metrics" | total kafka_gateway_requests_total)
"$py" "$root/scripts/compat/clients.py" --bootstrap "127.0.0.1:$port" --work "$work"
curl -sf "http://127.0.0.1:$mport/health/ready" >/dev/null
curl -sf "http://127.0.0.1:$mport/metrics" >"$work/metrics.txt"
promtool check metrics <"$work/metrics.txt"
requests_after=$(total kafka_gateway_requests_total <"$work/metrics.txt")
produced=$(total kafka_gateway_produced_records_total <"$work/metrics.txt")
fetched=$(total kafka_gateway_fetched_records_total <"$work/metrics.txt")
echo "metrics: promtool ok; requests $requests_before -> $requests_after, records produced $produced, fetched $fetched"
if [ "$requests_after" -le "$requests_before" ] || [ "$produced" -lt 10000 ] || [ "$fetched" -lt 10000 ]; then
  echo "metrics: the counters did not follow the traffic" >&2
  exit 1
fi
"$py" "$root/scripts/compat/groups.py" --bootstrap "127.0.0.1:$port" --phase main
"$py" "$root/scripts/compat/groups.py" --bootstrap "127.0.0.1:$port" --phase before-restart
kill -TERM "$gw"; wait "$gw" 2>/dev/null || true
start_gateway
"$py" "$root/scripts/compat/groups.py" --bootstrap "127.0.0.1:$port" --phase after-restart

# ---- secured: SASL_SSL with SCRAM-SHA-512 and PLAIN, ACLs -------------------------------------
kill -TERM "$gw"; wait "$gw" 2>/dev/null || true
sec=$(mktemp -d)
trap 'kill $gw 2>/dev/null; wait $gw 2>/dev/null; rm -rf "$data" "$sec"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=compat test CA" \
  -keyout "$sec/ca.key" -out "$sec/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$sec/server.key" -out "$sec/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$sec/san.cnf"
openssl x509 -req -in "$sec/server.csr" -CA "$sec/ca.pem" -CAkey "$sec/ca.key" -CAcreateserial -days 2 \
  -extfile "$sec/san.cnf" -out "$sec/server.pem" 2>/dev/null
for u in admin alice mallory; do
  echo "$u-pw" | "$root/target/debug/kafka-cli" user add "$u" --mechanism SCRAM-SHA-512 --users "$sec/users.toml" >/dev/null
done
sport=$((port + 1))
"$root/target/debug/kafka-gateway" serve --listen off --tls-listen "127.0.0.1:$sport" \
  --tls-cert "$sec/server.pem" --tls-key "$sec/server.key" --data-dir "$sec/data" \
  --sasl-mechanisms SCRAM-SHA-512,PLAIN --users "$sec/users.toml" \
  --super-users 'User:admin' --allow-if-no-acl false --group-initial-rebalance-delay-ms 500 \
  >>"$work/gateway-secured.log" 2>&1 &
gw=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$sport) 2>/dev/null && break; sleep 0.1; done
"$py" "$root/scripts/compat/secured.py" --bootstrap "127.0.0.1:$sport" --ca "$sec/ca.pem"
