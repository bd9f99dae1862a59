//! The TLS listener end to end with rskafka over rustls (client side not ours): produce and
//! fetch over TLS alone and under SASL (SASL_SSL), metadata naming the TLS port, mutual TLS
//! refusing clients without a certificate, and a certificate reload that new clients see while
//! a connection made before it keeps working.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kafka_gateway::auth::scram::{Credential, Mechanism};
use kafka_gateway::auth::session::SaslMechanism;
use kafka_gateway::auth::users::Users;
use kafka_gateway::config::{Config, StorageKind, TlsConfig};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rskafka::client::{ClientBuilder, Credentials, SaslConfig};
use rskafka::BackoffConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA that signs server and client certificates.
struct Ca {
    cert: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        Ca {
            cert: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf certificate for `names` with subject `dn`, and its key.
    fn leaf(&self, names: &[&str], dn: &[(DnType, &str)]) -> (CertificateDer<'static>, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        for (t, v) in dn {
            params.distinguished_name.push(t.clone(), *v);
        }
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.der().clone(), key)
    }

    fn write_pem(&self, path: &Path) {
        std::fs::write(path, pem("CERTIFICATE", &self.cert)).unwrap();
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// Write the server's certificate and key signed by `ca` into `dir`.
fn server_files(ca: &Ca, dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = ca.leaf(
        &["localhost", "127.0.0.1"],
        &[(DnType::CommonName, "gateway")],
    );
    let cert_path = dir.join("server.pem");
    let key_path = dir.join("server.key");
    std::fs::write(&cert_path, pem("CERTIFICATE", &cert)).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (cert_path, key_path)
}

fn client_tls(
    trust: &Ca,
    identity: Option<(CertificateDer<'static>, KeyPair)>,
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trust.cert.clone()).unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots);
    Arc::new(match identity {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => builder
            .with_client_auth_cert(
                vec![cert],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap(),
    })
}

/// A gateway with only a TLS listener (plaintext off), serving from memory.
async fn start(tls: TlsConfig, sasl: Option<&Path>) -> common::Running {
    common::start_config(Config {
        listen: None,
        tls: Some(tls),
        storage: StorageKind::Memory,
        sasl_mechanisms: if sasl.is_some() {
            vec![
                SaslMechanism::Plain,
                SaslMechanism::Scram(Mechanism::Sha512),
            ]
        } else {
            Vec::new()
        },
        users: sasl.map(Path::to_path_buf),
        ..Config::default()
    })
    .await
}

fn tls_settings(dir: &Path, ca: &Ca, client_ca: Option<&Ca>) -> TlsConfig {
    let (cert, key) = server_files(ca, dir);
    TlsConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        advertise: None,
        cert,
        key,
        client_ca: client_ca.map(|c| {
            let p = dir.join("client-ca.pem");
            c.write_pem(&p);
            p
        }),
    }
}

fn builder(addr: SocketAddr, tls: Arc<rustls::ClientConfig>) -> ClientBuilder {
    ClientBuilder::new(vec![addr.to_string()])
        .tls_config(tls)
        .backoff_config(BackoffConfig {
            deadline: Some(Duration::from_millis(500)),
            ..BackoffConfig::default()
        })
}

#[tokio::test]
async fn tls_alone_and_sasl_over_tls_serve_produce_and_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("test CA");
    let gw = start(tls_settings(dir.path(), &ca, None), None).await;
    // rskafka connects to the broker Metadata names: this only works if that is the TLS port.
    let client = builder(gw.tls_addr.unwrap(), client_tls(&ca, None))
        .build()
        .await
        .unwrap();
    common::round_trip(&client, "over-tls").await;
    // A client that does not trust the certificate's CA is turned away by its own TLS.
    let stranger = Ca::new("other CA");
    assert!(builder(gw.tls_addr.unwrap(), client_tls(&stranger, None))
        .build()
        .await
        .is_err());
    gw.stop().await;

    let users_path = dir.path().join("users.toml");
    let mut users = Users::default();
    users.set(
        "alice",
        Credential::generate(Mechanism::Sha512, "alice-pw", 4096),
    );
    users.save(&users_path).unwrap();
    let gw = start(tls_settings(dir.path(), &ca, None), Some(&users_path)).await;
    let creds = || Credentials::new("alice".into(), "alice-pw".into());
    for (sasl, topic) in [
        (SaslConfig::ScramSha512(creds()), "sasl-ssl-scram"),
        (SaslConfig::Plain(creds()), "sasl-ssl-plain"),
    ] {
        let client = builder(gw.tls_addr.unwrap(), client_tls(&ca, None))
            .sasl_config(sasl)
            .build()
            .await
            .unwrap();
        common::round_trip(&client, topic).await;
    }
    let refused = builder(gw.tls_addr.unwrap(), client_tls(&ca, None))
        .sasl_config(SaslConfig::ScramSha512(Credentials::new(
            "alice".into(),
            "wrong".into(),
        )))
        .build()
        .await;
    assert!(refused.is_err(), "a wrong password over TLS was let in");
    gw.stop().await;
}

#[tokio::test]
async fn mutual_tls_requires_a_certificate_from_the_client_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("server CA");
    let clients = Ca::new("client CA");
    let gw = start(tls_settings(dir.path(), &ca, Some(&clients)), None).await;
    let identity = clients.leaf(&[], &[(DnType::CommonName, "alice")]);
    let client = builder(gw.tls_addr.unwrap(), client_tls(&ca, Some(identity)))
        .build()
        .await
        .unwrap();
    common::round_trip(&client, "mtls").await;
    assert!(
        builder(gw.tls_addr.unwrap(), client_tls(&ca, None))
            .build()
            .await
            .is_err(),
        "a client without a certificate was served"
    );
    let forged = Ca::new("client CA").leaf(&[], &[(DnType::CommonName, "alice")]);
    assert!(
        builder(gw.tls_addr.unwrap(), client_tls(&ca, Some(forged)))
            .build()
            .await
            .is_err(),
        "a certificate from another CA was accepted"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_reloaded_certificate_serves_new_clients_and_keeps_old_connections() {
    let dir = tempfile::tempdir().unwrap();
    let old_ca = Ca::new("old CA");
    let settings = tls_settings(dir.path(), &old_ca, None);
    let gw = start(settings, None).await;
    let before = builder(gw.tls_addr.unwrap(), client_tls(&old_ca, None))
        .build()
        .await
        .unwrap();
    let before = common::round_trip(&before, "before-reload").await;

    // A broken file is refused and the certificate in force stays.
    let new_ca = Ca::new("new CA");
    std::fs::write(dir.path().join("server.pem"), "not a certificate").unwrap();
    assert!(gw.tls.as_ref().unwrap().reload().is_err());
    assert!(builder(gw.tls_addr.unwrap(), client_tls(&old_ca, None))
        .build()
        .await
        .is_ok());

    server_files(&new_ca, dir.path());
    gw.tls.as_ref().unwrap().reload().unwrap();
    let after = builder(gw.tls_addr.unwrap(), client_tls(&new_ca, None))
        .build()
        .await
        .unwrap();
    common::round_trip(&after, "after-reload").await;
    assert!(
        builder(gw.tls_addr.unwrap(), client_tls(&old_ca, None))
            .build()
            .await
            .is_err(),
        "new connections still get the old certificate"
    );
    // The connection made before the reload is still open and served.
    let (got, _) = before.fetch_records(0, 1..1_000_000, 1_000).await.unwrap();
    assert_eq!(got.len(), 1);
    gw.stop().await;
}

#[tokio::test]
async fn the_certificate_subject_is_the_principal_acls_see() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("server CA");
    let clients = Ca::new("client CA");
    // Nothing is open without an ACL; the "ops" certificate's subject is a super user.
    let gw = common::start_config(Config {
        listen: None,
        tls: Some(tls_settings(dir.path(), &ca, Some(&clients))),
        storage: StorageKind::Memory,
        super_users: vec!["User:CN=ops,O=Example".into()],
        allow_if_no_acl: false,
        ..Config::default()
    })
    .await;
    // In the order certificates usually carry it (O before CN); RFC 2253 lists it reversed.
    let dn = |cn| {
        [
            (DnType::OrganizationName, "Example"),
            (DnType::CommonName, cn),
        ]
    };
    let ops = clients.leaf(&[], &dn("ops"));
    let client = builder(gw.tls_addr.unwrap(), client_tls(&ca, Some(ops)))
        .build()
        .await
        .unwrap();
    common::round_trip(&client, "by-cert").await;
    let intern = clients.leaf(&[], &dn("intern"));
    let client = builder(gw.tls_addr.unwrap(), client_tls(&ca, Some(intern)))
        .build()
        .await
        .unwrap();
    let seen: Vec<String> = client
        .list_topics()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert!(seen.is_empty(), "CN=intern sees {seen:?}");
    gw.stop().await;
}
