//! `kafka-gateway`: a Kafka-protocol server over pluggable storage.
//!
//! - [`server`] binds and serves, [`connection`] frames one client's requests, [`dispatch`]
//!   applies the version firewall and routes each API to its module in [`handlers`];
//! - [`storage`] is the seam: a trait in domain terms and the embedded memory and file stores.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod acl;
pub mod auth;
pub mod client_quotas;
pub mod config;
pub mod connection;
pub mod coordinator;
pub mod dispatch;
pub mod dynamic;
pub mod groups;
pub mod handlers;
pub mod metrics;
pub mod persist;
pub mod quota;
pub mod server;
pub mod storage;
pub mod tls;
