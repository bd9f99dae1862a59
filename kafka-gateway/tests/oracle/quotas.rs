//! DescribeClientQuotas and AlterClientQuotas against Kafka: the same alterations (with each of
//! Kafka's refusals) and descriptions go to both; answers must agree, entity names normalised.
//! What a case sets is removed again at the end, so Kafka is left as it was.

use kafka_protocol::messages::alter_client_quotas_request::{EntityData, EntryData, OpData};
use kafka_protocol::messages::describe_client_quotas_request::ComponentData;
use kafka_protocol::messages::{AlterClientQuotasRequest, DescribeClientQuotasRequest};
use kafka_protocol::protocol::StrBytes;

use super::{gateway, oracle, unique, KpClient};

type Ent = Vec<(&'static str, Option<&'static str>)>;
/// Ops of one entry: key, value, remove.
type Ops = Vec<(&'static str, f64, bool)>;

enum Step {
    /// Entries of (entity, ops (key, value, remove)), and validate_only.
    Alter(Vec<(Ent, Ops)>, bool),
    /// Components (type, match type, match) and strict.
    Describe(Vec<(&'static str, i8, Option<&'static str>)>, bool),
}

fn steps() -> Vec<(&'static str, Step)> {
    use Step::*;
    let user = || vec![("user", Some("U"))];
    vec![
        (
            "set",
            Alter(
                vec![(user(), vec![("producer_byte_rate", 1024.0, false)])],
                false,
            ),
        ),
        ("exact", Describe(vec![("user", 0, Some("U"))], false)),
        (
            "user and client",
            Alter(
                vec![(
                    vec![("user", Some("U")), ("client-id", Some("C"))],
                    vec![
                        ("consumer_byte_rate", 2048.0, false),
                        ("request_percentage", 12.5, false),
                    ],
                )],
                false,
            ),
        ),
        (
            "exact, not strict",
            Describe(vec![("user", 0, Some("U"))], false),
        ),
        (
            "exact, strict",
            Describe(vec![("user", 0, Some("U"))], true),
        ),
        (
            "client exact",
            Describe(vec![("client-id", 0, Some("C"))], false),
        ),
        (
            "validate only",
            Alter(
                vec![(user(), vec![("producer_byte_rate", 5.0, false)])],
                true,
            ),
        ),
        ("unchanged", Describe(vec![("user", 0, Some("U"))], true)),
        (
            "bad key",
            Alter(vec![(user(), vec![("nope", 1.0, false)])], false),
        ),
        (
            "zero",
            Alter(
                vec![(user(), vec![("producer_byte_rate", 0.0, false)])],
                false,
            ),
        ),
        (
            "fraction",
            Alter(
                vec![(user(), vec![("producer_byte_rate", 1.5, false)])],
                false,
            ),
        ),
        (
            "infinite",
            Alter(
                vec![(user(), vec![("request_percentage", f64::INFINITY, false)])],
                false,
            ),
        ),
        (
            "ip key on user",
            Alter(
                vec![(user(), vec![("connection_creation_rate", 1.0, false)])],
                false,
            ),
        ),
        (
            "empty entity",
            Alter(
                vec![(vec![], vec![("producer_byte_rate", 1.0, false)])],
                false,
            ),
        ),
        (
            "unknown entity type",
            Alter(
                vec![(
                    vec![("topic", Some("t"))],
                    vec![("producer_byte_rate", 1.0, false)],
                )],
                false,
            ),
        ),
        (
            "empty name",
            Alter(
                vec![(
                    vec![("user", Some(""))],
                    vec![("producer_byte_rate", 1.0, false)],
                )],
                false,
            ),
        ),
        (
            "ip with user",
            Alter(
                vec![(
                    vec![("ip", Some("127.0.0.1")), ("user", Some("U"))],
                    vec![("connection_creation_rate", 1.0, false)],
                )],
                false,
            ),
        ),
        (
            "bad ip",
            Alter(
                vec![(
                    vec![("ip", Some("not a host!"))],
                    vec![("connection_creation_rate", 1.0, false)],
                )],
                false,
            ),
        ),
        (
            "ip",
            Alter(
                vec![(
                    vec![("ip", Some("10.1.2.3"))],
                    vec![("connection_creation_rate", 7.0, false)],
                )],
                false,
            ),
        ),
        (
            "ip exact",
            Describe(vec![("ip", 0, Some("10.1.2.3"))], false),
        ),
        (
            "remove absent",
            Alter(
                vec![(user(), vec![("consumer_byte_rate", 0.0, true)])],
                false,
            ),
        ),
        (
            "filter: empty type",
            Describe(vec![("", 0, Some("U"))], false),
        ),
        (
            "filter: twice",
            Describe(vec![("user", 0, Some("U")), ("user", 1, None)], false),
        ),
        (
            "filter: unsupported",
            Describe(vec![("topic", 2, None)], false),
        ),
        (
            "filter: exact null",
            Describe(vec![("user", 0, None)], false),
        ),
        (
            "filter: default with name",
            Describe(vec![("user", 1, Some("U"))], false),
        ),
        (
            "filter: specified with name",
            Describe(vec![("user", 2, Some("U"))], false),
        ),
        (
            "filter: bad match type",
            Describe(vec![("user", 7, None)], false),
        ),
        (
            "filter: ip and user",
            Describe(vec![("ip", 2, None), ("user", 2, None)], false),
        ),
        (
            "remove everything",
            Alter(
                vec![
                    (user(), vec![("producer_byte_rate", 0.0, true)]),
                    (
                        vec![("user", Some("U")), ("client-id", Some("C"))],
                        vec![
                            ("consumer_byte_rate", 0.0, true),
                            ("request_percentage", 0.0, true),
                        ],
                    ),
                    (
                        vec![("ip", Some("10.1.2.3"))],
                        vec![("connection_creation_rate", 0.0, true)],
                    ),
                ],
                false,
            ),
        ),
        ("gone", Describe(vec![("user", 0, Some("U"))], false)),
    ]
}

async fn run_step(c: &mut KpClient, u: &str, cl: &str, step: &Step) -> String {
    let real = |n: &str| match n {
        "U" => u.to_string(),
        "C" => cl.to_string(),
        other => other.to_string(),
    };
    let s = |n: &str| StrBytes::from_string(real(n));
    {
        let mut lines: Vec<String> = match step {
            Step::Alter(entries, validate_only) => {
                let req = AlterClientQuotasRequest::default()
                    .with_validate_only(*validate_only)
                    .with_entries(
                        entries
                            .iter()
                            .map(|(ent, ops)| {
                                EntryData::default()
                                    .with_entity(
                                        ent.iter()
                                            .map(|(t, n)| {
                                                EntityData::default()
                                                    .with_entity_type(StrBytes::from_static_str(t))
                                                    .with_entity_name(n.map(s))
                                            })
                                            .collect(),
                                    )
                                    .with_ops(
                                        ops.iter()
                                            .map(|(k, v, r)| {
                                                OpData::default()
                                                    .with_key(StrBytes::from_static_str(k))
                                                    .with_value(*v)
                                                    .with_remove(*r)
                                            })
                                            .collect(),
                                    )
                            })
                            .collect(),
                    );
                c.call(1, req)
                    .await
                    .entries
                    .iter()
                    .map(|e| {
                        let mut ent: Vec<String> = e
                            .entity
                            .iter()
                            .map(|d| format!("{}={:?}", d.entity_type, d.entity_name))
                            .collect();
                        ent.sort();
                        format!("{ent:?} {} {:?}", e.error_code, e.error_message)
                    })
                    .collect()
            }
            Step::Describe(components, strict) => {
                let req = DescribeClientQuotasRequest::default()
                    .with_strict(*strict)
                    .with_components(
                        components
                            .iter()
                            .map(|(t, m, n)| {
                                ComponentData::default()
                                    .with_entity_type(StrBytes::from_static_str(t))
                                    .with_match_type(*m)
                                    .with_match(n.map(s))
                            })
                            .collect(),
                    );
                let r = c.call(1, req).await;
                std::iter::once(format!("top {} {:?}", r.error_code, r.error_message))
                    .chain(r.entries.iter().flatten().map(|e| {
                        let mut ent: Vec<String> = e
                            .entity
                            .iter()
                            .map(|d| format!("{}={:?}", d.entity_type, d.entity_name))
                            .collect();
                        ent.sort();
                        let mut vals: Vec<String> = e
                            .values
                            .iter()
                            .map(|v| format!("{}={}", v.key, v.value))
                            .collect();
                        vals.sort();
                        format!("{ent:?} {vals:?}")
                    }))
                    .collect()
            }
        };
        lines.sort();
        lines.join(" | ").replace(u, "U").replace(cl, "C")
    }
}

#[tokio::test]
async fn client_quotas_as_kafka_does() {
    let Some(kafka) = oracle() else { return };
    let gw = gateway().await;
    let (u, cl) = (unique("quser"), unique("qclient"));
    let mut k = KpClient::connect(kafka).await;
    let mut g = KpClient::connect(gw.addr).await;
    let mut compared = 0;
    for (what, step) in steps() {
        let got = run_step(&mut g, &u, &cl, &step).await;
        let mut want = run_step(&mut k, &u, &cl, &step).await;
        // Kafka applies changes through its metadata log: poll its descriptions a little.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while matches!(step, Step::Describe(..))
            && want != got
            && std::time::Instant::now() < deadline
        {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            want = run_step(&mut k, &u, &cl, &step).await;
        }
        assert_eq!(got, want, "{what}");
        compared += 1;
    }
    println!("oracle: {compared} client quota cases agree");
    gw.stop().await;
}
