//! IncrementalAlterConfigs (44) and AlterConfigs (33) against Kafka: the same edits of topic,
//! broker and logger configs go to both; each resource's error code and message must agree,
//! and so must what DescribeConfigs reports afterwards for the keys the case touched (value
//! and source). Kafka applies changes through its metadata log, so its describe is polled
//! until it matches or three seconds pass; the gateway's is read once.

use std::time::{Duration, Instant};

use kafka_protocol::messages::alter_configs_request as legacy;
use kafka_protocol::messages::incremental_alter_configs_request as inc;
use kafka_protocol::messages::{
    AlterConfigsRequest, DescribeConfigsRequest, IncrementalAlterConfigsRequest,
};
use kafka_protocol::protocol::StrBytes;

use super::{create_req, gateway, oracle, unique, KpClient};

const TOPIC: i8 = 2;
const BROKER: i8 = 4;
const LOGGER: i8 = 8;
const SET: i8 = 0;
const DELETE: i8 = 1;
const APPEND: i8 = 2;
const SUBTRACT: i8 = 3;
/// Stands for the case's own topic in resource names.
const T: &str = "$T";

/// One resource of a case: type, name, and (name, operation, value) edits.
type Res = (
    i8,
    &'static str,
    Vec<(&'static str, i8, Option<&'static str>)>,
);

struct Case {
    what: &'static str,
    legacy: bool,
    version: i16,
    validate_only: bool,
    /// Configs the topic is created with.
    initial: Vec<(&'static str, &'static str)>,
    resources: Vec<Res>,
}

fn case(what: &'static str, resources: Vec<Res>) -> Case {
    Case {
        what,
        legacy: false,
        version: 1,
        validate_only: false,
        initial: vec![],
        resources,
    }
}

fn s(v: &'static str) -> Option<&'static str> {
    Some(v)
}

fn cases() -> Vec<Case> {
    let mut out = vec![
        case(
            "set",
            vec![(TOPIC, T, vec![("retention.ms", SET, s("1000"))])],
        ),
        case(
            "set several",
            vec![(
                TOPIC,
                T,
                vec![
                    ("retention.bytes", SET, s("1048576")),
                    ("max.message.bytes", SET, s("2048")),
                    ("message.timestamp.type", SET, s("LogAppendTime")),
                    ("segment.bytes", SET, s("2097152")),
                ],
            )],
        ),
        case(
            "set bad number",
            vec![(TOPIC, T, vec![("retention.ms", SET, s("abc"))])],
        ),
        case(
            "set below minimum",
            vec![(TOPIC, T, vec![("segment.bytes", SET, s("1000"))])],
        ),
        case(
            "set bad enum",
            vec![(TOPIC, T, vec![("compression.type", SET, s("brotli"))])],
        ),
        case(
            "unknown name",
            vec![(TOPIC, T, vec![("nosuch.config", SET, s("1"))])],
        ),
        case(
            "delete unset",
            vec![(TOPIC, T, vec![("retention.ms", DELETE, None)])],
        ),
        case(
            "append to a non-list",
            vec![(TOPIC, T, vec![("retention.ms", APPEND, s("5"))])],
        ),
        case(
            "subtract from a non-list",
            vec![(TOPIC, T, vec![("segment.ms", SUBTRACT, s("5"))])],
        ),
        case(
            "append to a list",
            vec![(
                TOPIC,
                T,
                vec![("leader.replication.throttled.replicas", APPEND, s("0:0"))],
            )],
        ),
        case(
            "append present item",
            vec![(TOPIC, T, vec![("cleanup.policy", APPEND, s("delete"))])],
        ),
        case(
            "duplicate keys",
            vec![(
                TOPIC,
                T,
                vec![
                    ("retention.ms", SET, s("1000")),
                    ("retention.ms", SET, s("2000")),
                ],
            )],
        ),
        case(
            "null value",
            vec![(TOPIC, T, vec![("retention.ms", SET, None)])],
        ),
        case(
            "compaction lag conflict",
            vec![(
                TOPIC,
                T,
                vec![
                    ("min.compaction.lag.ms", SET, s("10")),
                    ("max.compaction.lag.ms", SET, s("5")),
                ],
            )],
        ),
        case(
            "unknown topic",
            vec![(
                TOPIC,
                "no-such-topic-anywhere",
                vec![("retention.ms", SET, s("1000"))],
            )],
        ),
        case(
            "unknown topic, bad value",
            vec![(
                TOPIC,
                "no-such-topic-anywhere",
                vec![("retention.ms", SET, s("x"))],
            )],
        ),
        case(
            "default topic",
            vec![(TOPIC, "", vec![("retention.ms", SET, s("1000"))])],
        ),
        case(
            "duplicate resources",
            vec![
                (TOPIC, T, vec![("retention.ms", SET, s("1000"))]),
                (TOPIC, T, vec![("retention.bytes", SET, s("1000"))]),
            ],
        ),
        case(
            "broker: another id",
            vec![(BROKER, "1", vec![("log.retention.ms", SET, s("1000"))])],
        ),
        case(
            "broker: not a number",
            vec![(BROKER, "x", vec![("log.retention.ms", SET, s("1000"))])],
        ),
        case(
            "broker: read-only",
            vec![(BROKER, "0", vec![("num.partitions", SET, s("3"))])],
        ),
        case(
            "broker: retention default for every topic",
            vec![
                (BROKER, "0", vec![("log.retention.ms", SET, s("86400000"))]),
                (
                    BROKER,
                    "",
                    vec![("log.retention.bytes", SET, s("1073741824"))],
                ),
            ],
        ),
        case(
            "logger: append",
            vec![(LOGGER, "0", vec![("root", APPEND, s("INFO"))])],
        ),
        case(
            "logger: delete root",
            vec![(LOGGER, "0", vec![("root", DELETE, None)])],
        ),
        case(
            "logger: root level",
            vec![(LOGGER, "0", vec![("root", SET, s("INFO"))])],
        ),
        case(
            "logger: bad level",
            vec![(LOGGER, "0", vec![("root", SET, s("LOUD"))])],
        ),
    ];
    let mut deleted = case(
        "delete set",
        vec![(TOPIC, T, vec![("retention.ms", DELETE, None)])],
    );
    deleted.initial = vec![("retention.ms", "5000")];
    out.push(deleted);
    let mut subtract = case(
        "subtract a list item",
        vec![(
            TOPIC,
            T,
            vec![(
                "follower.replication.throttled.replicas",
                SUBTRACT,
                s("0:0"),
            )],
        )],
    );
    subtract.initial = vec![("follower.replication.throttled.replicas", "0:0,1:0")];
    out.push(subtract);
    for v in [0, 1] {
        let mut c = case(
            "validate only",
            vec![(TOPIC, T, vec![("retention.ms", SET, s("1000"))])],
        );
        c.validate_only = true;
        c.version = v;
        out.push(c);
        let mut c = case(
            "validate only, bad value",
            vec![(TOPIC, T, vec![("retention.ms", SET, s("-5"))])],
        );
        c.validate_only = true;
        c.version = v;
        out.push(c);
    }
    for v in [0, 1, 2] {
        for (what, res) in [
            (
                "legacy: replace",
                vec![(
                    TOPIC,
                    T,
                    vec![
                        ("retention.ms", SET, s("1000")),
                        ("segment.ms", SET, s("60000")),
                    ],
                )],
            ),
            (
                "legacy: bad value",
                vec![(TOPIC, T, vec![("retention.ms", SET, s("soon"))])],
            ),
            (
                "legacy: unknown topic",
                vec![(TOPIC, "no-such-topic-anywhere", vec![])],
            ),
            (
                "legacy: logger",
                vec![(LOGGER, "0", vec![("root", SET, s("INFO"))])],
            ),
        ] {
            let mut c = case(what, res);
            c.legacy = true;
            c.version = v;
            c.initial = vec![("retention.bytes", "5000")];
            out.push(c);
        }
    }
    out
}

fn name_of(topic: &str, name: &str) -> String {
    if name == T {
        topic.to_string()
    } else {
        name.to_string()
    }
}

/// The entries of either API's response (their fields are the same) as outcomes.
macro_rules! outcomes {
    ($r:expr) => {
        $r.responses
            .iter()
            .map(|x| {
                (
                    x.resource_type,
                    x.resource_name.to_string(),
                    x.error_code,
                    x.error_message.as_ref().map(|m| m.to_string()),
                )
            })
            .collect()
    };
}

/// Each resource's (type, name with the topic as "$T", error code, message), sorted.
type Outcome = Vec<(i8, String, i16, Option<String>)>;

async fn alter(c: &mut KpClient, case: &Case, topic: &str) -> Outcome {
    let str_of = |v: &str| StrBytes::from_string(v.to_string());
    let mut out: Outcome = if case.legacy {
        let req = AlterConfigsRequest::default()
            .with_validate_only(case.validate_only)
            .with_resources(
                case.resources
                    .iter()
                    .map(|(kind, name, cfgs)| {
                        legacy::AlterConfigsResource::default()
                            .with_resource_type(*kind)
                            .with_resource_name(str_of(&name_of(topic, name)))
                            .with_configs(
                                cfgs.iter()
                                    .map(|(n, _, v)| {
                                        legacy::AlterableConfig::default()
                                            .with_name(str_of(n))
                                            .with_value(v.map(str_of))
                                    })
                                    .collect(),
                            )
                    })
                    .collect(),
            );
        outcomes!(c.call(case.version, req).await)
    } else {
        let req = IncrementalAlterConfigsRequest::default()
            .with_validate_only(case.validate_only)
            .with_resources(
                case.resources
                    .iter()
                    .map(|(kind, name, cfgs)| {
                        inc::AlterConfigsResource::default()
                            .with_resource_type(*kind)
                            .with_resource_name(str_of(&name_of(topic, name)))
                            .with_configs(
                                cfgs.iter()
                                    .map(|(n, op, v)| {
                                        inc::AlterableConfig::default()
                                            .with_name(str_of(n))
                                            .with_config_operation(*op)
                                            .with_value(v.map(str_of))
                                    })
                                    .collect(),
                            )
                    })
                    .collect(),
            );
        outcomes!(c.call(case.version, req).await)
    };
    for o in &mut out {
        if o.1 == topic {
            o.1 = T.to_string();
        }
        if let Some(m) = &mut o.3 {
            *m = m.replace(topic, T);
        }
    }
    out.sort();
    out
}

/// (resource type, name, key) → (value, source) for the keys a case touches.
type State = Vec<(i8, String, String, Option<String>, i8)>;

async fn describe(c: &mut KpClient, case: &Case, topic: &str) -> State {
    use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
    let mut state = State::new();
    for (kind, name, cfgs) in &case.resources {
        let name = name_of(topic, name);
        let resolvable = match *kind {
            TOPIC => name == topic,
            BROKER => name == "0" || name.is_empty(),
            _ => false,
        };
        if !resolvable {
            continue;
        }
        let keys: Vec<&str> = case
            .initial
            .iter()
            .map(|(k, _)| *k)
            .chain(cfgs.iter().map(|(k, _, _)| *k))
            .collect();
        let req = DescribeConfigsRequest::default().with_resources(vec![
            DescribeConfigsResource::default()
                .with_resource_type(*kind)
                .with_resource_name(StrBytes::from_string(name.clone()))
                .with_configuration_keys(Some(
                    keys.iter()
                        .map(|k| StrBytes::from_string(k.to_string()))
                        .collect(),
                )),
        ]);
        let r = c.call(4, req).await;
        for res in &r.results {
            for e in &res.configs {
                state.push((
                    *kind,
                    name.replace(topic, T),
                    e.name.to_string(),
                    e.value.as_ref().map(|v| v.to_string()),
                    e.config_source,
                ));
            }
            // The topic configs inherit the broker ones: show what a topic now reports.
            if *kind == BROKER {
                let topic_req = DescribeConfigsRequest::default().with_resources(vec![
                    DescribeConfigsResource::default()
                        .with_resource_type(TOPIC)
                        .with_resource_name(StrBytes::from_string(topic.to_string()))
                        .with_configuration_keys(Some(vec![
                            StrBytes::from_static_str("retention.ms"),
                            StrBytes::from_static_str("retention.bytes"),
                        ])),
                ]);
                let t = c.call(4, topic_req).await;
                for e in &t.results[0].configs {
                    state.push((
                        TOPIC,
                        T.to_string(),
                        e.name.to_string(),
                        e.value.as_ref().map(|v| v.to_string()),
                        e.config_source,
                    ));
                }
            }
        }
    }
    state.sort();
    state.dedup();
    state
}

/// Put back every broker config a case set, on both layers.
async fn restore(c: &mut KpClient, case: &Case) {
    for (kind, _, cfgs) in &case.resources {
        if *kind != BROKER {
            continue;
        }
        for name in ["0", ""] {
            let req = IncrementalAlterConfigsRequest::default().with_resources(vec![
                inc::AlterConfigsResource::default()
                    .with_resource_type(BROKER)
                    .with_resource_name(StrBytes::from_static_str(name))
                    .with_configs(
                        cfgs.iter()
                            .filter(|(k, _, _)| *k != "num.partitions")
                            .map(|(k, _, _)| {
                                inc::AlterableConfig::default()
                                    .with_name(StrBytes::from_string(k.to_string()))
                                    .with_config_operation(DELETE)
                            })
                            .collect(),
                    ),
            ]);
            c.call(1, req).await;
        }
    }
}

#[tokio::test]
async fn alter_configs_as_kafka_does() {
    let Some(kafka) = oracle() else { return };
    let gw = gateway().await;
    let mut k = KpClient::connect(kafka).await;
    let mut g = KpClient::connect(gw.addr).await;
    let mut compared = 0;
    for case in cases() {
        let label = format!(
            "{} ({} v{}{})",
            case.what,
            if case.legacy {
                "AlterConfigs"
            } else {
                "IncrementalAlterConfigs"
            },
            case.version,
            if case.validate_only {
                ", validate only"
            } else {
                ""
            }
        );
        let topic = unique("alter");
        for c in [&mut k, &mut g] {
            let created = c.call(7, create_req(&topic, &case.initial, false)).await;
            assert_eq!(created.topics[0].error_code, 0, "{label}: create");
        }
        let got = alter(&mut g, &case, &topic).await;
        let want = alter(&mut k, &case, &topic).await;
        assert_eq!(got, want, "{label}: outcome");
        let got_state = describe(&mut g, &case, &topic).await;
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut want_state = describe(&mut k, &case, &topic).await;
        while want_state != got_state && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
            want_state = describe(&mut k, &case, &topic).await;
        }
        assert_eq!(got_state, want_state, "{label}: configs afterwards");
        restore(&mut k, &case).await;
        restore(&mut g, &case).await;
        compared += 1;
    }
    println!("oracle: {compared} AlterConfigs/IncrementalAlterConfigs cases agree");
    gw.stop().await;
}
