"""Consumer-group scenarios against a running gateway (run by scripts/compat.sh).

--phase main: every client's group consumer reads a 4-partition topic exactly once and commits,
and a second run of the same group reads nothing new; two members of one group split the topic
and together read it exactly once; when one leaves, the other takes over its partitions.
--phase before-restart / after-restart: a group commits, the gateway restarts, and the group
resumes from its committed offsets.
"""
import argparse
import asyncio
import subprocess
import sys
import threading
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

N = 1000


def create(bootstrap, topic, partitions=4):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fs = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    try:
        fs[topic].result(30)
    except Exception as e:
        if "already exists" not in str(e).lower() and "TOPIC_ALREADY_EXISTS" not in str(e):
            raise


def produce(bootstrap, topic, start, n):
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 10})
    for i in range(start, start + n):
        p.produce(topic, key=f"key-{i}", value=f"value-{i}")
    assert p.flush(30) == 0


def check(keys, expected):
    if len(keys) != len(set(keys)):
        return f"{len(keys) - len(set(keys))} duplicates"
    if set(keys) != set(expected):
        return f"read {len(set(keys))} of {len(expected)}"
    return None


# Each group consumer returns the keys it read (committing them before it returns).
def kcat_group(bootstrap, topic, group, n):
    out = subprocess.run(["kcat", "-b", bootstrap, "-G", group, topic, "-e", "-q", "-f", "%k\n",
                          "-X", "auto.offset.reset=earliest"], capture_output=True, text=True, timeout=120)
    return [line for line in out.stdout.splitlines() if line]


def confluent_group(bootstrap, topic, group, n, quiet_s=6.0):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False})
    c.subscribe([topic])
    keys, last = [], time.time()
    while time.time() - last < quiet_s and len(keys) < n:
        msgs = c.consume(500, 0.5)
        for m in msgs:
            if not m.error():
                keys.append(m.key().decode())
                last = time.time()
    if keys:
        c.commit(asynchronous=False)
    c.close()
    return keys


def kafka_python_group(bootstrap, topic, group, n):
    from kafka import KafkaConsumer
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                      enable_auto_commit=False, consumer_timeout_ms=6000)
    keys = []
    for m in c:
        keys.append(m.key.decode())
        if len(keys) >= n:
            break
    if keys:
        c.commit()
    c.close()
    return keys


def aiokafka_group(bootstrap, topic, group, n):
    from aiokafka import AIOKafkaConsumer

    async def run():
        c = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False)
        await c.start()
        keys, last = [], time.time()
        try:
            while time.time() - last < 6 and len(keys) < n:
                batch = await c.getmany(timeout_ms=500)
                for msgs in batch.values():
                    keys += [m.key.decode() for m in msgs]
                    last = time.time()
            if keys:
                await c.commit()
        finally:
            await c.stop()
        return keys

    return asyncio.run(run())


KAFKAJS = r"""
const { Kafka, logLevel } = require('kafkajs');
const [bootstrap, topic, group, n] = process.argv.slice(1);
(async () => {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const keys = [];
  let last = Date.now();
  await consumer.run({ eachMessage: async ({ message }) => { keys.push(message.key.toString()); last = Date.now(); } });
  while (keys.length < Number(n) && Date.now() - last < 8000) await new Promise(r => setTimeout(r, 200));
  await consumer.disconnect();
  console.log(keys.join('\n'));
})().catch(e => { console.error(e); process.exit(1); });
"""


def kafkajs_group(bootstrap, topic, group, n):
    out = subprocess.run(["node", "-e", KAFKAJS, bootstrap, topic, group, str(n)], capture_output=True, text=True,
                         timeout=120, check=True)
    return [line for line in out.stdout.splitlines() if line]


CLIENTS = [("kcat", kcat_group), ("confluent-kafka", confluent_group), ("kafka-python", kafka_python_group),
           ("aiokafka", aiokafka_group), ("kafkajs", kafkajs_group)]


def split_and_takeover(bootstrap):
    topic, group = "groups-split", "cg-split"
    create(bootstrap, topic)
    produce(bootstrap, topic, 0, N)
    consumers = [Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                           "enable.auto.commit": False, "session.timeout.ms": 10000}) for _ in range(2)]
    keys = [[], []]
    stop = threading.Event()

    def run(i):
        c = consumers[i]
        c.subscribe([topic])
        while not stop.is_set():
            got = [m for m in c.consume(500, 0.2) if not m.error()]
            keys[i] += [m.key().decode() for m in got]
            if got:
                c.commit(asynchronous=False)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    end = time.time() + 60
    while time.time() < end and len(keys[0]) + len(keys[1]) < N:
        time.sleep(0.2)
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join()
    sizes = [len(c.assignment()) for c in consumers]
    err = check(keys[0] + keys[1], [f"key-{i}" for i in range(N)])
    if err:
        return f"split: {err}"
    if sizes != [2, 2] or not keys[0] or not keys[1]:
        return f"split: assignments {sizes}, records {len(keys[0])}/{len(keys[1])}"
    # One member leaves; the other must take over its partitions and read what comes next.
    consumers[1].close()
    produce(bootstrap, topic, N, 400)
    more, end = [], time.time() + 30
    while time.time() < end and len(more) < 400:
        # Commit as we go: a rebalance resumes each partition from its committed offset.
        got = [m for m in consumers[0].consume(500, 0.5) if not m.error()]
        more += [m.key().decode() for m in got]
        if got:
            consumers[0].commit(asynchronous=False)
    took_over = len(consumers[0].assignment())
    consumers[0].close()
    err = check(more, [f"key-{i}" for i in range(N, N + 400)])
    if err or took_over != 4:
        return f"takeover: {err or ''} assignment {took_over} partitions"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--phase", default="main")
    args = ap.parse_args()
    b = args.bootstrap
    rows = []
    if args.phase == "main":
        for name, consume in CLIENTS:
            topic, group = f"groups-{name}", f"cg-{name}"
            start = time.time()
            try:
                create(b, topic)
                produce(b, topic, 0, N)
                first = consume(b, topic, group, N)
                err = check(first, [f"key-{i}" for i in range(N)])
                second = consume(b, topic, group, N) if err is None else []
                if err is None and second:
                    err = f"second run read {len(second)} records again"
                rows.append((name, "read once, commit, re-run reads nothing", err, time.time() - start))
            except Exception as e:
                rows.append((name, "read once, commit, re-run reads nothing", f"{type(e).__name__}: {e}"[:200], time.time() - start))
        start = time.time()
        try:
            rows.append(("confluent-kafka x2", "split 4 partitions; takeover on leave", split_and_takeover(b), time.time() - start))
        except Exception as e:
            rows.append(("confluent-kafka x2", "split 4 partitions; takeover on leave", f"{type(e).__name__}: {e}"[:200], time.time() - start))
    elif args.phase == "before-restart":
        create(b, "groups-restart")
        produce(b, "groups-restart", 0, 500)
        err = check(confluent_group(b, "groups-restart", "cg-restart", 500), [f"key-{i}" for i in range(500)])
        rows.append(("confluent-kafka", "commit before a gateway restart", err, 0.0))
    else:
        produce(b, "groups-restart", 500, 500)
        err = check(confluent_group(b, "groups-restart", "cg-restart", 1000), [f"key-{i}" for i in range(500, 1000)])
        rows.append(("confluent-kafka", "after the restart: resume from committed offsets", err, 0.0))
    print()
    for name, scenario, err, secs in rows:
        print(f"{name:<20} {scenario:<50} {'ok' if err is None else 'FAIL: ' + err} ({secs:.1f}s)")
    failed = sum(1 for r in rows if r[2] is not None)
    print(f"groups ({args.phase}): {len(rows) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
