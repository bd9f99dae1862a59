//! Compression codecs for record batches, with a cap on inflated size so a small compressed
//! payload cannot expand into unbounded memory.

use std::io::{Read, Write};

use crate::error::WireError;

/// The codec named by the low three bits of a batch's attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Uncompressed.
    #[default]
    None,
    /// gzip (RFC 1952).
    Gzip,
    /// Snappy: raw blocks, or the xerial framing Java clients send.
    Snappy,
    /// LZ4 frame format.
    Lz4,
    /// Zstandard.
    Zstd,
}

/// The 8-byte magic that starts xerial-framed snappy (snappy-java's stream format).
const XERIAL_MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
/// Xerial header: magic, version (i32), compatible version (i32).
const XERIAL_HEADER: usize = 16;
/// Block size used when writing xerial framing (snappy-java's default).
const XERIAL_BLOCK: usize = 32 * 1024;

impl Compression {
    /// The codec for attribute bits 0-2; `None` for the reserved values 5-7.
    pub fn from_attributes(attributes: i16) -> Option<Self> {
        Some(match attributes & 0x07 {
            0 => Compression::None,
            1 => Compression::Gzip,
            2 => Compression::Snappy,
            3 => Compression::Lz4,
            4 => Compression::Zstd,
            _ => return None,
        })
    }

    /// The attribute bits for this codec.
    pub fn bits(self) -> i16 {
        match self {
            Compression::None => 0,
            Compression::Gzip => 1,
            Compression::Snappy => 2,
            Compression::Lz4 => 3,
            Compression::Zstd => 4,
        }
    }

    /// Lowercase name, as Kafka's `compression.type` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }

    /// Inflate `data`, failing if the result would exceed `cap` bytes.
    pub fn decompress(self, data: &[u8], cap: usize) -> Result<Vec<u8>, WireError> {
        let name = self.name();
        match self {
            Compression::None => Ok(data.to_vec()),
            Compression::Gzip => read_capped(flate2::read::GzDecoder::new(data), name, cap),
            Compression::Lz4 => read_capped(lz4_flex::frame::FrameDecoder::new(data), name, cap),
            Compression::Zstd => {
                let d = zstd::stream::read::Decoder::with_buffer(data)
                    .map_err(|e| codec_err(name, e))?;
                read_capped(d, name, cap)
            }
            Compression::Snappy => match data.strip_prefix(&XERIAL_MAGIC) {
                Some(_) => unxerial(data.get(XERIAL_HEADER..).unwrap_or_default(), cap),
                None => snappy_raw(data, cap, Vec::new()),
            },
        }
    }

    /// Deflate `data` (snappy is written in the xerial framing Java clients expect).
    pub fn compress(self, data: &[u8]) -> Result<Vec<u8>, WireError> {
        let name = self.name();
        let io = |e: std::io::Error| codec_err(name, e);
        match self {
            Compression::None => Ok(data.to_vec()),
            Compression::Gzip => {
                let mut e =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(data).map_err(io)?;
                e.finish().map_err(io)
            }
            Compression::Lz4 => {
                let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
                e.write_all(data).map_err(io)?;
                e.finish().map_err(|e| codec_err(name, e))
            }
            Compression::Zstd => zstd::encode_all(data, 3).map_err(io),
            Compression::Snappy => xerial(data),
        }
    }
}

fn codec_err(codec: &'static str, e: impl std::fmt::Display) -> WireError {
    WireError::Compression {
        codec,
        reason: e.to_string(),
    }
}

fn read_capped(r: impl Read, codec: &'static str, cap: usize) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    r.take((cap as u64).saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| codec_err(codec, e))?;
    if out.len() > cap {
        return Err(WireError::DecompressedTooLarge { codec, limit: cap });
    }
    Ok(out)
}

fn snappy_raw(block: &[u8], cap: usize, mut out: Vec<u8>) -> Result<Vec<u8>, WireError> {
    let len = snap::raw::decompress_len(block).map_err(|e| codec_err("snappy", e))?;
    if out.len().saturating_add(len) > cap {
        return Err(WireError::DecompressedTooLarge {
            codec: "snappy",
            limit: cap,
        });
    }
    let start = out.len();
    out.resize(start + len, 0);
    let target = out.get_mut(start..).unwrap_or_default();
    snap::raw::Decoder::new()
        .decompress(block, target)
        .map_err(|e| codec_err("snappy", e))?;
    Ok(out)
}

/// Xerial framing: after the header, blocks of (i32 length, raw snappy block).
fn unxerial(mut rest: &[u8], cap: usize) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = match rest.split_first_chunk::<4>() {
            Some((len, tail)) => (i32::from_be_bytes(*len), tail),
            None => return Err(codec_err("snappy", "truncated xerial block length")),
        };
        let len = usize::try_from(len)
            .map_err(|_| codec_err("snappy", "negative xerial block length"))?;
        let block = tail
            .get(..len)
            .ok_or_else(|| codec_err("snappy", "truncated xerial block"))?;
        out = snappy_raw(block, cap, out)?;
        rest = tail.get(len..).unwrap_or_default();
    }
    Ok(out)
}

fn xerial(data: &[u8]) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(data.len() / 2 + XERIAL_HEADER);
    out.extend_from_slice(&XERIAL_MAGIC);
    out.extend_from_slice(&1i32.to_be_bytes());
    out.extend_from_slice(&1i32.to_be_bytes());
    let mut enc = snap::raw::Encoder::new();
    for chunk in data.chunks(XERIAL_BLOCK) {
        let block = enc
            .compress_vec(chunk)
            .map_err(|e| codec_err("snappy", e))?;
        out.extend_from_slice(&(block.len() as i32).to_be_bytes());
        out.extend_from_slice(&block);
    }
    Ok(out)
}
