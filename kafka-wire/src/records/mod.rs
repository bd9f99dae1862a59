//! Record data: v2 record batches, the records inside them, compression, and legacy message
//! sets. The produce path never calls into this beyond [`batches`] and [`Batch::verify_crc`]:
//! batches are validated and kept as received; decoding records is an explicit, separate call.

mod batch;
mod compression;
mod legacy;
mod record;

pub use batch::{
    batches, build_batch, set_base_offset, with_log_append_time, Attributes, Batch, BatchHeader,
    BatchSpec, HEADER_SIZE, LOG_OVERHEAD,
};
pub use compression::Compression;
pub use legacy::{decode_message_set, up_convert, LegacyMessage};
pub use record::{control_type, ControlType, Record, RecordHeader};

use bytes::Bytes;

/// Default cap on decompressed batch size: Kafka's default `message.max.bytes` is ~1 MiB, and
/// batches compress well, so allow generous headroom without risking memory exhaustion.
pub const DEFAULT_MAX_DECOMPRESSED: usize = 64 * 1024 * 1024;

/// The record format of record data, read from the magic byte every format keeps at offset 16.
pub fn magic(data: &[u8]) -> Option<i8> {
    data.get(16).map(|b| *b as i8)
}

/// A small valid batch (two records with a key, value and header) for samples and fixtures.
pub fn sample_batch(seed: i64) -> Bytes {
    let records: Vec<Record> = (0..2)
        .map(|n| Record {
            attributes: 0,
            timestamp_delta: n,
            offset_delta: n as i32,
            key: Some(Bytes::from(format!("key-{seed}-{n}"))),
            value: Some(Bytes::from(format!("value-{seed}-{n}"))),
            headers: vec![RecordHeader {
                key: "h".into(),
                value: Some(Bytes::from_static(b"v")),
            }],
        })
        .collect();
    let spec = BatchSpec {
        base_timestamp: 1_700_000_000_000 + seed,
        ..BatchSpec::default()
    };
    build_batch(&spec, &records).unwrap_or_default()
}
