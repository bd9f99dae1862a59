//! The contract every wire type implements, and the version context threaded through it.
//!
//! Generated message structs and the primitive types share one trait, so a message's decoder,
//! encoder, size and tree view are plain sequences of calls with the field name attached.

use bytes::Bytes;

use crate::error::{WireError, WireResult};
use crate::value::Value;
use crate::writer::Writer;

/// Version context: which version is being coded, whether it is flexible (compact encodings
/// and tagged fields), and the buffer the input slices come from (for zero-copy `Bytes`).
#[derive(Debug, Clone, Copy)]
pub struct Cx<'s> {
    /// Message version.
    pub version: i16,
    /// Whether this version uses the flexible (KIP-482) encoding.
    pub flexible: bool,
    /// The buffer being decoded, so byte regions are returned as views of it.
    pub src: Option<&'s Bytes>,
}

impl<'s> Cx<'s> {
    /// A context for encoding (no source buffer).
    pub fn new(version: i16, flexible: bool) -> Self {
        Self {
            version,
            flexible,
            src: None,
        }
    }

    /// A context for decoding slices of `src`.
    pub fn with_src(version: i16, flexible: bool, src: &'s Bytes) -> Self {
        Self {
            version,
            flexible,
            src: Some(src),
        }
    }

    /// The same version context for a different flexibility (used by headers).
    pub fn flex(self, flexible: bool) -> Self {
        Self { flexible, ..self }
    }

    /// A `Bytes` for `sub`: a view of the source buffer when `sub` lies in it, else a copy.
    pub fn bytes_of(&self, sub: &[u8]) -> Bytes {
        if let Some(src) = self.src {
            let base = src.as_ptr() as usize;
            let start = sub.as_ptr() as usize;
            if start >= base && start + sub.len() <= base + src.len() {
                let off = start - base;
                return src.slice(off..off + sub.len());
            }
        }
        Bytes::copy_from_slice(sub)
    }
}

/// A type with a wire encoding that may depend on the version context.
pub trait Wire: Sized {
    /// The fewest bytes any value can take in this context (bounds array allocations).
    fn min_size(cx: &Cx<'_>) -> usize;
    /// Parse one value.
    fn decode<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Self>;
    /// Write one value.
    fn encode(&self, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError>;
    /// Exact number of bytes `encode` writes.
    fn size(&self, cx: &Cx<'_>) -> usize;
    /// A readable tree of the value, for decoders and snapshots.
    fn to_value(&self, cx: &Cx<'_>) -> Value;
}

/// A wire type that also has a null encoding (nullable strings, bytes, arrays, structs).
pub trait Nullable: Wire {
    /// Parse a value or null.
    fn decode_opt<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Option<Self>>;
    /// Write a value or null.
    fn encode_opt(v: Option<&Self>, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError>;
    /// Exact size of `encode_opt`.
    fn size_opt(v: Option<&Self>, cx: &Cx<'_>) -> usize;
}

/// A top-level request or response body: its API, the versions the codec knows, and the
/// version from which it is flexible.
pub trait Message: Wire + Default {
    /// The API key this message belongs to.
    const API_KEY: i16;
    /// Struct name, for errors and trees.
    const NAME: &'static str;
    /// Lowest version the codec decodes.
    const MIN_VERSION: i16;
    /// Highest version the codec decodes.
    const MAX_VERSION: i16;
    /// First flexible version (`i16::MAX` when the API has none).
    const FLEXIBLE_FROM: i16;

    /// Whether `version` uses the flexible encoding.
    fn is_flexible(version: i16) -> bool {
        version >= Self::FLEXIBLE_FROM
    }

    /// Check that `version` is one the codec knows for this message.
    fn check_version(version: i16) -> Result<(), WireError> {
        if (Self::MIN_VERSION..=Self::MAX_VERSION).contains(&version) {
            Ok(())
        } else {
            Err(WireError::UnsupportedVersion {
                api_key: Self::API_KEY,
                version,
            })
        }
    }

    /// Decode a whole body from `src`; every byte must be consumed.
    fn decode_body(src: &Bytes, version: i16) -> Result<Self, WireError> {
        let (msg, trailing) = Self::decode_prefix(src, version)?;
        if trailing > 0 {
            return Err(WireError::TrailingBytes {
                what: Self::NAME,
                trailing,
            });
        }
        Ok(msg)
    }

    /// Decode a body from the start of `src` and say how many bytes followed it. Kafka's
    /// request parser reads a body and ignores what is left of the frame, and clients rely
    /// on that (librdkafka's all-topics Metadata v12 carries 3 extra bytes).
    fn decode_prefix(src: &Bytes, version: i16) -> Result<(Self, usize), WireError> {
        Self::check_version(version)?;
        let cx = Cx::with_src(version, Self::is_flexible(version), src);
        let (rest, msg) = crate::error::finish(Self::decode(src, &cx))?;
        Ok((msg, rest.len()))
    }

    /// Encode the body into `w`.
    fn encode_body(&self, w: &mut Writer, version: i16) -> Result<(), WireError> {
        Self::check_version(version)?;
        self.encode(w, &Cx::new(version, Self::is_flexible(version)))
    }

    /// Encode the body into a fresh buffer.
    fn to_bytes(&self, version: i16) -> Result<Bytes, WireError> {
        let mut w = Writer::with_capacity(self.body_size(version));
        self.encode_body(&mut w, version)?;
        Ok(w.into_bytes())
    }

    /// Exact encoded size of the body at `version`.
    fn body_size(&self, version: i16) -> usize {
        self.size(&Cx::new(version, Self::is_flexible(version)))
    }

    /// The body as a readable tree at `version`.
    fn value(&self, version: i16) -> Value {
        self.to_value(&Cx::new(version, Self::is_flexible(version)))
    }
}

impl<T: Nullable> Wire for Option<T> {
    fn min_size(cx: &Cx<'_>) -> usize {
        T::min_size(cx).min(1)
    }
    fn decode<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Self> {
        T::decode_opt(i, cx)
    }
    fn encode(&self, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError> {
        T::encode_opt(self.as_ref(), w, cx)
    }
    fn size(&self, cx: &Cx<'_>) -> usize {
        T::size_opt(self.as_ref(), cx)
    }
    fn to_value(&self, cx: &Cx<'_>) -> Value {
        self.as_ref().map_or(Value::Null, |v| v.to_value(cx))
    }
}

/// The error codes a message carries, wherever they are nested: what the gateway counts in
/// its metrics without building a tree of the response. Generated for every message struct.
pub trait ErrorCodes {
    /// Call `f` with the value of every `error_code` field, nested ones included.
    fn error_codes(&self, f: &mut dyn FnMut(i16));
}

impl<T: ErrorCodes> ErrorCodes for Vec<T> {
    fn error_codes(&self, f: &mut dyn FnMut(i16)) {
        self.iter().for_each(|x| x.error_codes(f));
    }
}

impl<T: ErrorCodes> ErrorCodes for Option<T> {
    fn error_codes(&self, f: &mut dyn FnMut(i16)) {
        if let Some(x) = self {
            x.error_codes(f);
        }
    }
}

/// Reset fields a version cannot carry to their defaults (recursively), so a value built for
/// the newest version can be encoded at an older one. Generated for every message struct;
/// leaves are untouched.
pub trait FitVersion {
    /// Make `self` encodable at `cx.version`.
    fn fit_version(&mut self, cx: &Cx<'_>);
}

macro_rules! fit_leaf {
    ($($t:ty),*) => {$(
        impl FitVersion for $t {
            fn fit_version(&mut self, _: &Cx<'_>) {}
        }
    )*};
}
fit_leaf!(
    bool,
    i8,
    i16,
    i32,
    i64,
    u16,
    u32,
    f64,
    String,
    Bytes,
    crate::primitives::Uuid,
    crate::primitives::Records
);

impl<T: FitVersion> FitVersion for Vec<T> {
    fn fit_version(&mut self, cx: &Cx<'_>) {
        self.iter_mut().for_each(|e| e.fit_version(cx));
    }
}

impl<T: FitVersion> FitVersion for Option<T> {
    fn fit_version(&mut self, cx: &Cx<'_>) {
        if let Some(v) = self {
            v.fit_version(cx);
        }
    }
}

/// Decode a field that is `Option` in Rust but not nullable in this version: null is refused.
pub fn decode_some<'a, T: Wire>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Option<T>> {
    let (i, v) = T::decode(i, cx)?;
    Ok((i, Some(v)))
}

/// Encode a field that is `Option` in Rust but not nullable in this version.
pub fn encode_some<T: Wire>(v: &Option<T>, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError> {
    match v {
        Some(v) => v.encode(w, cx),
        None => Err(WireError::NullNotAllowed {
            field: "",
            version: cx.version,
        }),
    }
}

/// Size of [`encode_some`].
pub fn size_some<T: Wire>(v: &Option<T>, cx: &Cx<'_>) -> usize {
    v.as_ref().map_or(0, |v| v.size(cx))
}

/// Nullable struct fields: an `int8` marker (-1 null, 1 present) before the struct.
#[macro_export]
#[doc(hidden)]
macro_rules! nullable_struct {
    ($t:ty) => {
        impl $crate::codec::Nullable for $t {
            fn decode_opt<'a>(
                i: &'a [u8],
                cx: &$crate::codec::Cx<'_>,
            ) -> $crate::error::WireResult<'a, Option<Self>> {
                let (i, marker) = <i8 as $crate::codec::Wire>::decode(i, cx)?;
                if marker < 0 {
                    return Ok((i, None));
                }
                let (i, v) = <Self as $crate::codec::Wire>::decode(i, cx)?;
                Ok((i, Some(v)))
            }
            fn encode_opt(
                v: Option<&Self>,
                w: &mut $crate::writer::Writer,
                cx: &$crate::codec::Cx<'_>,
            ) -> Result<(), $crate::error::WireError> {
                match v {
                    None => <i8 as $crate::codec::Wire>::encode(&-1, w, cx),
                    Some(v) => {
                        <i8 as $crate::codec::Wire>::encode(&1, w, cx)?;
                        <Self as $crate::codec::Wire>::encode(v, w, cx)
                    }
                }
            }
            fn size_opt(v: Option<&Self>, cx: &$crate::codec::Cx<'_>) -> usize {
                1 + v.map_or(0, |v| <Self as $crate::codec::Wire>::size(v, cx))
            }
        }
    };
}
