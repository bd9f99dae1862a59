//! The users file (`--users FILE`, TOML): per user, one salted credential per SCRAM mechanism —
//! never a password. `kafka-cli user add` writes it.
//!
//! ```toml
//! [users.alice.SCRAM-SHA-512]
//! salt = "base64"
//! iterations = 4096
//! stored_key = "base64"
//! server_key = "base64"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::scram::{Credential, Mechanism, MIN_ITERATIONS};

/// Why a users file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    /// It could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// It is not a valid users file.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    users: BTreeMap<String, BTreeMap<String, Stored>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    salt: String,
    iterations: u32,
    stored_key: String,
    server_key: String,
}

/// Every user's credentials, by name and mechanism.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users {
    by_name: BTreeMap<String, Vec<Credential>>,
}

impl Users {
    /// Read `path` (a missing file is an empty one, so `user add` can create it).
    pub fn load(path: &Path) -> Result<Self, UsersError> {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(UsersError::Io {
                    path: shown,
                    source,
                })
            }
        };
        let invalid = |reason: String| UsersError::Invalid {
            path: shown.clone(),
            reason,
        };
        let file: File = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let mut by_name = BTreeMap::new();
        for (name, mechs) in file.users {
            let mut creds = Vec::new();
            for (mech, s) in mechs {
                let mechanism = Mechanism::from_name(&mech)
                    .ok_or_else(|| invalid(format!("{name}: unknown mechanism {mech}")))?;
                let bytes = |field: &str, v: &str| {
                    B64.decode(v)
                        .map_err(|e| invalid(format!("{name}.{mech}.{field}: {e}")))
                };
                if s.iterations < MIN_ITERATIONS {
                    return Err(invalid(format!(
                        "{name}.{mech}: {} iterations, at least {MIN_ITERATIONS} required",
                        s.iterations
                    )));
                }
                creds.push(Credential {
                    mechanism,
                    salt: bytes("salt", &s.salt)?,
                    iterations: s.iterations,
                    stored_key: bytes("stored_key", &s.stored_key)?,
                    server_key: bytes("server_key", &s.server_key)?,
                });
            }
            by_name.insert(name, creds);
        }
        Ok(Users { by_name })
    }

    /// Write every user to `path` (replacing it atomically).
    pub fn save(&self, path: &Path) -> Result<(), UsersError> {
        let shown = path.display().to_string();
        let mut file = File::default();
        for (name, creds) in &self.by_name {
            let entry = file.users.entry(name.clone()).or_default();
            for c in creds {
                entry.insert(
                    c.mechanism.name().to_string(),
                    Stored {
                        salt: B64.encode(&c.salt),
                        iterations: c.iterations,
                        stored_key: B64.encode(&c.stored_key),
                        server_key: B64.encode(&c.server_key),
                    },
                );
            }
        }
        let text = toml::to_string(&file).map_err(|e| UsersError::Invalid {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        crate::persist::write_atomic(path, &text).map_err(|source| UsersError::Io {
            path: shown.clone(),
            source,
        })
    }

    /// Add or replace `name`'s credential for its mechanism.
    pub fn set(&mut self, name: &str, credential: Credential) {
        let creds = self.by_name.entry(name.to_string()).or_default();
        creds.retain(|c| c.mechanism != credential.mechanism);
        creds.push(credential);
    }

    /// Remove `name`'s credential for `mechanism`; whether there was one.
    pub fn remove(&mut self, name: &str, mechanism: Mechanism) -> bool {
        let Some(creds) = self.by_name.get_mut(name) else {
            return false;
        };
        let before = creds.len();
        creds.retain(|c| c.mechanism != mechanism);
        let removed = creds.len() != before;
        if creds.is_empty() {
            self.by_name.remove(name);
        }
        removed
    }

    /// Every credential of `name`.
    pub fn credentials(&self, name: &str) -> &[Credential] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// `name`'s credential for `mechanism`.
    pub fn credential(&self, name: &str, mechanism: Mechanism) -> Option<Credential> {
        self.by_name
            .get(name)?
            .iter()
            .find(|c| c.mechanism == mechanism)
            .cloned()
    }

    /// Whether `password` is `name`'s (for PLAIN), checked against any of its credentials.
    pub fn check_password(&self, name: &str, password: &str) -> bool {
        let Some(c) = self.by_name.get(name).and_then(|c| c.first()) else {
            return false;
        };
        let derived = Credential::new(c.mechanism, password, &c.salt, c.iterations);
        bool::from(derived.stored_key.ct_eq(&c.stored_key))
    }

    /// User names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }
}

/// The users file as the running gateway sees it: read by SASL logins, changed by
/// AlterUserScramCredentials (written to the file first), re-read on SIGHUP after `kafka-cli
/// user add` edits it.
#[derive(Debug)]
pub struct UserStore {
    current: RwLock<Arc<Users>>,
    path: Option<PathBuf>,
}

impl UserStore {
    /// The users in `path` (`None`: kept in memory only).
    pub fn open(path: Option<PathBuf>) -> Result<Self, UsersError> {
        let users = match &path {
            Some(p) => Users::load(p)?,
            None => Users::default(),
        };
        Ok(Self {
            current: RwLock::new(Arc::new(users)),
            path,
        })
    }

    /// The users now.
    pub fn get(&self) -> Arc<Users> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Apply `change` to the users, save them, then make them current (logins see them at
    /// once); nothing changes when saving fails.
    pub fn update<T>(&self, change: impl FnOnce(&mut Users) -> T) -> Result<T, UsersError> {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        let mut next = (**current).clone();
        let out = change(&mut next);
        if let Some(p) = &self.path {
            next.save(p)?;
        }
        *current = Arc::new(next);
        Ok(out)
    }

    /// Re-read the file; returns whether there is one.
    pub fn reload(&self) -> Result<bool, UsersError> {
        let Some(p) = &self.path else {
            return Ok(false);
        };
        let fresh = Users::load(p)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::plain;

    #[test]
    fn credentials_survive_the_file_and_check_passwords_without_storing_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.toml");
        let mut users = Users::load(&path).unwrap();
        users.set(
            "alice",
            Credential::generate(Mechanism::Sha512, "s3cret", 4096),
        );
        users.set(
            "bob",
            Credential::generate(Mechanism::Sha256, "hunter2", 8192),
        );
        users.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("s3cret") && !text.contains("hunter2"),
            "{text}"
        );
        let back = Users::load(&path).unwrap();
        assert_eq!(back, users);
        assert!(back.check_password("alice", "s3cret"));
        assert!(!back.check_password("alice", "s3cret "));
        assert!(!back.check_password("carol", "s3cret"));
        assert!(back.credential("bob", Mechanism::Sha256).is_some());
        assert!(back.credential("bob", Mechanism::Sha512).is_none());

        assert_eq!(
            plain::authenticate(b"\0alice\0s3cret", &back),
            Ok("alice".into())
        );
        assert_eq!(
            plain::authenticate(b"alice\0alice\0s3cret", &back),
            Ok("alice".into())
        );
        assert_eq!(
            plain::authenticate(b"bob\0alice\0s3cret", &back),
            Err(plain::PlainError::Impersonation("bob".into()))
        );
        assert_eq!(
            plain::authenticate(b"\0alice\0wrong", &back),
            Err(plain::PlainError::Invalid("alice".into()))
        );
        assert_eq!(
            plain::authenticate(b"alice:s3cret", &back),
            Err(plain::PlainError::Malformed)
        );
    }

    #[test]
    fn weak_or_broken_files_are_refused_with_the_place_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.toml");
        std::fs::write(
            &path,
            "[users.x.SCRAM-SHA-256]\nsalt = \"AA==\"\niterations = 10\nstored_key = \"AA==\"\nserver_key = \"AA==\"\n",
        )
        .unwrap();
        let err = Users::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("x.SCRAM-SHA-256") && err.contains("4096"),
            "{err}"
        );
        std::fs::write(&path, "[users.x.MD5]\n").unwrap();
        assert!(Users::load(&path).is_err());
    }
}
