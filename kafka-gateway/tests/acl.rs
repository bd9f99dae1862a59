//! ACLs end to end: principals from SASL PLAIN, ACLs managed with CreateAcls, DescribeAcls and
//! DeleteAcls encoded by the `kafka-protocol` crate (an admin client we did not write), the
//! data path exercised with rskafka. With `allow_if_no_acl` off, a principal without ACLs is
//! refused with TOPIC_AUTHORIZATION_FAILED and does not even see the topic, while one granted
//! access is served; only a super user manages ACLs; bindings survive a restart.

mod common;

use bytes::Bytes;
use kafka_gateway::auth::scram::{Credential, Mechanism};
use kafka_gateway::auth::session::SaslMechanism;
use kafka_gateway::auth::users::Users;
use kafka_gateway::config::{Config, StorageKind};
use kafka_protocol::messages::{self as kp, create_acls_request::AclCreation};
use kafka_protocol::protocol::{Request, StrBytes};
use rskafka::client::partition::UnknownTopicHandling;
use rskafka::client::{Client, ClientBuilder, Credentials, SaslConfig};
use rskafka::record::Record;

const CLUSTER_AUTHORIZATION_FAILED: i16 = 31;

fn config(dir: &std::path::Path) -> Config {
    let path = dir.join("users.toml");
    let mut users = Users::default();
    for name in ["admin", "alice", "bob"] {
        users.set(
            name,
            Credential::generate(Mechanism::Sha512, &format!("{name}-pw"), 4096),
        );
    }
    users.save(&path).unwrap();
    Config {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        storage: StorageKind::File,
        data_dir: dir.join("data"),
        sasl_mechanisms: vec![SaslMechanism::Plain],
        users: Some(path),
        super_users: vec!["User:admin".into()],
        allow_if_no_acl: false,
        ..Config::default()
    }
}

/// A kafka-protocol connection logged in with PLAIN.
struct Admin(common::KpClient);

impl Admin {
    async fn login(addr: std::net::SocketAddr, user: &str) -> Admin {
        let mut c = common::KpClient::connect(addr).await;
        let hs = c
            .call(
                1,
                kp::SaslHandshakeRequest::default()
                    .with_mechanism(StrBytes::from_static_str("PLAIN")),
            )
            .await;
        assert_eq!(hs.error_code, 0);
        let token = format!("\0{user}\0{user}-pw");
        let auth = c
            .call(
                2,
                kp::SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(token)),
            )
            .await;
        assert_eq!(auth.error_code, 0, "{user} logs in");
        Admin(c)
    }

    async fn call<R: Request>(&mut self, version: i16, req: R) -> R::Response {
        self.0.call(version, req).await
    }
}

fn creation(name: &str, pattern: i8, principal: &str, op: i8) -> AclCreation {
    AclCreation::default()
        .with_resource_type(2)
        .with_resource_name(StrBytes::from_string(name.into()))
        .with_resource_pattern_type(pattern)
        .with_principal(StrBytes::from_string(principal.into()))
        .with_host(StrBytes::from_static_str("*"))
        .with_operation(op)
        .with_permission_type(3)
}

async fn rskafka(addr: std::net::SocketAddr, user: &str) -> Client {
    ClientBuilder::new(vec![addr.to_string()])
        .sasl_config(SaslConfig::Plain(Credentials::new(
            user.into(),
            format!("{user}-pw"),
        )))
        .build()
        .await
        .unwrap()
}

async fn produce(client: &Client, topic: &str) -> Result<(), String> {
    let partition = client
        .partition_client(topic, 0, UnknownTopicHandling::Retry)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let record = Record {
        key: None,
        value: Some(b"v".to_vec()),
        headers: Default::default(),
        timestamp: chrono::Utc::now(),
    };
    partition
        .produce(vec![record], Default::default())
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

fn all_acls() -> kp::DescribeAclsRequest {
    kp::DescribeAclsRequest::default()
        .with_resource_type_filter(1)
        .with_resource_name_filter(None)
        .with_pattern_type_filter(1)
        .with_principal_filter(None)
        .with_host_filter(None)
        .with_operation(1)
        .with_permission_type(1)
}

#[tokio::test]
async fn acls_grant_refuse_hide_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let gw = common::start_config(config(dir.path())).await;
    let admin_client = rskafka(gw.addr, "admin").await;
    admin_client
        .controller_client()
        .unwrap()
        .create_topic("orders", 1, 1, 5_000)
        .await
        .unwrap();

    let mut admin = Admin::login(gw.addr, "admin").await;
    // alice may write and read topics prefixed "ord" (READ = 3, WRITE = 4; PREFIXED = 4).
    let created = admin
        .call(
            3,
            kp::CreateAclsRequest::default().with_creations(vec![
                creation("ord", 4, "User:alice", 4),
                creation("ord", 4, "User:alice", 3),
                creation("orders", 3, "not-a-principal", 3),
            ]),
        )
        .await;
    let codes: Vec<i16> = created.results.iter().map(|r| r.error_code).collect();
    assert_eq!(
        codes,
        [0, 0, 42],
        "the malformed principal is INVALID_REQUEST"
    );

    let listed = admin.call(3, all_acls()).await;
    assert_eq!(listed.error_code, 0);
    assert_eq!(listed.resources.len(), 1);
    assert_eq!(listed.resources[0].resource_name.as_str(), "ord");
    assert_eq!(listed.resources[0].pattern_type, 4);
    assert_eq!(listed.resources[0].acls.len(), 2);
    // A v0 client only understands literal patterns: the prefixed ones are not shown to it.
    let v0 = admin.call(0, all_acls().with_pattern_type_filter(3)).await;
    assert!(v0.resources.is_empty());

    let alice = rskafka(gw.addr, "alice").await;
    produce(&alice, "orders").await.expect("alice may write");
    let bob = rskafka(gw.addr, "bob").await;
    let refused = produce(&bob, "orders").await.expect_err("bob may not");
    assert!(refused.contains("TopicAuthorizationFailed"), "{refused}");
    let seen: Vec<String> = bob
        .list_topics()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert!(!seen.contains(&"orders".to_string()), "bob sees {seen:?}");

    // Only a principal with ALTER on the cluster manages ACLs.
    let mut as_alice = Admin::login(gw.addr, "alice").await;
    let denied = as_alice
        .call(
            3,
            kp::CreateAclsRequest::default()
                .with_creations(vec![creation("orders", 3, "User:bob", 4)]),
        )
        .await;
    assert_eq!(denied.results[0].error_code, CLUSTER_AUTHORIZATION_FAILED);
    let denied = as_alice.call(3, all_acls()).await;
    assert_eq!(denied.error_code, CLUSTER_AUTHORIZATION_FAILED);

    gw.stop().await;
    let gw = common::start_config(config(dir.path())).await;
    let mut admin = Admin::login(gw.addr, "admin").await;
    let listed = admin.call(2, all_acls()).await;
    assert_eq!(listed.resources.len(), 1, "ACLs survive a restart");

    // Removing alice's WRITE leaves her READ; her produce is refused from then on.
    let deleted = admin
        .call(
            3,
            kp::DeleteAclsRequest::default().with_filters(vec![
                kp::delete_acls_request::DeleteAclsFilter::default()
                    .with_resource_type_filter(2)
                    .with_resource_name_filter(Some(StrBytes::from_static_str("ord")))
                    .with_pattern_type_filter(4)
                    .with_principal_filter(Some(StrBytes::from_static_str("User:alice")))
                    .with_host_filter(None)
                    .with_operation(4)
                    .with_permission_type(1),
            ]),
        )
        .await;
    assert_eq!(deleted.filter_results[0].error_code, 0);
    assert_eq!(deleted.filter_results[0].matching_acls.len(), 1);
    let alice = rskafka(gw.addr, "alice").await;
    let refused = produce(&alice, "orders")
        .await
        .expect_err("WRITE was removed");
    assert!(refused.contains("TopicAuthorizationFailed"), "{refused}");
    gw.stop().await;
}
