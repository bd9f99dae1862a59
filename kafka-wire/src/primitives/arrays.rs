//! Arrays: `i32` count in classic versions, unsigned varint count plus one in flexible ones.
//! The count is checked against the bytes left before anything is allocated.

use crate::codec::{Cx, Nullable, Wire};
use crate::error::{fail, WireError, WireResult};
use crate::value::Value;
use crate::writer::Writer;

/// Upper bound on capacity reserved up front; beyond it the vector grows as elements decode.
const MAX_PREALLOC: usize = 1024;

impl<T: Wire> Nullable for Vec<T> {
    fn decode_opt<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Option<Self>> {
        let (mut i, count) = super::read_len(i, cx.flexible, true)?;
        let Some(count) = count else {
            return Ok((i, None));
        };
        let min = T::min_size(cx).max(1) as u64;
        let needed = (count as u64).saturating_mul(min);
        if needed > i.len() as u64 {
            return fail(WireError::CountTooLarge {
                field: "",
                count: count as u64,
                needed,
                remaining: i.len(),
            });
        }
        let mut out = Vec::with_capacity(count.min(MAX_PREALLOC));
        for _ in 0..count {
            let (rest, v) = T::decode(i, cx)?;
            out.push(v);
            i = rest;
        }
        Ok((i, Some(out)))
    }
    fn encode_opt(v: Option<&Self>, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError> {
        super::write_len(w, v.map(Vec::len), cx.flexible, true, i32::MAX as usize)?;
        for e in v.into_iter().flatten() {
            e.encode(w, cx)?;
        }
        Ok(())
    }
    fn size_opt(v: Option<&Self>, cx: &Cx<'_>) -> usize {
        let items: usize = v.into_iter().flatten().map(|e| e.size(cx)).sum();
        super::len_size(v.map(Vec::len), cx.flexible, true) + items
    }
}

wire_via_nullable!([T: Wire] Vec<T>, classic_min = 4, |v, cx| Value::Array(v.iter().map(|e| e.to_value(cx)).collect()));
