//! Byte regions: `bytes` fields and record data. Both are `i32`-prefixed in classic versions and
//! compact in flexible ones, and both decode as zero-copy views of the request buffer.

use bytes::Bytes;

use crate::codec::{Cx, Nullable};
use crate::error::{WireError, WireResult};
use crate::value::Value;
use crate::writer::Writer;

const MAX_BYTES: usize = i32::MAX as usize;

fn decode_region<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Option<Bytes>> {
    let (i, len) = super::read_len(i, cx.flexible, true)?;
    match len {
        None => Ok((i, None)),
        Some(n) => {
            let (i, b) = super::take(i, n)?;
            Ok((i, Some(cx.bytes_of(b))))
        }
    }
}

fn encode_region(v: Option<&Bytes>, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError> {
    super::write_len(w, v.map(Bytes::len), cx.flexible, true, MAX_BYTES)?;
    if let Some(b) = v {
        w.put_bytes(b);
    }
    Ok(())
}

fn region_size(v: Option<&Bytes>, cx: &Cx<'_>) -> usize {
    let len = v.map(Bytes::len);
    super::len_size(len, cx.flexible, true) + len.unwrap_or(0)
}

macro_rules! region {
    ($t:ty, $wrap:expr, $unwrap:expr, $value:expr) => {
        impl Nullable for $t {
            fn decode_opt<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Option<Self>> {
                let (i, b) = decode_region(i, cx)?;
                Ok((i, b.map($wrap)))
            }
            fn encode_opt(v: Option<&Self>, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError> {
                encode_region(v.map($unwrap), w, cx)
            }
            fn size_opt(v: Option<&Self>, cx: &Cx<'_>) -> usize {
                region_size(v.map($unwrap), cx)
            }
        }

        wire_via_nullable!([] $t, classic_min = 4, |v, _cx| {
            #[allow(clippy::redundant_closure_call)]
            ($value)(v)
        });
    };
}

/// Record data as received: one or more record batches (or a legacy message set), kept as a
/// view of the request buffer. Decoding the records inside is a separate, explicit step
/// ([`crate::records`]).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Records(pub Bytes);

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Records({} bytes)", self.0.len())
    }
}

region!(Bytes, |b| b, |b: &Bytes| b, |b: &Bytes| Value::Bytes(
    b.clone()
));
region!(Records, Records, |r: &Records| &r.0, |r: &Records| {
    Value::Records(r.0.clone())
});
