//! Strings: `i16`-prefixed in classic versions, unsigned-varint-prefixed (compact) in flexible
//! ones; null is -1 (classic) or 0 (compact).

use crate::codec::{Cx, Nullable, Wire};
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

impl Wire for String {
    fn min_size(cx: &Cx<'_>) -> usize {
        if cx.flexible {
            1
        } else {
            2
        }
    }
    fn decode<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Self> {
        match Self::decode_opt(i, cx)? {
            (i, Some(s)) => Ok((i, s)),
            (_, None) => fail(WireError::NullNotAllowed {
                field: "",
                version: cx.version,
            }),
        }
    }
    fn encode(&self, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError> {
        Self::encode_opt(Some(self), w, cx)
    }
    fn size(&self, cx: &Cx<'_>) -> usize {
        Self::size_opt(Some(self), cx)
    }
    fn to_value(&self, _: &Cx<'_>) -> Value {
        Value::Str(self.clone())
    }
}
