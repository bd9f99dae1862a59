//! SASL PLAIN (RFC 4616): `[authzid] NUL authcid NUL password`, checked against the user's
//! salted SCRAM credential, so no password is ever stored.

use super::users::Users;

/// Why a PLAIN message was refused; the client is told only that authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlainError {
    /// Not `[authzid] NUL authcid NUL password`.
    #[error("malformed PLAIN message")]
    Malformed,
    /// Authorisation as another identity was asked for.
    #[error("authorization identity {0:?} differs from the user")]
    Impersonation(String),
    /// Unknown user or wrong password.
    #[error("invalid credentials for {0:?}")]
    Invalid(String),
}

/// Check a PLAIN message; the authenticated user on success.
pub fn authenticate(msg: &[u8], users: &Users) -> Result<String, PlainError> {
    let mut parts = msg.split(|b| *b == 0);
    let (Some(authzid), Some(user), Some(password), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(PlainError::Malformed);
    };
    let text = |b: &[u8]| std::str::from_utf8(b).map(str::to_string);
    let (authzid, user, password) = match (text(authzid), text(user), text(password)) {
        (Ok(a), Ok(u), Ok(p)) if !u.is_empty() => (a, u, p),
        _ => return Err(PlainError::Malformed),
    };
    if !authzid.is_empty() && authzid != user {
        return Err(PlainError::Impersonation(authzid));
    }
    if users.check_password(&user, &password) {
        Ok(user)
    } else {
        Err(PlainError::Invalid(user))
    }
}
