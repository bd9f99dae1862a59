//! One connection's authentication state: which mechanism the client chose (SaslHandshake),
//! the exchange in progress (SaslAuthenticate, or raw tokens after a v0 handshake) and, once
//! it succeeded, the principal. Sans-IO: the connection loop and the two handlers drive it.
//!
//! With a session lifetime configured (KIP-368, Kafka's `connections.max.reauth.ms`), a login
//! holds for that long: SaslAuthenticate tells the client, which re-authenticates on the same
//! connection (as the same principal) before it runs out; past it, requests are refused.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::plain;
use super::scram::{self, Mechanism, ScramServer};

/// A SASL mechanism the gateway offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslMechanism {
    /// PLAIN (RFC 4616).
    Plain,
    /// SCRAM-SHA-256 or SCRAM-SHA-512.
    Scram(Mechanism),
}

impl SaslMechanism {
    /// The mechanism called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "PLAIN" => Some(SaslMechanism::Plain),
            other => Mechanism::from_name(other).map(SaslMechanism::Scram),
        }
    }

    /// Its SASL name.
    pub fn name(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::Scram(m) => m.name(),
        }
    }
}

/// What the listener requires: the mechanisms offered and the users they check against.
#[derive(Debug, Clone)]
pub struct Authenticator {
    /// Offered mechanisms, in the order SaslHandshake lists them.
    pub mechanisms: Vec<SaslMechanism>,
    /// Known users.
    pub users: Arc<super::users::UserStore>,
    /// How long a login holds before the client must re-authenticate (`None`: forever).
    pub session_lifetime: Option<Duration>,
}

/// The outcome of one authentication message.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Send these bytes; the exchange goes on.
    Continue(Vec<u8>),
    /// Authenticated as the user; send these bytes (possibly empty).
    Done(String, Vec<u8>),
    /// Failed: answer SASL_AUTHENTICATION_FAILED with this message and close the connection.
    Failed(String),
}

#[derive(Debug)]
enum State {
    /// Nothing yet.
    Start,
    /// A mechanism was chosen; `raw`: a v0 handshake, so tokens come unframed.
    Chosen { mechanism: SaslMechanism, raw: bool },
    /// A SCRAM exchange waits for its final message.
    Scram { server: Box<ScramServer>, raw: bool },
    /// Authenticated (or failed): no more SASL on this connection.
    Over,
}

/// A connection's authentication state.
#[derive(Debug)]
pub struct Session {
    required: bool,
    principal: Option<String>,
    /// `User:` and [`Session::principal`], kept so requests do not build it each time.
    kafka_principal: String,
    certificate_subject: Option<String>,
    state: State,
    failed: bool,
    expires: Option<Instant>,
    lifetime: Option<Duration>,
}

/// Why a handshake was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeError {
    /// The mechanism is not offered.
    Unsupported,
    /// A handshake at this point of the connection (again, or after authenticating).
    IllegalState,
}

impl Session {
    /// A new connection's state; `required`: the listener authenticates clients.
    pub fn new(required: bool) -> Self {
        Session {
            required,
            principal: None,
            kafka_principal: "User:ANONYMOUS".into(),
            certificate_subject: None,
            state: State::Start,
            failed: false,
            expires: None,
            lifetime: None,
        }
    }

    /// Whether requests other than ApiVersions and SASL may be served.
    pub fn may_serve(&self) -> bool {
        self.may_serve_at(Instant::now())
    }

    /// [`Session::may_serve`] at `now`: authenticated, and the session has not expired.
    pub fn may_serve_at(&self, now: Instant) -> bool {
        !self.required || (self.principal.is_some() && self.expires.is_none_or(|e| now < e))
    }

    /// What SaslAuthenticate reports as `session_lifetime_ms` after a login (0: no limit).
    pub fn session_lifetime_ms(&self) -> i64 {
        self.lifetime
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    /// The same state for a client that presented a certificate (mutual TLS): its subject is
    /// the principal unless the client also authenticates with SASL.
    pub fn with_certificate_subject(mut self, subject: Option<String>) -> Self {
        self.certificate_subject = subject;
        self.kafka_principal = format!("User:{}", self.principal());
        self
    }

    /// The principal as ACLs name it: `User:` and [`Session::principal`].
    pub fn kafka_principal(&self) -> &str {
        &self.kafka_principal
    }

    /// Who the client is: the SASL user, else the certificate subject, else `ANONYMOUS`.
    pub fn principal(&self) -> &str {
        self.principal
            .as_deref()
            .or(self.certificate_subject.as_deref())
            .unwrap_or("ANONYMOUS")
    }

    /// The connection's authentication state as metrics label it.
    pub fn auth_state(&self) -> &'static str {
        match (self.required, &self.principal) {
            (false, _) => "not_required",
            (true, Some(_)) => "authenticated",
            (true, None) => "unauthenticated",
        }
    }

    /// Whether authentication failed, so the connection is to be closed once answered.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Whether the next frame is a raw SASL token (after a SaslHandshake v0).
    pub fn expects_raw_token(&self) -> bool {
        matches!(
            self.state,
            State::Chosen { raw: true, .. } | State::Scram { raw: true, .. }
        )
    }

    /// SaslHandshake: choose `mechanism` (v0: tokens then come unframed).
    pub fn handshake(
        &mut self,
        auth: Option<&Authenticator>,
        mechanism: &str,
        version: i16,
    ) -> Result<(), HandshakeError> {
        // As Kafka: a listener without SASL finds any handshake out of place.
        let auth = auth.ok_or(HandshakeError::IllegalState)?;
        let first = matches!(self.state, State::Start) && self.principal.is_none();
        // KIP-368: a logged-in client re-authenticates with a v1 handshake when sessions expire.
        let again = matches!(self.state, State::Over)
            && self.principal.is_some()
            && auth.session_lifetime.is_some()
            && version >= 1
            && !self.failed;
        if !(first || again) {
            return Err(HandshakeError::IllegalState);
        }
        let offered = auth
            .mechanisms
            .iter()
            .copied()
            .find(|m| m.name() == mechanism)
            .ok_or(HandshakeError::Unsupported)?;
        self.state = State::Chosen {
            mechanism: offered,
            raw: version == 0,
        };
        Ok(())
    }

    /// One authentication message (a SaslAuthenticate payload or a raw token).
    pub fn authenticate(&mut self, auth: Option<&Authenticator>, bytes: &[u8]) -> Step {
        self.authenticate_at(auth, bytes, Instant::now())
    }

    /// [`Session::authenticate`] at `now` (the session's lifetime starts then).
    pub fn authenticate_at(
        &mut self,
        auth: Option<&Authenticator>,
        bytes: &[u8],
        now: Instant,
    ) -> Step {
        let step = self.step(auth, bytes, now);
        self.failed = matches!(step, Step::Failed(_));
        step
    }

    fn step(&mut self, auth: Option<&Authenticator>, bytes: &[u8], now: Instant) -> Step {
        let Some(auth) = auth else {
            self.state = State::Over;
            return Step::Failed("this listener does not authenticate".into());
        };
        match std::mem::replace(&mut self.state, State::Over) {
            State::Chosen {
                mechanism: SaslMechanism::Plain,
                ..
            } => match plain::authenticate(bytes, &auth.users.get()) {
                Ok(user) => self.done(auth, user, Vec::new(), now),
                Err(e) => fail(e.to_string()),
            },
            State::Chosen {
                mechanism: SaslMechanism::Scram(m),
                raw,
            } => {
                let mut server = ScramServer::new(m);
                let users = auth.users.get();
                let lookup = |u: &str| users.credential(u, m);
                match server.client_first(bytes, lookup, &scram::server_nonce()) {
                    Ok(first) => {
                        self.state = State::Scram {
                            server: Box::new(server),
                            raw,
                        };
                        Step::Continue(first)
                    }
                    Err(e) => fail(e.to_string()),
                }
            }
            State::Scram { mut server, .. } => match server.client_final(bytes) {
                Ok((user, last)) => self.done(auth, user, last, now),
                Err(e) => fail(e.to_string()),
            },
            State::Start | State::Over => fail("SaslAuthenticate before SaslHandshake".into()),
        }
    }

    fn done(&mut self, auth: &Authenticator, user: String, last: Vec<u8>, now: Instant) -> Step {
        if self.principal.as_ref().is_some_and(|p| *p != user) {
            return fail(format!(
                "re-authenticated as {user}, not as the connection's principal"
            ));
        }
        self.principal = Some(user.clone());
        self.kafka_principal = format!("User:{user}");
        self.lifetime = auth.session_lifetime;
        self.expires = auth.session_lifetime.map(|d| now + d);
        Step::Done(user, last)
    }
}

fn fail(reason: String) -> Step {
    Step::Failed(format!("Authentication failed: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::scram::Credential;
    use crate::auth::users::Users;

    fn store(users: Users) -> Arc<crate::auth::users::UserStore> {
        let s = crate::auth::users::UserStore::open(None).unwrap();
        s.update(|u| *u = users).unwrap();
        Arc::new(s)
    }

    fn auth() -> Authenticator {
        let mut users = Users::default();
        users.set("alice", Credential::generate(Mechanism::Sha512, "pw", 4096));
        Authenticator {
            mechanisms: vec![
                SaslMechanism::Plain,
                SaslMechanism::Scram(Mechanism::Sha512),
            ],
            users: store(users),
            session_lifetime: None,
        }
    }

    #[test]
    fn plain_authenticates_once_and_only_after_a_handshake() {
        let a = auth();
        let mut s = Session::new(true);
        assert!(!s.may_serve());
        assert!(matches!(
            s.authenticate(Some(&a), b"\0alice\0pw"),
            Step::Failed(_)
        ));
        let mut s = Session::new(true);
        assert_eq!(
            s.handshake(Some(&a), "SCRAM-SHA-256", 1),
            Err(HandshakeError::Unsupported)
        );
        s.handshake(Some(&a), "PLAIN", 1).unwrap();
        assert!(!s.expects_raw_token());
        assert_eq!(
            s.authenticate(Some(&a), b"\0alice\0pw"),
            Step::Done("alice".into(), Vec::new())
        );
        assert!(s.may_serve());
        assert_eq!(s.principal(), "alice");
        assert_eq!(s.kafka_principal(), "User:alice");
        assert_eq!(
            s.handshake(Some(&a), "PLAIN", 1),
            Err(HandshakeError::IllegalState)
        );
    }

    #[test]
    fn a_v0_handshake_switches_to_raw_tokens_and_a_wrong_password_fails() {
        let a = auth();
        let mut s = Session::new(true);
        s.handshake(Some(&a), "SCRAM-SHA-512", 0).unwrap();
        assert!(s.expects_raw_token());
        let Step::Continue(first) = s.authenticate(Some(&a), b"n,,n=alice,r=abc") else {
            panic!("no server-first message")
        };
        assert!(first.starts_with(b"r=abc"));
        assert!(s.expects_raw_token());
        let bad = s.authenticate(Some(&a), b"c=biws,r=x,p=AAAA");
        assert!(matches!(bad, Step::Failed(_)), "{bad:?}");
        assert!(s.failed());
        assert!(!s.may_serve());
        assert!(!s.expects_raw_token());
    }

    #[test]
    fn sessions_expire_and_are_renewed_by_re_authenticating_as_the_same_user() {
        let mut a = auth();
        a.users = store({
            let mut u = Users::default();
            u.set("alice", Credential::generate(Mechanism::Sha512, "pw", 4096));
            u.set("bob", Credential::generate(Mechanism::Sha512, "pw", 4096));
            u
        });
        a.session_lifetime = Some(Duration::from_secs(60));
        let mut s = Session::new(true);
        s.handshake(Some(&a), "PLAIN", 1).unwrap();
        let login = Instant::now();
        let at = |secs| login + Duration::from_secs(secs);
        assert!(matches!(
            s.authenticate_at(Some(&a), b"\0alice\0pw", login),
            Step::Done(..)
        ));
        assert_eq!(s.session_lifetime_ms(), 60_000);
        assert!(s.may_serve_at(at(59)));
        assert!(!s.may_serve_at(at(61)));
        // A v0 handshake cannot re-authenticate; a v1 one can.
        assert_eq!(
            s.handshake(Some(&a), "PLAIN", 0),
            Err(HandshakeError::IllegalState)
        );
        s.handshake(Some(&a), "PLAIN", 1).unwrap();
        assert!(
            s.may_serve_at(at(55)),
            "the old login holds while re-authenticating"
        );
        assert!(matches!(
            s.authenticate_at(Some(&a), b"\0alice\0pw", at(55)),
            Step::Done(..)
        ));
        assert!(s.may_serve_at(at(61)), "renewed");
        assert!(!s.may_serve_at(at(116)), "for one lifetime");
        // Another user cannot take the connection over.
        s.handshake(Some(&a), "PLAIN", 1).unwrap();
        assert!(matches!(
            s.authenticate(Some(&a), b"\0bob\0pw"),
            Step::Failed(_)
        ));
        assert!(s.failed());
        assert_eq!(s.principal(), "alice");
        // Without a lifetime there is no re-authentication.
        let a = auth();
        let mut s = Session::new(true);
        s.handshake(Some(&a), "PLAIN", 1).unwrap();
        assert!(matches!(
            s.authenticate(Some(&a), b"\0alice\0pw"),
            Step::Done(..)
        ));
        assert_eq!(s.session_lifetime_ms(), 0);
        assert!(s.may_serve_at(Instant::now() + Duration::from_secs(86_400 * 365)));
        assert_eq!(
            s.handshake(Some(&a), "PLAIN", 1),
            Err(HandshakeError::IllegalState)
        );
    }

    #[test]
    fn without_authentication_everything_is_served_as_anonymous() {
        let s = Session::new(false);
        assert!(s.may_serve());
        assert_eq!(s.principal(), "ANONYMOUS");
        assert_eq!(s.kafka_principal(), "User:ANONYMOUS");
        let s = Session::new(false).with_certificate_subject(Some("CN=svc,O=Example".into()));
        assert_eq!(s.kafka_principal(), "User:CN=svc,O=Example");
        let mut s = Session::new(false);
        assert_eq!(
            s.handshake(None, "PLAIN", 1),
            Err(HandshakeError::IllegalState)
        );
    }
}
