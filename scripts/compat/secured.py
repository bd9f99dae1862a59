"""Secured real-client run against a gateway serving SASL_SSL only (the script's caller made the
certificate with openssl and the users with `kafka-cli user add`).

1. ACLs are managed with three admin clients: confluent-kafka grants alice everything on topics
   prefixed "sec-", kafka-python grants her READ on groups prefixed "sec-", kafkajs creates,
   lists and deletes a throwaway binding; kafka-python lists what is there.
2. kcat, confluent-kafka, kafka-python, aiokafka and kafkajs, each with SCRAM-SHA-512 and with PLAIN, log
   in as alice over TLS, produce 200 records and read them back.
3. A wrong password fails cleanly (an authentication error, in bounded time) with every client.
4. mallory (valid password, no ACLs) is refused with TOPIC_AUTHORIZATION_FAILED while alice is
   served.
Prints a matrix; exits non-zero on any failure.
"""
import argparse
import json
import subprocess
import sys
import time

N = 200


def conf_librdkafka(a, user, password, mech):
    return {"bootstrap.servers": a.bootstrap, "security.protocol": "SASL_SSL", "ssl.ca.location": a.ca,
            "sasl.mechanism": mech, "sasl.username": user, "sasl.password": password}


def kcat_args(a, user, password, mech):
    out = []
    for k, v in conf_librdkafka(a, user, password, mech).items():
        out += ["-b", v] if k == "bootstrap.servers" else ["-X", f"{k}={v}"]
    return out


def python_kwargs(a, user, password, mech):
    return dict(bootstrap_servers=a.bootstrap, security_protocol="SASL_SSL", ssl_cafile=a.ca,
                sasl_mechanism=mech, sasl_plain_username=user, sasl_plain_password=password)


def kafkajs_conf(a, user, password, mech):
    return json.dumps({"brokers": [a.bootstrap], "ssl": {"ca": [open(a.ca).read()]},
                       "sasl": {"mechanism": mech.lower(), "username": user, "password": password},
                       "connectionTimeout": 5000, "authenticationTimeout": 5000,
                       "retry": {"retries": 0}})


def records(client):
    return [(f"key-{i}", f"{client}-{i}") for i in range(N)]


def check(got, client):
    want = records(client)
    if sorted(got) != sorted(want):
        return f"read {len(got)} records, {len(set(got) & set(want))} of {N} expected"
    return None


# ---- admin ------------------------------------------------------------------------------------
KAFKAJS_ADMIN = r"""
const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = require('kafkajs');
const conf = JSON.parse(process.argv[1]);
(async () => {
  const admin = new Kafka({ ...conf, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const acl = { resourceType: AclResourceTypes.TOPIC, resourceName: 'throwaway', resourcePatternType: ResourcePatternTypes.LITERAL,
                principal: 'User:nobody', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW };
  await admin.createAcls({ acl: [acl] });
  const found = await admin.describeAcls({ resourceType: AclResourceTypes.TOPIC, resourceName: 'throwaway',
    resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
  if (found.resources.length !== 1) throw new Error('describeAcls: ' + JSON.stringify(found));
  const gone = await admin.deleteAcls({ filters: [{ ...acl }] });
  if (gone.filterResponses[0].matchingAcls.length !== 1) throw new Error('deleteAcls: ' + JSON.stringify(gone));
  await admin.disconnect();
})().catch(e => { console.error(e.message || e); process.exit(1); });
"""


def manage_acls(a):
    from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient,
                                       ResourcePatternType, ResourceType)
    admin = AdminClient(conf_librdkafka(a, "admin", "admin-pw", "SCRAM-SHA-512"))
    b = AclBinding(ResourceType.TOPIC, "sec-", ResourcePatternType.PREFIXED, "User:alice", "*",
                   AclOperation.ALL, AclPermissionType.ALLOW)
    for f in admin.create_acls([b], request_timeout=10).values():
        f.result()
    from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType,
                             KafkaAdminClient, ResourcePattern, ResourcePatternFilter, ResourceType as KPResourceType)
    kp = KafkaAdminClient(**python_kwargs(a, "admin", "admin-pw", "SCRAM-SHA-512"))
    group = ACL("User:alice", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                ResourcePattern(KPResourceType.GROUP, "sec-", ACLResourcePatternType.PREFIXED))
    res = kp.create_acls([group])
    if res["failed"]:
        raise RuntimeError(f"kafka-python create_acls: {res['failed']}")
    subprocess.run(["node", "-e", KAFKAJS_ADMIN, kafkajs_conf(a, "admin", "admin-pw", "SCRAM-SHA-512")],
                   timeout=60, check=True)
    listed, err = kp.describe_acls(ACLFilter(None, None, ACLOperation.ANY, ACLPermissionType.ANY,
                                             ResourcePatternFilter(KPResourceType.ANY, None, ACLResourcePatternType.ANY)))
    kp.close()
    if err.errno != 0 or len(listed) != 2:
        raise RuntimeError(f"kafka-python describe_acls: {err} {listed}")
    # confluent-kafka sees the same two.
    f = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY,
                         AclPermissionType.ANY)
    seen = admin.describe_acls(f, request_timeout=10).result()
    if len(seen) != 2:
        raise RuntimeError(f"confluent-kafka describe_acls: {seen}")
    return "3 clients: create, describe, delete"


# ---- produce and consume as a user ----------------------------------------------------------------
def kcat_case(a, topic, user, password, mech):
    data = "".join(f"{k}:{v}\n" for k, v in records("kcat"))
    subprocess.run(["kcat", *kcat_args(a, user, password, mech), "-t", topic, "-P", "-K:"],
                   input=data, text=True, timeout=60, check=True, capture_output=True)
    out = subprocess.run(["kcat", *kcat_args(a, user, password, mech), "-C", "-t", topic, "-o", "beginning", "-e",
                          "-q", "-f", "%k\t%s\n"], capture_output=True, text=True, timeout=60, check=True)
    return [tuple(line.split("\t")) for line in out.stdout.splitlines()]


def confluent_case(a, topic, user, password, mech):
    from confluent_kafka import Consumer, Producer
    conf = conf_librdkafka(a, user, password, mech)
    errors = []
    p = Producer({**conf, "enable.idempotence": True})
    for k, v in records("confluent-kafka"):
        p.produce(topic, key=k, value=v, on_delivery=lambda err, msg: err and errors.append(err))
    if p.flush(30) or errors:
        raise RuntimeError(f"delivery failed: {errors[:3]}")
    c = Consumer({**conf, "group.id": f"{topic}-group", "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    got, deadline = [], time.time() + 60
    while len(got) < N and time.time() < deadline:
        for m in c.consume(100, 1.0):
            if m.error():
                raise RuntimeError(str(m.error()))
            got.append((m.key().decode(), m.value().decode()))
    c.close()
    return got


def kafka_python_case(a, topic, user, password, mech):
    from kafka import KafkaConsumer, KafkaProducer
    kw = python_kwargs(a, user, password, mech)
    p = KafkaProducer(**kw)
    for f in [p.send(topic, key=k.encode(), value=v.encode()) for k, v in records("kafka-python")]:
        f.get(30)
    p.close()
    c = KafkaConsumer(topic, group_id=f"{topic}-group", auto_offset_reset="earliest", consumer_timeout_ms=10000, **kw)
    got = []
    for m in c:
        got.append((m.key.decode(), m.value.decode()))
        if len(got) == N:
            break
    c.close()
    return got


def aiokafka_case(a, topic, user, password, mech):
    import asyncio
    import ssl
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    kw = dict(bootstrap_servers=a.bootstrap, security_protocol="SASL_SSL",
              ssl_context=ssl.create_default_context(cafile=a.ca), sasl_mechanism=mech,
              sasl_plain_username=user, sasl_plain_password=password)

    async def run():
        p = AIOKafkaProducer(**kw)
        await p.start()
        try:
            for k, v in records("aiokafka"):
                await p.send_and_wait(topic, key=k.encode(), value=v.encode())
        finally:
            await p.stop()
        c = AIOKafkaConsumer(topic, group_id=f"{topic}-group", auto_offset_reset="earliest", **kw)
        await c.start()
        got = []
        try:
            deadline = time.time() + 60
            while len(got) < N and time.time() < deadline:
                for msgs in (await c.getmany(timeout_ms=1000)).values():
                    got += [(m.key.decode(), m.value.decode()) for m in msgs]
        finally:
            await c.stop()
        return got

    return asyncio.run(run())


KAFKAJS = r"""
const { Kafka, logLevel } = require('kafkajs');
const [conf, topic, n] = [JSON.parse(process.argv[1]), process.argv[2], Number(process.argv[3])];
(async () => {
  const kafka = new Kafka({ ...conf, logLevel: logLevel.NOTHING });
  const p = kafka.producer();
  await p.connect();
  await p.send({ topic, acks: -1, messages: [...Array(n).keys()].map(i => ({ key: 'key-' + i, value: 'kafkajs-' + i })) });
  await p.disconnect();
  const c = kafka.consumer({ groupId: topic + '-group' });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  const got = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out after ' + got.length)), 60000);
    c.run({ eachMessage: async ({ message }) => {
      got.push([message.key.toString(), message.value.toString()]);
      if (got.length === n) { clearTimeout(timer); resolve(); }
    } });
  });
  await c.disconnect();
  console.log(JSON.stringify(got));
})().catch(e => { console.error(e.type || '', e.message || e); process.exit(1); });
"""


def kafkajs_case(a, topic, user, password, mech):
    out = subprocess.run(["node", "-e", KAFKAJS, kafkajs_conf(a, user, password, mech), topic, str(N)],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[-300:])
    return [tuple(r) for r in json.loads(out.stdout)]


# ---- refusals ----------------------------------------------------------------------------------
def refused(a, client, user, password, mech, topic):
    """Run one produce that must fail; returns the client's error text."""
    if client == "kcat":
        out = subprocess.run(["kcat", *kcat_args(a, user, password, mech), "-t", topic, "-P"],
                             input="x\n", text=True, timeout=30, capture_output=True)
        if out.returncode == 0:
            raise RuntimeError("kcat succeeded")
        return out.stderr
    if client == "confluent-kafka":
        from confluent_kafka import Producer
        errors = []
        p = Producer({**conf_librdkafka(a, user, password, mech), "message.timeout.ms": 5000, "log_level": 0,
                      "error_cb": lambda e: errors.append(str(e))})
        p.produce(topic, value="x", on_delivery=lambda err, msg: err and errors.append(str(err)))
        p.flush(10)
        if not errors:
            raise RuntimeError("confluent-kafka delivered")
        return " ".join(errors)
    if client == "aiokafka":
        import asyncio
        import ssl
        from aiokafka import AIOKafkaProducer

        async def send():
            p = AIOKafkaProducer(bootstrap_servers=a.bootstrap, security_protocol="SASL_SSL",
                                 ssl_context=ssl.create_default_context(cafile=a.ca), sasl_mechanism=mech,
                                 sasl_plain_username=user, sasl_plain_password=password,
                                 request_timeout_ms=5000)
            try:
                await p.start()
                await p.send_and_wait(topic, b"x")
            finally:
                await p.stop()
        try:
            asyncio.run(send())
        except Exception as e:
            return f"{type(e).__name__}: {e}"
        raise RuntimeError("aiokafka delivered")
    if client == "kafka-python":
        import io
        import logging
        from kafka import KafkaProducer
        # kafka-python logs the broker's SASL error and keeps retrying until its bootstrap
        # timeout; the log is where the reason is.
        log = io.StringIO()
        handler = logging.StreamHandler(log)
        logging.getLogger("kafka").addHandler(handler)
        try:
            p = KafkaProducer(**python_kwargs(a, user, password, mech), max_block_ms=5000,
                              bootstrap_timeout_ms=5000)
            p.send(topic, value=b"x").get(10)
        except Exception as e:
            return f"{type(e).__name__}: {e} {log.getvalue()}"
        finally:
            logging.getLogger("kafka").removeHandler(handler)
        raise RuntimeError("kafka-python delivered")
    out = subprocess.run(["node", "-e", KAFKAJS, kafkajs_conf(a, user, password, mech), topic, "1"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode == 0:
        raise RuntimeError("kafkajs delivered")
    return out.stderr


# How each client words the broker's SASL_AUTHENTICATION_FAILED (58) and
# TOPIC_AUTHORIZATION_FAILED (29).
AUTH_WORDS = ("SASL_AUTHENTICATION_FAILED", "SaslAuthenticationFailed", "Authentication failed",
              "authentication failed", "Authentication failure")
ACL_WORDS = ("TOPIC_AUTHORIZATION_FAILED", "TopicAuthorizationFailed", "Not authorized to access topics",
             "Topic authorization failed")

CASES = [("kcat", kcat_case), ("confluent-kafka", confluent_case), ("kafka-python", kafka_python_case),
         ("aiokafka", aiokafka_case), ("kafkajs", kafkajs_case)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--ca", required=True)
    a = ap.parse_args()
    rows = []

    def run(name, what, fn):
        start = time.time()
        try:
            detail = fn()
            rows.append((name, what, "ok", detail or "", time.time() - start))
        except Exception as e:  # a failing client is a result in the matrix, not a crash
            rows.append((name, what, "FAIL", f"{type(e).__name__}: {e}"[:240], time.time() - start))

    run("admin clients", "ACLs", lambda: manage_acls(a))
    for mech in ("SCRAM-SHA-512", "PLAIN"):
        for name, case in CASES:
            topic = f"sec-{name}-{mech.lower()}"

            def one(case=case, topic=topic, name=name, mech=mech):
                err = check(case(a, topic, "alice", "alice-pw", mech), name)
                if err:
                    raise RuntimeError(err)
                return f"{N} records"
            run(name, f"alice {mech}", one)
    for name, _ in CASES:
        def wrong(name=name):
            text = refused(a, name, "alice", "not-her-password", "SCRAM-SHA-512", "sec-wrong")
            # aiokafka authenticates after a SaslHandshake v0, whose raw tokens have no error
            # reply: a failed login is a closed connection, with Kafka as here.
            words = AUTH_WORDS + (("closed",) if name == "aiokafka" else ())
            if not any(w in text for w in words):
                raise RuntimeError(f"not an authentication error: {text.strip()[-200:]}")
            return "authentication failed"
        run(name, "wrong password", wrong)

        def no_acl(name=name):
            text = refused(a, name, "mallory", "mallory-pw", "SCRAM-SHA-512", "sec-mallory")
            if not any(w in text for w in ACL_WORDS):
                raise RuntimeError(f"not an authorization error: {text.strip()[-200:]}")
            return "TOPIC_AUTHORIZATION_FAILED"
        run(name, "mallory, no ACLs", no_acl)

    print()
    print(f"{'client':<16} {'case':<20} {'result':<7} detail")
    for name, what, res, detail, secs in rows:
        print(f"{name:<16} {what:<20} {res:<7} {detail} ({secs:.1f}s)")
    failed = sum(1 for r in rows if r[2] != "ok")
    print(f"secured: {len(rows) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
