#!/usr/bin/env bash
# Refresh fixtures/captures/pcap/: tshark records the loopback while real clients talk to the
# gateway on port 9093 — kcat producing and consuming with every codec, confluent-kafka and
# kafka-python producing (zstd; gzip, snappy, lz4, zstd), consumer-group sessions with
# confluent-kafka and kafkajs, and admin sessions with kafka-python and kafkajs. Each run
# writes small sessions (5 records each) so the files stay reviewable.
#
# Needs root (or capture rights) for tshark. Installs what it needs under $WORK (default
# /tmp/kafka-gateway-clients): tshark and kcat from Debian, the Python clients in a venv,
# kafkajs from npm. Run by hand when the captures should change; CI reads the committed files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/kafka-gateway-clients}
port=9093
out="$root/fixtures/captures/pcap"
mkdir -p "$work" "$out"

command -v kcat >/dev/null && command -v tshark >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat tshark >/dev/null
}
[ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check kafka-python==3.0.12 confluent-kafka==2.16.1 lz4 zstandard python-snappy
[ -d "$work/node_modules/kafkajs" ] || (cd "$work" && npm install -q --no-save --no-audit --no-fund kafkajs@2.2.4 >/dev/null)
export NODE_PATH="$work/node_modules"

cargo build -q -p kafka-gateway -p kafka-cli --manifest-path "$root/Cargo.toml"
data=$(mktemp -d)
"$root/target/debug/kafka-gateway" serve --listen "127.0.0.1:$port" --data-dir "$data" \
  --default-partitions 1 --group-initial-rebalance-delay-ms 0 >"$work/pcap-gateway.log" 2>&1 &
gw=$!
trap 'kill $gw 2>/dev/null; wait $gw 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
rm -f "$out"/*.pcapng

record() { # name, then the client command; retried when the capture dropped a packet
  for attempt in 1 2 3; do
    record_once "$@" && return 0
    echo "$1: attempt $attempt dropped packets, recording again" >&2
  done
  exit 1
}

record_once() { # name, then the client command; the capture holds exactly that command's traffic
  local name=$1; shift
  local file="$out/$name.pcapng" log="$work/tshark-$name.log"
  tshark -i lo -f "tcp port $port" -w "$file" -q 2>"$log" &
  local ts=$!
  until grep -q "Capturing on" "$log" 2>/dev/null; do sleep 0.05; done
  if ! "$@" >"$work/client-$name.log" 2>&1; then
    echo "$name failed:" >&2; cat "$work/client-$name.log" >&2; kill -INT $ts; exit 1
  fi
  # dumpcap hands packets to the file in batches: give it a moment before stopping it.
  sleep 1
  kill -INT $ts; wait $ts 2>/dev/null || true
  "$root/target/debug/kafka-cli" decode --pcap "$file" >/dev/null ||
    return 1
  echo "recorded $name: $(stat -c %s "$file") bytes"
}

records() { for i in $(seq 0 4); do echo "key-$i:$1-$i"; done; }
for codec in none gzip snappy lz4 zstd; do
  record "kcat-produce-consume-$codec" bash -c "$(declare -f records)
    records kcat-$codec | kcat -q -b 127.0.0.1:$port -t kcat-$codec -P -K: -z $codec -X linger.ms=20
    kcat -q -b 127.0.0.1:$port -t kcat-$codec -C -o beginning -c 5 -e"
done

py=$work/venv/bin/python
record confluent-produce-zstd "$py" - "$port" <<'PY'
import sys
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": f"127.0.0.1:{sys.argv[1]}", "compression.type": "zstd",
              "enable.idempotence": True, "acks": "all", "linger.ms": 20})
for i in range(5):
    p.produce("confluent-zstd", key=f"key-{i}", value=f"confluent-zstd-{i}")
assert p.flush(10) == 0
PY

record confluent-group "$py" - "$port" <<'PY'
import sys, time
from confluent_kafka import Consumer
c = Consumer({"bootstrap.servers": f"127.0.0.1:{sys.argv[1]}", "group.id": "pcap-confluent",
              "auto.offset.reset": "earliest", "enable.auto.commit": False})
c.subscribe(["confluent-zstd"])
got, deadline = 0, time.time() + 30
while got < 5 and time.time() < deadline:
    got += sum(1 for m in c.consume(5, 1.0) if not m.error())
assert got == 5, got
c.commit(asynchronous=False)
c.close()
PY

for codec in gzip snappy lz4 zstd; do
  record "kafka-python-produce-$codec" "$py" - "$port" "$codec" <<'PY'
import sys
from kafka import KafkaProducer
port, codec = sys.argv[1], sys.argv[2]
p = KafkaProducer(bootstrap_servers=f"127.0.0.1:{port}", compression_type=codec, linger_ms=20)
for i in range(5):
    p.send(f"kafka-python-{codec}", key=f"key-{i}".encode(), value=f"kafka-python-{codec}-{i}".encode())
p.flush(10)
p.close()
PY
done

record kafka-python-admin "$py" - "$port" <<'PY'
import sys
from kafka.admin import KafkaAdminClient, NewTopic, NewPartitions, ConfigResource, ConfigResourceType
a = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{sys.argv[1]}")
a.create_topics([NewTopic("pcap-admin", num_partitions=2, replication_factor=1)])
assert "pcap-admin" in a.list_topics()
a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "pcap-admin")])
a.create_partitions({"pcap-admin": NewPartitions(total_count=3)})
a.list_groups()
a.describe_cluster()
a.delete_topics(["pcap-admin"])
a.close()
PY

record kafkajs-produce-group node -e "
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');
(async () => {
  const kafka = new Kafka({ brokers: ['127.0.0.1:$port'], logLevel: logLevel.NOTHING });
  const p = kafka.producer();
  await p.connect();
  const messages = [...Array(5).keys()].map(i => ({ key: 'key-' + i, value: 'kafkajs-' + i }));
  await p.send({ topic: 'kafkajs-gzip', compression: CompressionTypes.GZIP, messages });
  await p.disconnect();
  const c = kafka.consumer({ groupId: 'pcap-kafkajs', sessionTimeout: 10000 });
  await c.connect();
  await c.subscribe({ topic: 'kafkajs-gzip', fromBeginning: true });
  let n = 0;
  await new Promise(resolve => c.run({ eachMessage: async () => { if (++n === 5) resolve(); } }));
  await c.disconnect();
})().catch(e => { console.error(e); process.exit(1); });
"

record kafkajs-admin node -e "
const { Kafka, logLevel } = require('kafkajs');
(async () => {
  const admin = new Kafka({ brokers: ['127.0.0.1:$port'], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'pcap-kafkajs-admin', numPartitions: 2 }] });
  await admin.fetchTopicMetadata({ topics: ['pcap-kafkajs-admin'] });
  await admin.fetchTopicOffsets('pcap-kafkajs-admin');
  await admin.listGroups();
  await admin.describeCluster();
  await admin.deleteTopics({ topics: ['pcap-kafkajs-admin'] });
  await admin.disconnect();
})().catch(e => { console.error(e); process.exit(1); });
"
echo "pcaps in $out"
