#!/usr/bin/env bash
# Refresh fixtures/captures/: real clients produce to a recording listener (no broker needed)
# and every request frame they send is saved. Each run produces 20 records keyed "key-<i>" with
# value "<client>-<codec>-<i>", which tests/captures.rs checks after decoding.
#
# Installs what it needs into $WORK (default /tmp/kafka-gateway-clients): kcat from Debian,
# kafka-python, confluent-kafka and aiokafka in a venv, kafkajs from npm.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/kafka-gateway-clients}
out="$root/fixtures/captures/produce"
mkdir -p "$work" "$out"

command -v kcat >/dev/null || { apt-get update -qq && apt-get install -y -qq kcat; }
[ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q kafka-python==3.0.12 confluent-kafka==2.16.1 aiokafka==0.12.0 python-snappy lz4 zstandard
[ -d "$work/node_modules/kafkajs" ] || (cd "$work" && npm install -q --no-save kafkajs@2.2.4 >/dev/null)

cargo build -q -p kafka-cli --example capture_listener --manifest-path "$root/Cargo.toml"
listener="$root/target/debug/examples/capture_listener"
port=19092
rm -f "$out"/*.bin

capture() { # name, then the producer command
  local name=$1; shift
  "$listener" "$port" "$out" "$name" 2>>"$work/listener.log" &
  local pid=$!
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  if ! "$@"; then echo "capture $name failed" >&2; kill $pid; return 1; fi
  kill $pid; wait $pid 2>/dev/null || true
  echo "captured $name: $(ls "$out"/"$name"-* | wc -l) frames"
}

records() { for i in $(seq 0 19); do echo "key-$i:$1-$i"; done; }

for codec in none gzip snappy lz4 zstd; do
  capture "kcat-$codec" bash -c "$(declare -f records); records kcat-$codec | kcat -q -b 127.0.0.1:$port -t cap -P -K: -z $codec -X linger.ms=50"
done

py=$work/venv/bin/python
capture confluent-zstd "$py" - "$port" <<'PY'
import sys
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": f"127.0.0.1:{sys.argv[1]}", "compression.type": "zstd",
              "enable.idempotence": True, "acks": "all", "linger.ms": 50})
for i in range(20):
    p.produce("cap", key=f"key-{i}", value=f"confluent-zstd-{i}")
assert p.flush(10) == 0
PY

for codec in gzip snappy lz4 zstd; do
  capture "kafka-python-$codec" "$py" - "$port" "$codec" <<'PY'
import sys
from kafka import KafkaProducer
port, codec = sys.argv[1], sys.argv[2]
p = KafkaProducer(bootstrap_servers=f"127.0.0.1:{port}", compression_type=codec, linger_ms=50)
for i in range(20):
    p.send("cap", key=f"key-{i}".encode(), value=f"kafka-python-{codec}-{i}".encode())
p.flush(10)
p.close()
PY
done

# Legacy message formats: kafka-python pinned to old broker versions writes magic 0 and 1.
for legacy in "0.9:magic0" "0.10.1:magic1"; do
  ver=${legacy%%:*}; tag=${legacy##*:}
  for codec in none gzip snappy; do
    capture "kafka-python-$tag-$codec" "$py" - "$port" "$codec" "$ver" "$tag" <<'PY'
import sys
from kafka import KafkaProducer
port, codec, ver, tag = sys.argv[1:5]
p = KafkaProducer(bootstrap_servers=f"127.0.0.1:{port}", api_version=tuple(int(x) for x in ver.split(".")),
                  compression_type=None if codec == "none" else codec, linger_ms=50, acks=1)
for i in range(20):
    p.send("cap", key=f"key-{i}".encode(), value=f"kafka-python-{tag}-{codec}-{i}".encode())
p.flush(10)
p.close()
PY
  done
done

capture aiokafka-lz4 "$py" - "$port" <<'PY'
import asyncio, sys
from aiokafka import AIOKafkaProducer
async def main():
    p = AIOKafkaProducer(bootstrap_servers=f"127.0.0.1:{sys.argv[1]}", compression_type="lz4", linger_ms=50)
    await p.start()
    try:
        for i in range(20):
            await p.send("cap", key=f"key-{i}".encode(), value=f"aiokafka-lz4-{i}".encode())
        await p.flush()
    finally:
        await p.stop()
asyncio.run(main())
PY

capture kafkajs-gzip node -e "
const { Kafka, CompressionTypes, logLevel } = require('$work/node_modules/kafkajs');
(async () => {
  const kafka = new Kafka({ brokers: ['127.0.0.1:$port'], logLevel: logLevel.NOTHING });
  const p = kafka.producer();
  await p.connect();
  const messages = [...Array(20).keys()].map(i => ({ key: 'key-' + i, value: 'kafkajs-gzip-' + i }));
  await p.send({ topic: 'cap', compression: CompressionTypes.GZIP, messages });
  await p.disconnect();
})().catch(e => { console.error(e); process.exit(1); });
"
echo "captures in $out"
