//! Authentication: SASL PLAIN and SCRAM-SHA-256/512 against the users file.
//!
//! The exchanges are sans-IO: the connection loop feeds them SaslAuthenticate payloads and
//! sends back what they answer.

pub mod plain;
pub mod scram;
pub mod session;
pub mod users;
