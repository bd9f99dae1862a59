//! Tagged fields (KIP-482): the section that ends every struct in flexible versions. Known tags
//! decode into their fields; unknown ones are kept verbatim and written back in tag order.

use bytes::Bytes;

use super::varint::{decode_uvarint, put_uvarint, uvarint_size};
use crate::codec::{Cx, Wire};
use crate::error::{fail, WireError, WireResult};
use crate::writer::Writer;

/// Tagged fields this codec has no definition for, kept as received (sorted by tag).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnknownTags(pub Vec<(u32, Bytes)>);

impl UnknownTags {
    /// Keep a tag, in tag order.
    pub fn insert(&mut self, tag: u32, data: Bytes) {
        let at = self.0.partition_point(|(t, _)| *t <= tag);
        self.0.insert(at, (tag, data));
    }

    /// Whether no unknown tags were seen.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Bytes these tags take (tag, size and data each).
    pub fn size(&self) -> usize {
        self.0.iter().map(|(t, d)| entry_size(*t, d.len())).sum()
    }
}

fn entry_size(tag: u32, len: usize) -> usize {
    uvarint_size(tag) + uvarint_size(len as u32) + len
}

/// Read a tagged-field section. `known` is called with each tag and its bytes, and returns
/// whether it took the tag; the rest go to `unknown`.
pub fn decode_tags<'a>(
    i: &'a [u8],
    cx: &Cx<'_>,
    unknown: &mut UnknownTags,
    mut known: impl FnMut(u32, &'a [u8]) -> Result<bool, nom::Err<WireError>>,
) -> WireResult<'a, ()> {
    let (mut i, count) = decode_uvarint(i)?;
    for _ in 0..count {
        let (rest, tag) = decode_uvarint(i)?;
        let (rest, len) = decode_uvarint(rest)?;
        let (rest, data) = super::take(rest, len as usize)?;
        if !known(tag, data).map_err(|e| e.map(|e| e.shifted(rest.len())))? {
            unknown.insert(tag, cx.bytes_of(data));
        }
        i = rest;
    }
    Ok((i, ()))
}

/// Decode a known tagged field's value; it must use exactly the bytes the tag declared.
pub fn tagged_value<T: Wire>(data: &[u8], cx: &Cx<'_>, tag: u32) -> Result<T, nom::Err<WireError>> {
    let (rest, v) = T::decode(data, cx)?;
    if !rest.is_empty() {
        return fail(WireError::TaggedSizeMismatch {
            field: "",
            tag,
            declared: data.len(),
            used: data.len() - rest.len(),
        });
    }
    Ok(v)
}

/// Write one known tagged field.
pub fn write_tag<T: Wire>(w: &mut Writer, cx: &Cx<'_>, tag: u32, v: &T) -> Result<(), WireError> {
    put_uvarint(w.buf(), tag);
    put_uvarint(w.buf(), v.size(cx) as u32);
    v.encode(w, cx)
}

/// Size of one known tagged field.
pub fn tag_size<T: Wire>(cx: &Cx<'_>, tag: u32, v: &T) -> usize {
    entry_size(tag, v.size(cx))
}

/// Writes a tagged section, interleaving unknown tags with the known ones in tag order.
pub struct TagsOut<'u> {
    unknown: &'u [(u32, Bytes)],
}

impl<'u> TagsOut<'u> {
    /// Start a section of `known_count` known tags plus `unknown`.
    pub fn start(w: &mut Writer, known_count: usize, unknown: &'u UnknownTags) -> Self {
        put_uvarint(w.buf(), (known_count + unknown.0.len()) as u32);
        Self {
            unknown: &unknown.0,
        }
    }

    /// Write the unknown tags that sort before `tag`.
    pub fn before(&mut self, w: &mut Writer, tag: u32) {
        while let Some(((t, d), rest)) = self.unknown.split_first() {
            if *t >= tag {
                break;
            }
            put_uvarint(w.buf(), *t);
            put_uvarint(w.buf(), d.len() as u32);
            w.put_bytes(d);
            self.unknown = rest;
        }
    }

    /// Write the unknown tags that remain.
    pub fn finish(mut self, w: &mut Writer) {
        self.before(w, u32::MAX);
        if let Some((t, d)) = self.unknown.first() {
            put_uvarint(w.buf(), *t);
            put_uvarint(w.buf(), d.len() as u32);
            w.put_bytes(d);
        }
    }
}

/// Size of a tagged section holding `known` bytes of `known_count` known tags plus `unknown`.
pub fn section_size(known_count: usize, known: usize, unknown: &UnknownTags) -> usize {
    uvarint_size((known_count + unknown.0.len()) as u32) + known + unknown.size()
}
