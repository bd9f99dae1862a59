//! Produce's refusals against Kafka: timestamps outside `message.timestamp.after.max.ms` /
//! `before.max.ms` (INVALID_TIMESTAMP with per-record errors, KIP-467), batches over a topic's
//! `max.message.bytes`, unknown topics and partitions, bad acks. Each partition's error code,
//! message and record errors must agree; digits are normalised (the bounds depend on the clock).

use kafka_protocol::messages::ProduceRequest;

use super::{common, create_req, gateway, oracle, unique, KpClient};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn digits_as_n(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('N') {
                out.push('N');
            }
        } else {
            out.push(c);
        }
    }
    out
}

const HOUR: i64 = 3_600_000;

/// One partition's data made of two record batches (Kafka takes one from Produce v3).
fn two_batches(t: &str) -> ProduceRequest {
    let records = |r: ProduceRequest| {
        r.topic_data[0].partition_data[0]
            .records
            .clone()
            .expect("records")
    };
    let mut both = bytes::BytesMut::new();
    both.extend_from_slice(&records(common::produce_records(
        t,
        0,
        &[(b"a", now())],
        None,
    )));
    both.extend_from_slice(&records(common::produce_records(
        t,
        0,
        &[(b"b", now())],
        None,
    )));
    let mut req = common::produce_records(t, 0, &[(b"a", now())], None);
    req.topic_data[0].partition_data[0].records = Some(both.freeze());
    req
}

/// (what, topic configs, request builder over the topic name).
type Case = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    fn(&str) -> ProduceRequest,
);

fn cases() -> Vec<Case> {
    vec![
        ("now", vec![], |t| {
            common::produce_records(t, 0, &[(b"a", now())], None)
        }),
        ("two hours ahead", vec![], |t| {
            common::produce_records(t, 0, &[(b"a", now() + 2 * HOUR)], None)
        }),
        ("one of three ahead", vec![], |t| {
            common::produce_records(
                t,
                0,
                &[(b"a", now()), (b"b", now() + 2 * HOUR), (b"c", now())],
                None,
            )
        }),
        (
            "two hours behind, bound one minute",
            vec![("message.timestamp.before.max.ms", "60000")],
            |t| common::produce_records(t, 0, &[(b"a", now() - 2 * HOUR), (b"b", now())], None),
        ),
        (
            "ahead on a LogAppendTime topic",
            vec![("message.timestamp.type", "LogAppendTime")],
            |t| common::produce_records(t, 0, &[(b"a", now() + 2 * HOUR)], None),
        ),
        (
            "over max.message.bytes",
            vec![("max.message.bytes", "1000")],
            |t| common::produce_records(t, 0, &[(&[b'x'; 2000], now())], None),
        ),
        ("unknown partition", vec![], |t| {
            common::produce_records(t, 7, &[(b"a", now())], None)
        }),
        ("unknown topic", vec![], |_| {
            common::produce_records("no-such-topic-p", 0, &[(b"a", now())], None)
        }),
        ("two batches", vec![], two_batches),
        ("acks 2", vec![], |t| {
            common::produce_records(t, 0, &[(b"a", now())], None).with_acks(2)
        }),
    ]
}

async fn outcome(c: &mut KpClient, version: i16, req: ProduceRequest) -> String {
    let r = c.call(version, req).await;
    let p = &r.responses[0].partition_responses[0];
    let errors: Vec<String> = p
        .record_errors
        .iter()
        .map(|e| {
            format!(
                "{} {:?}",
                e.batch_index,
                e.batch_index_error_message.as_deref().map(digits_as_n)
            )
        })
        .collect();
    format!(
        "{} {:?} {errors:?} ok_offset={}",
        p.error_code,
        p.error_message.as_deref().map(digits_as_n),
        p.error_code == 0 && p.base_offset >= 0
    )
}

#[tokio::test]
async fn produce_refusals_as_kafka_does() {
    let Some(kafka) = oracle() else { return };
    let gw = gateway().await;
    let mut k = KpClient::connect(kafka).await;
    let mut g = KpClient::connect(gw.addr).await;
    let mut compared = 0;
    for (what, configs, build) in cases() {
        let topic = unique("produce");
        for c in [&mut k, &mut g] {
            let created = c.call(7, create_req(&topic, &configs, false)).await;
            assert_eq!(created.topics[0].error_code, 0, "{what}: create");
        }
        for version in [3, 8, 11] {
            // Kafka's new partition may need a moment to take writes.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            let mut want = outcome(&mut k, version, build(&topic)).await;
            while want.starts_with("6 ") && std::time::Instant::now() < deadline {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                want = outcome(&mut k, version, build(&topic)).await;
            }
            let got = outcome(&mut g, version, build(&topic)).await;
            assert_eq!(got, want, "{what} v{version}");
            compared += 1;
        }
    }
    println!("oracle: {compared} Produce cases agree");
    gw.stop().await;
}
