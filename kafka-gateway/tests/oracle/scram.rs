//! DescribeUserScramCredentials and AlterUserScramCredentials against Kafka: the same
//! upsertions, deletions and descriptions (with each of Kafka's refusals) go to both, and each
//! answer must agree, user names normalised.

use kafka_protocol::messages::alter_user_scram_credentials_request::{
    ScramCredentialDeletion, ScramCredentialUpsertion,
};
use kafka_protocol::messages::describe_user_scram_credentials_request::UserName;
use kafka_protocol::messages::{
    AlterUserScramCredentialsRequest, DescribeUserScramCredentialsRequest,
};
use kafka_protocol::protocol::StrBytes;

use super::{gateway, oracle, unique, KpClient};

/// One step: upsertions (user, mechanism, iterations), deletions (user, mechanism), or a
/// description of some users. `A` and `B` stand for this run's two user names.
enum Step {
    Alter(Vec<(&'static str, i8, i32)>, Vec<(&'static str, i8)>),
    Describe(Vec<&'static str>),
}

fn steps() -> Vec<(&'static str, Step)> {
    use Step::*;
    vec![
        ("upsert", Alter(vec![("A", 1, 8192)], vec![])),
        ("describe", Describe(vec!["A"])),
        ("describe twice", Describe(vec!["A", "A"])),
        ("describe unknown", Describe(vec!["B"])),
        ("too few iterations", Alter(vec![("B", 2, 4095)], vec![])),
        ("too many iterations", Alter(vec![("B", 2, 16385)], vec![])),
        ("limits", Alter(vec![("B", 2, 16384)], vec![])),
        ("unknown mechanism", Alter(vec![("B", 0, 8192)], vec![])),
        ("empty name", Alter(vec![("", 1, 8192)], vec![])),
        (
            "two mechanisms at once",
            Alter(vec![("A", 2, 8192), ("A", 1, 4096)], vec![]),
        ),
        ("delete missing", Alter(vec![], vec![("A", 2)])),
        (
            "delete and upsert one user",
            Alter(vec![("B", 1, 4096)], vec![("B", 2)]),
        ),
        ("both described", Describe(vec!["A", "B"])),
        ("delete", Alter(vec![], vec![("A", 1), ("B", 2)])),
        ("gone", Describe(vec!["A", "B"])),
    ]
}

async fn run_step(c: &mut KpClient, a: &str, b: &str, step: &Step) -> String {
    let real = |n: &str| match n {
        "A" => a.to_string(),
        "B" => b.to_string(),
        other => other.to_string(),
    };
    let s = |n: &str| StrBytes::from_string(real(n));
    {
        let mut lines: Vec<String> = match step {
            Step::Alter(ups, dels) => {
                let req = AlterUserScramCredentialsRequest::default()
                    .with_upsertions(
                        ups.iter()
                            .map(|(n, m, i)| {
                                ScramCredentialUpsertion::default()
                                    .with_name(s(n))
                                    .with_mechanism(*m)
                                    .with_iterations(*i)
                                    .with_salt(bytes::Bytes::from_static(b"0123456789abcdef"))
                                    .with_salted_password(bytes::Bytes::from(vec![7u8; 32]))
                            })
                            .collect(),
                    )
                    .with_deletions(
                        dels.iter()
                            .map(|(n, m)| {
                                ScramCredentialDeletion::default()
                                    .with_name(s(n))
                                    .with_mechanism(*m)
                            })
                            .collect(),
                    );
                c.call(0, req)
                    .await
                    .results
                    .iter()
                    .map(|r| format!("{} {} {:?}", r.user, r.error_code, r.error_message))
                    .collect()
            }
            Step::Describe(users) => {
                let req = DescribeUserScramCredentialsRequest::default().with_users(Some(
                    users
                        .iter()
                        .map(|n| UserName::default().with_name(s(n)))
                        .collect(),
                ));
                let r = c.call(0, req).await;
                std::iter::once(format!("top {} {:?}", r.error_code, r.error_message))
                    .chain(r.results.iter().map(|u| {
                        let infos: Vec<(i8, i32)> = u
                            .credential_infos
                            .iter()
                            .map(|i| (i.mechanism, i.iterations))
                            .collect();
                        format!(
                            "{} {} {:?} {infos:?}",
                            u.user, u.error_code, u.error_message
                        )
                    }))
                    .collect()
            }
        };
        // Kafka answers in hash order: compare sorted.
        lines.sort();
        lines.join(" | ").replace(a, "A").replace(b, "B")
    }
}

#[tokio::test]
async fn scram_credentials_as_kafka_does() {
    let Some(kafka) = oracle() else { return };
    let gw = gateway().await;
    let (a, b) = (unique("alice"), unique("bob"));
    let mut k = KpClient::connect(kafka).await;
    let mut g = KpClient::connect(gw.addr).await;
    let mut compared = 0;
    for (what, step) in steps() {
        let got = run_step(&mut g, &a, &b, &step).await;
        let mut want = run_step(&mut k, &a, &b, &step).await;
        // Kafka applies changes through its metadata log: poll its descriptions a little.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while matches!(step, Step::Describe(..))
            && want != got
            && std::time::Instant::now() < deadline
        {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            want = run_step(&mut k, &a, &b, &step).await;
        }
        assert_eq!(got, want, "{what}");
        compared += 1;
    }
    println!("oracle: {compared} SCRAM credential cases agree");
    gw.stop().await;
}
