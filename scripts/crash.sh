#!/usr/bin/env bash
# Crash safety: an idempotent, acks=all producer (confluent-kafka) writes continuously while the
# gateway is SIGKILLed and restarted five times. Afterwards every acknowledged record must be
# present at the partition and offset it was acknowledged with, offsets must be dense, and no
# record may appear twice. Uses the clients scripts/compat.sh installs (same $WORK).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/kafka-gateway-compat}
port=${PORT:-19095}
kills=${KILLS:-5}
[ -x "$work/venv/bin/python" ] || { python3 -m venv "$work/venv"; }
"$work/venv/bin/pip" install -q --disable-pip-version-check confluent-kafka==2.16.1
cargo build -q -p kafka-gateway --manifest-path "$root/Cargo.toml"
data=$(mktemp -d)
acks="$data/acked.txt"
py="$work/venv/bin/python"

start_gateway() {
  "$root/target/debug/kafka-gateway" serve --listen "127.0.0.1:$port" --data-dir "$data/store" --default-partitions 3 >>"$data/gateway.log" 2>&1 &
  gw=$!
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && return; sleep 0.1; done
  echo "gateway did not start" >&2; cat "$data/gateway.log" >&2; exit 1
}

start_gateway
"$py" - "$port" "$acks" "$data/stop" <<'PY' &
import os, sys, time
from confluent_kafka import Producer
port, acks, stop = sys.argv[1:4]
out = open(acks, "w", buffering=1)
def done(err, msg):
    if err is None:
        out.write(f"{msg.key().decode()} {msg.partition()} {msg.offset()}\n")
p = Producer({"bootstrap.servers": f"127.0.0.1:{port}", "enable.idempotence": True, "acks": "all",
              "linger.ms": 5, "message.timeout.ms": 60000, "reconnect.backoff.max.ms": 200})
i = 0
while not os.path.exists(stop):
    try:
        p.produce("crash", key=str(i), value=f"value-{i}", on_delivery=done)
        i += 1
    except BufferError:
        p.poll(0.05)
    p.poll(0)
    if i % 200 == 0:
        time.sleep(0.01)
left = p.flush(60)
print(f"producer: {i} sent, {left} undelivered at exit", flush=True)
PY
producer=$!
for k in $(seq "$kills"); do
  sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.8 + rand() * 1.5 }')"
  kill -9 "$gw"; wait "$gw" 2>/dev/null || true
  echo "kill $k: $(wc -l <"$acks") records acknowledged so far"
  start_gateway
done
sleep 1
touch "$data/stop"
wait "$producer"

"$py" - "$port" "$acks" <<'PY'
import sys
from confluent_kafka import Consumer, TopicPartition
port, acks = sys.argv[1:3]
acked = {}
for line in open(acks):
    k, p, o = line.split()
    acked[k] = (int(p), int(o))
c = Consumer({"bootstrap.servers": f"127.0.0.1:{port}", "group.id": "crash-check", "enable.auto.commit": False})
highs = {p: c.get_watermark_offsets(TopicPartition("crash", p), timeout=10)[1] for p in range(3)}
c.assign([TopicPartition("crash", p, 0) for p in range(3)])
seen, offsets = {}, {p: [] for p in range(3)}
dups = 0
while sum(len(v) for v in offsets.values()) < sum(highs.values()):
    msgs = c.consume(1000, 5.0)
    if not msgs:
        break
    for m in msgs:
        if m.error():
            continue
        k = m.key().decode()
        dups += k in seen
        seen[k] = (m.partition(), m.offset(), m.value().decode())
        offsets[m.partition()].append(m.offset())
c.close()
lost = [k for k, (p, o) in acked.items() if k not in seen or seen[k][:2] != (p, o) or seen[k][2] != f"value-{k}"]
gaps = [p for p, offs in offsets.items() if offs != list(range(highs[p]))]
print(f"crash: {len(acked)} acknowledged, {len(seen)} stored, {len(lost)} lost, {dups} duplicated, partitions with gaps: {gaps}")
sys.exit(1 if lost or dups or gaps or not acked else 0)
PY
status=$?
kill "$gw" 2>/dev/null; wait "$gw" 2>/dev/null || true
rm -rf "$data"
exit $status
