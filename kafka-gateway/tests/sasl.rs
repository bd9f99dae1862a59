//! SASL end to end with a third-party client (rskafka, whose SCRAM is its own): PLAIN,
//! SCRAM-SHA-256 and SCRAM-SHA-512 logins produce and fetch; a wrong password is refused; before
//! authenticating only ApiVersions is answered, anything else closes the connection.

mod common;

use std::time::Duration;

use kafka_gateway::auth::scram::{Credential, Mechanism};
use kafka_gateway::auth::session::SaslMechanism;
use kafka_gateway::auth::users::Users;
use kafka_gateway::config::{Config, StorageKind};
use kafka_wire::frame::Request;
use kafka_wire::header::RequestHeader;
use kafka_wire::messages::{ApiVersionsRequest, MetadataRequest};
use kafka_wire::RequestBody;
use rskafka::client::{ClientBuilder, Credentials, SaslConfig};
use rskafka::BackoffConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn secured() -> (common::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.toml");
    let mut users = Users::default();
    users.set(
        "alice",
        Credential::generate(Mechanism::Sha512, "alice-pw", 4096),
    );
    users.set(
        "bob",
        Credential::generate(Mechanism::Sha256, "bob-pw", 4096),
    );
    users.save(&path).unwrap();
    let config = Config {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        storage: StorageKind::Memory,
        sasl_mechanisms: vec![
            SaslMechanism::Plain,
            SaslMechanism::Scram(Mechanism::Sha256),
            SaslMechanism::Scram(Mechanism::Sha512),
        ],
        users: Some(path),
        ..Config::default()
    };
    (common::start_config(config).await, dir)
}

fn creds(user: &str, password: &str) -> Credentials {
    Credentials::new(user.to_string(), password.to_string())
}

async fn produce_and_fetch(addr: std::net::SocketAddr, sasl: SaslConfig, topic: &str) {
    let client = ClientBuilder::new(vec![addr.to_string()])
        .sasl_config(sasl)
        .build()
        .await
        .unwrap();
    common::round_trip(&client, topic).await;
}

#[tokio::test]
async fn plain_and_scram_logins_are_served() {
    let (gw, _dir) = secured().await;
    produce_and_fetch(
        gw.addr,
        SaslConfig::ScramSha512(creds("alice", "alice-pw")),
        "scram512",
    )
    .await;
    produce_and_fetch(
        gw.addr,
        SaslConfig::ScramSha256(creds("bob", "bob-pw")),
        "scram256",
    )
    .await;
    produce_and_fetch(
        gw.addr,
        SaslConfig::Plain(creds("alice", "alice-pw")),
        "plain",
    )
    .await;
    gw.stop().await;
}

#[tokio::test]
async fn wrong_passwords_and_mechanisms_are_refused() {
    let (gw, _dir) = secured().await;
    for sasl in [
        SaslConfig::ScramSha512(creds("alice", "wrong")),
        SaslConfig::Plain(creds("alice", "wrong")),
        SaslConfig::Plain(creds("nobody", "alice-pw")),
        // bob has only a SCRAM-SHA-256 credential.
        SaslConfig::ScramSha512(creds("bob", "bob-pw")),
    ] {
        let shown = format!("{sasl:?}");
        // rskafka retries a refused connection until its deadline; the last error says why.
        let built = ClientBuilder::new(vec![gw.addr.to_string()])
            .sasl_config(sasl)
            .backoff_config(BackoffConfig {
                deadline: Some(Duration::from_millis(500)),
                ..BackoffConfig::default()
            })
            .build()
            .await;
        let Err(e) = built else {
            panic!("{shown} was let in")
        };
        let e = format!("{e:?}");
        assert!(e.contains("SaslFailed"), "{shown}: {e}");
    }
    gw.stop().await;
}

fn frame(body: RequestBody, api_version: i16) -> Vec<u8> {
    let req = Request {
        header: RequestHeader {
            api_key: body.api_key() as i16,
            api_version,
            correlation_id: 7,
            client_id: Some("sasl-test".into()),
            ..Default::default()
        },
        body,
    };
    let bytes = req.to_bytes().unwrap();
    let mut out = (bytes.len() as i32).to_be_bytes().to_vec();
    out.extend_from_slice(&bytes);
    out
}

#[tokio::test]
async fn before_authenticating_only_api_versions_is_answered() {
    let (gw, _dir) = secured().await;
    let mut sock = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    sock.write_all(&frame(
        RequestBody::ApiVersions(ApiVersionsRequest::default()),
        3,
    ))
    .await
    .unwrap();
    let size = sock.read_i32().await.unwrap();
    let mut body = vec![0; size as usize];
    sock.read_exact(&mut body).await.unwrap();
    assert_eq!(&body[..4], 7i32.to_be_bytes());

    sock.write_all(&frame(
        RequestBody::Metadata(MetadataRequest::default()),
        12,
    ))
    .await
    .unwrap();
    let mut rest = Vec::new();
    let n = sock.read_to_end(&mut rest).await.unwrap();
    assert_eq!(n, 0, "the connection is closed without an answer");
    gw.stop().await;
}
