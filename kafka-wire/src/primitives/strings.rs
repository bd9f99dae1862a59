//! Strings: `i16`-prefixed in classic versions, unsigned-varint-prefixed (compact) in flexible
//! ones; null is -1 (classic) or 0 (compact).

use crate::codec::{Cx, Nullable};
use crate::error::{fail, WireError, WireResult};
use crate::value::Value;
use crate::writer::Writer;

const MAX_STRING: usize = i16::MAX as usize;

fn utf8(b: &[u8]) -> Result<String, nom::Err<WireError>> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => fail(WireError::InvalidUtf8 { field: "" }),
    }
}

impl Nullable for String {
    fn decode_opt<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Option<Self>> {
        let (i, len) = super::read_len(i, cx.flexible, false)?;
        match len {
            None => Ok((i, None)),
            Some(n) => {
                let (i, b) = super::take(i, n)?;
                Ok((i, Some(utf8(b)?)))
            }
        }
    }
    fn encode_opt(v: Option<&Self>, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError> {
        super::write_len(w, v.map(String::len), cx.flexible, false, MAX_STRING)?;
        if let Some(s) = v {
            w.put_slice(s.as_bytes());
        }
        Ok(())
    }
    fn size_opt(v: Option<&Self>, cx: &Cx<'_>) -> usize {
        let len = v.map(String::len);
        super::len_size(len, cx.flexible, false) + len.unwrap_or(0)
    }
}

wire_via_nullable!([] String, classic_min = 2, |s, _cx| Value::Str(s.clone()));
