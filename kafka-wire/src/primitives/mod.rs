//! Wire primitives: fixed-width numbers, varints, strings, bytes, arrays, UUIDs and tagged
//! fields. Each implements [`Wire`](crate::codec::Wire) so the generated message code is a plain
//! sequence of calls.

/// `Wire` for a type whose [`Nullable`](crate::codec::Nullable) impl does the work: null is
/// refused, and the smallest encoding is a compact length (1 byte) or a classic one.
macro_rules! wire_via_nullable {
    ([$($gen:tt)*] $t:ty, classic_min = $min:expr, |$this:ident, $cx:ident| $value:expr) => {
        impl<$($gen)*> $crate::codec::Wire for $t {
            fn min_size(cx: &$crate::codec::Cx<'_>) -> usize {
                if cx.flexible {
                    1
                } else {
                    $min
                }
            }
            fn decode<'a>(i: &'a [u8], cx: &$crate::codec::Cx<'_>) -> $crate::error::WireResult<'a, Self> {
                match <Self as $crate::codec::Nullable>::decode_opt(i, cx)? {
                    (i, Some(v)) => Ok((i, v)),
                    (_, None) => $crate::error::fail($crate::error::WireError::NullNotAllowed { field: "", version: cx.version }),
                }
            }
            fn encode(&self, w: &mut $crate::writer::Writer, cx: &$crate::codec::Cx<'_>) -> Result<(), $crate::error::WireError> {
                <Self as $crate::codec::Nullable>::encode_opt(Some(self), w, cx)
            }
            fn size(&self, cx: &$crate::codec::Cx<'_>) -> usize {
                <Self as $crate::codec::Nullable>::size_opt(Some(self), cx)
            }
            fn to_value(&self, $cx: &$crate::codec::Cx<'_>) -> $crate::value::Value {
                let $this = self;
                $value
            }
        }
    };
}

mod arrays;
mod blob;
mod ints;
mod strings;
mod tagged;
mod uuid;
pub mod varint;

pub use blob::Records;
pub use tagged::{
    decode_tags, section_size, tag_size, tagged_value, write_tag, TagsOut, UnknownTags,
};
pub use uuid::Uuid;

use crate::error::{fail, WireError, WireResult};

/// Split `n` bytes off the front of `i`, or fail with the exact shortfall.
pub fn take(i: &[u8], n: usize) -> WireResult<'_, &[u8]> {
    if i.len() < n {
        return fail(WireError::truncated(n, i.len()));
    }
    let (head, rest) = i.split_at(n);
    Ok((rest, head))
}

/// Bytes that a length-prefixed region of `len` takes after its prefix.
fn region_len(len: i64) -> Result<usize, nom::Err<WireError>> {
    usize::try_from(len).or_else(|_| {
        fail(WireError::InvalidLength {
            field: "",
            length: len,
        })
    })
}

/// Read a length prefix: `i16`/`i32` in classic versions, unsigned varint minus one in flexible
/// ones. `None` is the null marker (-1, or 0 when compact).
fn read_len(i: &[u8], flexible: bool, wide: bool) -> WireResult<'_, Option<usize>> {
    let (i, raw): (&[u8], i64) = if flexible {
        let (i, n) = varint::decode_uvarint(i)?;
        (i, i64::from(n) - 1)
    } else if wide {
        let (i, n) = nom::number::complete::be_i32(i)?;
        (i, i64::from(n))
    } else {
        let (i, n) = nom::number::complete::be_i16(i)?;
        (i, i64::from(n))
    };
    if raw == -1 {
        return Ok((i, None));
    }
    Ok((i, Some(region_len(raw)?)))
}

/// Write a length prefix (see [`read_len`]); `None` writes the null marker.
fn write_len(
    w: &mut crate::Writer,
    len: Option<usize>,
    flexible: bool,
    wide: bool,
    field_max: usize,
) -> Result<(), WireError> {
    use bytes::BufMut;
    if let Some(n) = len {
        if n > field_max {
            return Err(WireError::ValueTooLarge {
                field: "",
                len: n,
                max: field_max,
            });
        }
    }
    let raw: i64 = len.map_or(-1, |n| n as i64);
    if flexible {
        varint::put_uvarint(w.buf(), (raw + 1) as u32);
    } else if wide {
        w.buf().put_i32(raw as i32);
    } else {
        w.buf().put_i16(raw as i16);
    }
    Ok(())
}

/// Size of a length prefix (see [`read_len`]).
fn len_size(len: Option<usize>, flexible: bool, wide: bool) -> usize {
    if flexible {
        varint::uvarint_size(len.map_or(0, |n| n as u32 + 1))
    } else if wide {
        4
    } else {
        2
    }
}
