//! The TLS listener's server side (rustls): certificate and key from PEM files, optional mutual
//! TLS against a client CA, and reloading all three on SIGHUP. Connections already established
//! keep the session they negotiated; new ones get the reloaded configuration.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsConfig;

/// Why the TLS configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or parsed.
    #[error("{path}: {why}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        why: String,
    },
    /// rustls refused the certificate, key or CA.
    #[error("TLS configuration: {0}")]
    Rustls(String),
}

/// The TLS listener's current configuration, swappable while connections are served.
pub struct TlsState {
    settings: TlsConfig,
    current: RwLock<Arc<ServerConfig>>,
}

impl TlsState {
    /// Load certificate, key and client CA named by `settings`.
    pub fn load(settings: TlsConfig) -> Result<Self, TlsError> {
        let config = build(&settings)?;
        Ok(TlsState {
            settings,
            current: RwLock::new(Arc::new(config)),
        })
    }

    /// Re-read the files (on SIGHUP). On failure the previous configuration stays in force.
    pub fn reload(&self) -> Result<(), TlsError> {
        let config = Arc::new(build(&self.settings)?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = config;
        Ok(())
    }

    /// An acceptor for the next connection, with the configuration current now.
    pub fn acceptor(&self) -> TlsAcceptor {
        let config = self.current.read().unwrap_or_else(|e| e.into_inner());
        TlsAcceptor::from(config.clone())
    }

    /// Whether clients must present a certificate.
    pub fn mutual(&self) -> bool {
        self.settings.client_ca.is_some()
    }
}

fn pem_error(path: &Path, why: impl std::fmt::Display) -> TlsError {
    TlsError::Pem {
        path: path.to_path_buf(),
        why: why.to_string(),
    }
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, e))?;
    if certs.is_empty() {
        return Err(pem_error(path, "no CERTIFICATE in the file"));
    }
    Ok(certs)
}

fn build(settings: &TlsConfig) -> Result<ServerConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = certificates(&settings.cert)?;
    let key =
        PrivateKeyDer::from_pem_file(&settings.key).map_err(|e| pem_error(&settings.key, e))?;
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Rustls(e.to_string()))?;
    let builder = match &settings.client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = RootCertStore::empty();
            for ca in certificates(path)? {
                roots.add(ca).map_err(|e| pem_error(path, e))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| TlsError::Rustls(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    builder
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Rustls(e.to_string()))
}

/// The principal of a client certificate: its subject as an RFC 2253 distinguished name
/// (`CN=alice,OU=eng,O=Example`), as Kafka's default `ssl.principal.mapping.rules` gives it.
pub fn subject_principal(cert: &CertificateDer<'_>) -> Option<String> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref()).ok()?;
    let registry = x509_parser::objects::oid_registry();
    let mut rdns = Vec::new();
    for rdn in parsed.subject().iter_rdn() {
        let mut parts = Vec::new();
        for attr in rdn.iter() {
            let oid = attr.attr_type();
            let name = x509_parser::objects::oid2abbrev(oid, registry)
                .map(str::to_string)
                .unwrap_or_else(|_| oid.to_id_string());
            let value = attr.as_str().ok()?;
            parts.push(format!("{name}={}", escape_rfc2253(value)));
        }
        rdns.push(parts.join("+"));
    }
    // RFC 2253 lists the most specific RDN first: the reverse of the certificate's order.
    rdns.reverse();
    Some(rdns.join(","))
}

fn escape_rfc2253(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i + 1 == value.chars().count() && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_principal_is_the_subject_most_specific_first() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        let dn = &mut params.distinguished_name;
        dn.push(rcgen::DnType::CountryName, "DE");
        dn.push(rcgen::DnType::OrganizationName, "Example, Inc.");
        dn.push(rcgen::DnType::CommonName, "alice");
        let cert = params.self_signed(&key).unwrap();
        assert_eq!(
            subject_principal(cert.der()).as_deref(),
            Some("CN=alice,O=Example\\, Inc.,C=DE")
        );
    }

    #[test]
    fn special_characters_are_escaped_as_rfc_2253_says() {
        assert_eq!(escape_rfc2253("Acme, Inc."), "Acme\\, Inc.");
        assert_eq!(escape_rfc2253(" lead"), "\\ lead");
        assert_eq!(escape_rfc2253("#x"), "\\#x");
        assert_eq!(escape_rfc2253("a+b"), "a\\+b");
        assert_eq!(escape_rfc2253("plain"), "plain");
    }
}
