//! `kafka-wire`: a sans-IO codec for the Kafka wire protocol.
//!
//! Decoding is built on `nom` over byte slices, encoding on `bytes`; nothing here touches a
//! socket or a clock. The layers, from the bottom:
//! - [`primitives`]: numbers, varints, strings, bytes, arrays, UUIDs, tagged fields;
//! - [`header`]: request and response headers, chosen by each API's flexible-version boundary;
//! - [`messages`]: one module per API, generated from Apache Kafka's JSON definitions by
//!   `cargo xtask codegen` (one struct per message holding every field of every version);
//! - [`records`]: record batches (v2), legacy message sets, CRCs and compression;
//! - [`api`]: the one table of API versions the project serves;
//! - [`error`] / [`error_code`]: our decode errors, and Kafka's error codes.
//!
//! Hostile input never panics and never allocates from an unchecked count: every collection
//! count is checked against the bytes left before anything is reserved.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod api;
pub mod codec;
pub mod error;
pub mod error_code;
pub mod frame;
pub mod golden;
pub mod header;
pub mod messages;
pub mod primitives;
pub mod records;
pub mod sample;
pub mod value;
pub mod writer;

pub use codec::{Cx, FitVersion, Message, Nullable, Wire};
pub use error::{WireError, WireResult};
pub use error_code::ErrorCode;
pub use messages::{ApiKey, RequestBody, ResponseBody};
pub use value::Value;
pub use writer::Writer;
