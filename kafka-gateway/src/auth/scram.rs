//! SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka uses them: the server side of
//! the exchange, and the salted credentials it checks against (the password is never stored).
//!
//! Kafka's SCRAM carries no channel binding (`n,,` GS2 header only) and may carry the
//! `tokenauth` extension for delegation tokens, which this gateway does not issue: such a first
//! message is refused.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

/// Which hash a SCRAM mechanism uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// SCRAM-SHA-256.
    Sha256,
    /// SCRAM-SHA-512.
    Sha512,
}

impl Mechanism {
    /// The SASL mechanism name.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Sha256 => "SCRAM-SHA-256",
            Mechanism::Sha512 => "SCRAM-SHA-512",
        }
    }

    /// The SCRAM admin APIs' code of the mechanism.
    pub fn code(self) -> i8 {
        match self {
            Mechanism::Sha256 => 1,
            Mechanism::Sha512 => 2,
        }
    }

    /// The mechanism with SCRAM admin API code `code` (0 is Kafka's UNKNOWN).
    pub fn from_code(code: i8) -> Option<Self> {
        match code {
            1 => Some(Mechanism::Sha256),
            2 => Some(Mechanism::Sha512),
            _ => None,
        }
    }

    /// The mechanism called `name` (as SaslHandshake and the users file spell it).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "SCRAM-SHA-256" => Some(Mechanism::Sha256),
            "SCRAM-SHA-512" => Some(Mechanism::Sha512),
            _ => None,
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            Mechanism::Sha256 => mac::<Hmac<Sha256>>(key, data),
            Mechanism::Sha512 => mac::<Hmac<Sha512>>(key, data),
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Mechanism::Sha256 => Sha256::digest(data).to_vec(),
            Mechanism::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn salted_password(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        match self {
            Mechanism::Sha256 => {
                pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(password, salt, iterations).to_vec()
            }
            Mechanism::Sha512 => {
                pbkdf2::pbkdf2_hmac_array::<Sha512, 64>(password, salt, iterations).to_vec()
            }
        }
    }
}

fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = <M as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The fewest iterations accepted (Kafka's minimum, RFC 7677's recommendation).
pub const MIN_ITERATIONS: u32 = 4096;
/// The most iterations Kafka accepts for a credential.
pub const MAX_ITERATIONS: u32 = 16384;

/// What the server keeps of a SCRAM password (RFC 5802 §3): enough to verify a client's proof
/// and to prove itself, not enough to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// Which hash.
    pub mechanism: Mechanism,
    /// Salt.
    pub salt: Vec<u8>,
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// H(ClientKey).
    pub stored_key: Vec<u8>,
    /// HMAC(SaltedPassword, "Server Key").
    pub server_key: Vec<u8>,
}

impl Credential {
    /// Salt and hash `password`.
    pub fn new(mechanism: Mechanism, password: &str, salt: &[u8], iterations: u32) -> Self {
        let salted = mechanism.salted_password(password.as_bytes(), salt, iterations);
        Self::from_salted(mechanism, &salted, salt, iterations)
    }

    /// From a password already salted by the client (AlterUserScramCredentials sends
    /// `Hi(password, salt, iterations)`); the salted password itself is not kept.
    pub fn from_salted(mechanism: Mechanism, salted: &[u8], salt: &[u8], iterations: u32) -> Self {
        let client_key = mechanism.hmac(salted, b"Client Key");
        Credential {
            mechanism,
            salt: salt.to_vec(),
            iterations,
            stored_key: mechanism.hash(&client_key),
            server_key: mechanism.hmac(salted, b"Server Key"),
        }
    }

    /// With a fresh random 32-byte salt.
    pub fn generate(mechanism: Mechanism, password: &str, iterations: u32) -> Self {
        let salt: [u8; 32] = rand::random();
        Self::new(mechanism, password, &salt, iterations)
    }
}

/// Why a SCRAM exchange failed; the client is told only that authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    /// A message does not follow RFC 5802's grammar.
    #[error("malformed SCRAM message: {0}")]
    Malformed(&'static str),
    /// Channel binding or an extension this server does not support was asked for.
    #[error("unsupported SCRAM feature: {0}")]
    Unsupported(&'static str),
    /// No such user (for this mechanism).
    #[error("unknown user {0:?}")]
    UnknownUser(String),
    /// The nonce in the final message is not the one agreed.
    #[error("nonce mismatch")]
    NonceMismatch,
    /// The client's proof is wrong: a wrong password.
    #[error("invalid proof")]
    InvalidProof,
    /// A message arrived out of order.
    #[error("unexpected message for this stage of the exchange")]
    OutOfOrder,
}

/// The server side of one SCRAM exchange.
#[derive(Debug)]
pub struct ScramServer {
    mechanism: Mechanism,
    stage: Stage,
}

#[derive(Debug)]
enum Stage {
    First,
    Final {
        user: String,
        credential: Credential,
        client_first_bare: String,
        server_first: String,
        client_nonce: String,
        nonce: String,
    },
    Done,
}

/// A user's name in SCRAM's `saslname` form decoded (`=2C` → `,`, `=3D` → `=`).
fn decode_saslname(s: &str) -> Result<String, ScramError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        match rest.get(i + 1..i + 3) {
            Some("2C") => out.push(','),
            Some("3D") => out.push('='),
            _ => return Err(ScramError::Malformed("bad escape in username")),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `key=value` attributes of a message, in order.
fn attributes(msg: &str) -> Vec<(&str, &str)> {
    msg.split(',').filter_map(|a| a.split_once('=')).collect()
}

impl ScramServer {
    /// Start an exchange for `mechanism`.
    pub fn new(mechanism: Mechanism) -> Self {
        ScramServer {
            mechanism,
            stage: Stage::First,
        }
    }

    /// Answer the client-first message with the server-first message. `lookup` finds a user's
    /// credential for this mechanism; `server_nonce` is appended to the client's nonce (random
    /// printable ASCII without commas; fixed only in tests).
    pub fn client_first(
        &mut self,
        msg: &[u8],
        lookup: impl FnOnce(&str) -> Option<Credential>,
        server_nonce: &str,
    ) -> Result<Vec<u8>, ScramError> {
        if !matches!(self.stage, Stage::First) {
            return Err(ScramError::OutOfOrder);
        }
        let msg = std::str::from_utf8(msg).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let bare = match msg.strip_prefix("n,") {
            Some(rest) => match rest.split_once(',') {
                Some(("", bare)) => bare,
                Some((authzid, bare)) if authzid.starts_with("a=") => bare,
                _ => return Err(ScramError::Malformed("GS2 header")),
            },
            None if msg.starts_with("y,") || msg.starts_with("p=") => {
                return Err(ScramError::Unsupported("channel binding"))
            }
            None => return Err(ScramError::Malformed("GS2 header")),
        };
        let attrs = attributes(bare);
        let user = match attrs.first() {
            Some(("n", name)) => decode_saslname(name)?,
            _ => return Err(ScramError::Malformed("no username")),
        };
        let client_nonce = match attrs.get(1) {
            Some(("r", nonce)) if !nonce.is_empty() => *nonce,
            _ => return Err(ScramError::Malformed("no nonce")),
        };
        for (k, v) in attrs.iter().skip(2) {
            if *k == "tokenauth" && *v == "true" {
                return Err(ScramError::Unsupported("delegation tokens"));
            }
        }
        let credential = lookup(&user)
            .filter(|c| c.mechanism == self.mechanism)
            .ok_or_else(|| ScramError::UnknownUser(user.clone()))?;
        let nonce = format!("{client_nonce}{server_nonce}");
        let server_first = format!(
            "r={nonce},s={},i={}",
            B64.encode(&credential.salt),
            credential.iterations
        );
        self.stage = Stage::Final {
            user,
            credential,
            client_first_bare: bare.to_string(),
            server_first: server_first.clone(),
            client_nonce: client_nonce.to_string(),
            nonce,
        };
        Ok(server_first.into_bytes())
    }

    /// Check the client-final message; on success, the authenticated user and the
    /// server-final message (which proves the server knew the credential).
    pub fn client_final(&mut self, msg: &[u8]) -> Result<(String, Vec<u8>), ScramError> {
        let Stage::Final {
            user,
            credential,
            client_first_bare,
            server_first,
            client_nonce,
            nonce,
        } = std::mem::replace(&mut self.stage, Stage::Done)
        else {
            return Err(ScramError::OutOfOrder);
        };
        let msg = std::str::from_utf8(msg).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let (without_proof, proof) = msg
            .rsplit_once(",p=")
            .ok_or(ScramError::Malformed("no proof"))?;
        let attrs = attributes(without_proof);
        match attrs.first() {
            // "biws" is base64("n,,"); with an authzid the header differs, so compare decoded.
            Some(("c", cb)) => {
                let header = B64
                    .decode(cb)
                    .map_err(|_| ScramError::Malformed("channel binding"))?;
                if !header.starts_with(b"n,") {
                    return Err(ScramError::Unsupported("channel binding"));
                }
            }
            _ => return Err(ScramError::Malformed("no channel binding attribute")),
        }
        match attrs.get(1) {
            Some(("r", r)) if *r == nonce || is_doubled_client_nonce(r, &client_nonce, &nonce) => {}
            Some(("r", _)) => return Err(ScramError::NonceMismatch),
            _ => return Err(ScramError::Malformed("no nonce")),
        }
        let proof = B64
            .decode(proof)
            .map_err(|_| ScramError::Malformed("proof"))?;
        let m = self.mechanism;
        let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
        let signature = m.hmac(&credential.stored_key, auth_message.as_bytes());
        if proof.len() != signature.len() {
            return Err(ScramError::InvalidProof);
        }
        let client_key: Vec<u8> = proof.iter().zip(&signature).map(|(p, s)| p ^ s).collect();
        if !bool::from(m.hash(&client_key).ct_eq(&credential.stored_key)) {
            return Err(ScramError::InvalidProof);
        }
        let server_signature = m.hmac(&credential.server_key, auth_message.as_bytes());
        let server_final = format!("v={}", B64.encode(server_signature));
        Ok((user, server_final.into_bytes()))
    }
}

/// librdkafka before 2.6.1 answers with its own nonce in front of the whole agreed nonce
/// (client + server part) rather than the agreed nonce alone. Kafka 3.8.1–3.9 accept that form
/// and Debian's kcat still sends it, so it is accepted too: the proof covers the message as sent,
/// so the exchange stays bound to this server's nonce.
fn is_doubled_client_nonce(r: &str, client_nonce: &str, nonce: &str) -> bool {
    r.strip_prefix(client_nonce) == Some(nonce)
}

/// A fresh server nonce: 32 random printable characters (no commas).
pub fn server_nonce() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = rand::thread_rng();
    (0..32)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What AlterUserScramCredentials stores from a client-salted password (computed here with
    /// the pbkdf2 crate, as an admin client would) is the credential of that password.
    #[test]
    fn a_client_salted_password_makes_the_same_credential() {
        let salt = b"0123456789abcdef";
        let salted = pbkdf2::pbkdf2_hmac_array::<sha2::Sha512, 64>(b"pencil", salt, 4096);
        assert_eq!(
            Credential::from_salted(Mechanism::Sha512, &salted, salt, 4096),
            Credential::new(Mechanism::Sha512, "pencil", salt, 4096)
        );
    }

    /// RFC 7677 §3: user "user", password "pencil", SCRAM-SHA-256.
    const CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    const SERVER_NONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const SERVER_FIRST: &str =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    fn rfc_credential() -> Credential {
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        Credential::new(Mechanism::Sha256, "pencil", &salt, 4096)
    }

    #[test]
    fn the_rfc_7677_exchange_succeeds_byte_for_byte() {
        let mut s = ScramServer::new(Mechanism::Sha256);
        let first = s
            .client_first(
                CLIENT_FIRST.as_bytes(),
                |u| (u == "user").then(rfc_credential),
                SERVER_NONCE,
            )
            .unwrap();
        assert_eq!(String::from_utf8(first).unwrap(), SERVER_FIRST);
        let (user, last) = s.client_final(CLIENT_FINAL.as_bytes()).unwrap();
        assert_eq!(user, "user");
        assert_eq!(String::from_utf8(last).unwrap(), SERVER_FINAL);
    }

    /// A client-final message for SCRAM-SHA-256 with password "pencil", computed straight from
    /// RFC 5802 §3 with the hash crates (not the server's helpers), echoing `r`.
    fn client_final_echoing(r: &str) -> String {
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let salted = pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(b"pencil", &salt, 4096);
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&salted).unwrap();
        m.update(b"Client Key");
        let client_key = m.finalize().into_bytes();
        let stored_key = Sha256::digest(client_key);
        let without_proof = format!("c=biws,r={r}");
        let auth = format!("{},{SERVER_FIRST},{without_proof}", &CLIENT_FIRST[3..]);
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&stored_key).unwrap();
        m.update(auth.as_bytes());
        let signature = m.finalize().into_bytes();
        let proof: Vec<u8> = client_key
            .iter()
            .zip(signature)
            .map(|(k, s)| k ^ s)
            .collect();
        format!("{without_proof},p={}", B64.encode(proof))
    }

    #[test]
    fn librdkafkas_doubled_client_nonce_is_accepted_and_nothing_else() {
        let agreed = &SERVER_FIRST[2..SERVER_FIRST.find(",s=").unwrap()];
        // The independent client agrees with the RFC's own vector.
        assert_eq!(client_final_echoing(agreed), CLIENT_FINAL);
        for (r, ok) in [
            (format!("rOprNGfwEbeRWgbNEkqO{agreed}"), true),
            (format!("x{agreed}"), false),
            (format!("{agreed}x"), false),
            ("rOprNGfwEbeRWgbNEkqO".to_string(), false),
            (SERVER_NONCE.to_string(), false),
        ] {
            let mut s = ScramServer::new(Mechanism::Sha256);
            s.client_first(
                CLIENT_FIRST.as_bytes(),
                |_| Some(rfc_credential()),
                SERVER_NONCE,
            )
            .unwrap();
            let got = s.client_final(client_final_echoing(&r).as_bytes());
            match ok {
                true => assert_eq!(got.unwrap().0, "user", "{r}"),
                false => assert_eq!(got, Err(ScramError::NonceMismatch), "{r}"),
            }
        }
    }

    #[test]
    fn a_wrong_password_or_nonce_or_mechanism_fails() {
        let wrong = || {
            let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
            Credential::new(Mechanism::Sha256, "pencil2", &salt, 4096)
        };
        let mut s = ScramServer::new(Mechanism::Sha256);
        s.client_first(CLIENT_FIRST.as_bytes(), |_| Some(wrong()), SERVER_NONCE)
            .unwrap();
        assert_eq!(
            s.client_final(CLIENT_FINAL.as_bytes()),
            Err(ScramError::InvalidProof)
        );

        let mut s = ScramServer::new(Mechanism::Sha256);
        s.client_first(CLIENT_FIRST.as_bytes(), |_| Some(rfc_credential()), "other")
            .unwrap();
        assert_eq!(
            s.client_final(CLIENT_FINAL.as_bytes()),
            Err(ScramError::NonceMismatch)
        );

        let mut s = ScramServer::new(Mechanism::Sha512);
        assert!(matches!(
            s.client_first(CLIENT_FIRST.as_bytes(), |_| Some(rfc_credential()), "x"),
            Err(ScramError::UnknownUser(_))
        ));
        let mut s = ScramServer::new(Mechanism::Sha256);
        assert_eq!(
            s.client_final(CLIENT_FINAL.as_bytes()),
            Err(ScramError::OutOfOrder)
        );
    }

    #[test]
    fn channel_binding_tokens_and_garbage_are_refused() {
        for (msg, want) in [
            (
                "p=tls-unique,,n=user,r=abc",
                ScramError::Unsupported("channel binding"),
            ),
            (
                "n,,n=user,r=abc,tokenauth=true",
                ScramError::Unsupported("delegation tokens"),
            ),
            ("n,,r=abc", ScramError::Malformed("no username")),
            (
                "n,,n=us=xxer,r=abc",
                ScramError::Malformed("bad escape in username"),
            ),
            ("hello", ScramError::Malformed("GS2 header")),
        ] {
            let mut s = ScramServer::new(Mechanism::Sha256);
            assert_eq!(
                s.client_first(msg.as_bytes(), |_| Some(rfc_credential()), "n"),
                Err(want),
                "{msg}"
            );
        }
        assert_eq!(decode_saslname("a=2Cb=3Dc").unwrap(), "a,b=c");
    }
}
