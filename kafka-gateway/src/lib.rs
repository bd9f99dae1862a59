//! `kafka-gateway`: a Kafka-protocol server over pluggable storage.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod storage;
