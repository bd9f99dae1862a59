//! Variable-length integers: unsigned varints (lengths, tags) and zigzag varint/varlong
//! (record fields).

use bytes::BufMut;

use crate::error::{fail, WireError, WireResult};

fn decode_raw(i: &[u8], max_bytes: usize) -> WireResult<'_, u64> {
    let mut value: u64 = 0;
    for (n, &b) in i.iter().enumerate().take(max_bytes) {
        value |= u64::from(b & 0x7f) << (7 * n);
        if b & 0x80 == 0 {
            let rest = i.get(n + 1..).unwrap_or_default();
            return Ok((rest, value));
        }
    }
    if i.len() < max_bytes {
        return fail(WireError::truncated(i.len() + 1, i.len()));
    }
    fail(WireError::VarintOverflow {
        field: "",
        max_bytes,
    })
}

/// An unsigned 32-bit varint.
pub fn decode_uvarint(i: &[u8]) -> WireResult<'_, u32> {
    let (rest, v) = decode_raw(i, 5)?;
    match u32::try_from(v) {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(WireError::VarintOverflow {
            field: "",
            max_bytes: 5,
        }),
    }
}

/// A zigzag-encoded signed 32-bit varint.
pub fn decode_varint(i: &[u8]) -> WireResult<'_, i32> {
    let (rest, v) = decode_uvarint(i)?;
    Ok((rest, ((v >> 1) as i32) ^ -((v & 1) as i32)))
}

/// A zigzag-encoded signed 64-bit varlong.
pub fn decode_varlong(i: &[u8]) -> WireResult<'_, i64> {
    let (rest, v) = decode_raw(i, 10)?;
    Ok((rest, ((v >> 1) as i64) ^ -((v & 1) as i64)))
}

fn put_raw(buf: &mut impl BufMut, mut v: u64) {
    while v >= 0x80 {
        buf.put_u8((v as u8) | 0x80);
        v >>= 7;
    }
    buf.put_u8(v as u8);
}

/// Write an unsigned 32-bit varint.
pub fn put_uvarint(buf: &mut impl BufMut, v: u32) {
    put_raw(buf, u64::from(v));
}

/// Write a zigzag varint.
pub fn put_varint(buf: &mut impl BufMut, v: i32) {
    put_raw(buf, u64::from(((v << 1) ^ (v >> 31)) as u32));
}

/// Write a zigzag varlong.
pub fn put_varlong(buf: &mut impl BufMut, v: i64) {
    put_raw(buf, ((v << 1) ^ (v >> 63)) as u64);
}

fn raw_size(v: u64) -> usize {
    let bits = 64 - (v | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Encoded size of an unsigned varint.
pub fn uvarint_size(v: u32) -> usize {
    raw_size(u64::from(v))
}

/// Encoded size of a zigzag varint.
pub fn varint_size(v: i32) -> usize {
    raw_size(u64::from(((v << 1) ^ (v >> 31)) as u32))
}

/// Encoded size of a zigzag varlong.
pub fn varlong_size(v: i64) -> usize {
    raw_size(((v << 1) ^ (v >> 63)) as u64)
}
