//! Typed errors for everything the codec can reject.
//!
//! Every variant names the field (a `Struct.field` path, filled in as the error travels up
//! through the generated decoders) and the numbers that made the input invalid, so a decode
//! failure on a captured frame says exactly where it went wrong.

use nom::error::{ErrorKind, ParseError};

/// Result of a nom parser over wire bytes with our error type.
pub type WireResult<'a, T> = nom::IResult<&'a [u8], T, WireError>;

/// Why bytes could not be decoded or a value could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The input ended before a field was complete.
    #[error("{field}: truncated, needed {needed} bytes but {remaining} remain")]
    Truncated {
        /// Field being read.
        field: &'static str,
        /// Bytes the field needed.
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A length prefix was negative (other than the null marker) or otherwise impossible.
    #[error("{field}: invalid length {length}")]
    InvalidLength {
        /// Field being read.
        field: &'static str,
        /// The length found on the wire.
        length: i64,
    },
    /// A collection count cannot fit in the bytes that remain; refused before allocating.
    #[error("{field}: count {count} needs at least {needed} bytes but {remaining} remain")]
    CountTooLarge {
        /// Field being read.
        field: &'static str,
        /// The element count found on the wire.
        count: u64,
        /// Minimum bytes those elements need.
        needed: u64,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A string was not valid UTF-8.
    #[error("{field}: string is not valid UTF-8")]
    InvalidUtf8 {
        /// Field being read.
        field: &'static str,
    },
    /// A varint ran past its maximum length.
    #[error("{field}: varint longer than {max_bytes} bytes")]
    VarintOverflow {
        /// Field being read.
        field: &'static str,
        /// The most bytes this varint may take.
        max_bytes: usize,
    },
    /// A null was found (decode) or given (encode) where the version does not allow one.
    #[error("{field}: null is not allowed in version {version}")]
    NullNotAllowed {
        /// Field concerned.
        field: &'static str,
        /// Message version.
        version: i16,
    },
    /// Encoding a non-default value into a version that cannot carry the field.
    #[error("{field}: a non-default value cannot be encoded in version {version}")]
    FieldNotInVersion {
        /// Field concerned.
        field: &'static str,
        /// Message version.
        version: i16,
    },
    /// A tagged field's declared size did not match what its decoder consumed.
    #[error("{field}: tagged field {tag} declared {declared} bytes, value used {used}")]
    TaggedSizeMismatch {
        /// Field concerned.
        field: &'static str,
        /// The tag.
        tag: u32,
        /// Size on the wire.
        declared: usize,
        /// Bytes the value decoder consumed.
        used: usize,
    },
    /// Bytes were left over after a complete message.
    #[error("{trailing} trailing bytes after {what}")]
    TrailingBytes {
        /// What was decoded.
        what: &'static str,
        /// How many bytes were left.
        trailing: usize,
    },
    /// The (API, version) pair is not one the codec knows.
    #[error("API {api_key} version {version} is not supported")]
    UnsupportedVersion {
        /// API key.
        api_key: i16,
        /// Version requested.
        version: i16,
    },
    /// An API key the codec has no message definition for.
    #[error("unknown API key {0}")]
    UnknownApiKey(i16),
    /// A value does not fit the wire representation (e.g. a string over 32767 bytes).
    #[error("{field}: value of {len} does not fit (max {max})")]
    ValueTooLarge {
        /// Field concerned.
        field: &'static str,
        /// The value's length.
        len: usize,
        /// The largest the wire allows.
        max: usize,
    },
    /// A checksum did not match.
    #[error("{field}: CRC mismatch, header says {expected:#010x}, computed {computed:#010x}")]
    BadCrc {
        /// What was checked.
        field: &'static str,
        /// CRC in the header.
        expected: u32,
        /// CRC of the bytes.
        computed: u32,
    },
    /// A record batch or message set is malformed.
    #[error("{field}: {reason}")]
    InvalidRecords {
        /// Where it failed.
        field: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// Compressed data could not be inflated or deflated.
    #[error("{codec} compression: {reason}")]
    Compression {
        /// Codec name.
        codec: &'static str,
        /// What the codec reported.
        reason: String,
    },
    /// Decompressed data exceeded the configured cap.
    #[error("{codec}: decompressed size exceeds the cap of {limit} bytes")]
    DecompressedTooLarge {
        /// Codec name.
        codec: &'static str,
        /// The cap in bytes.
        limit: usize,
    },
    /// Where in the input an error happened: the failing field started with `remaining` bytes
    /// left before the end of the input, so its offset is `input_len - remaining`
    /// ([`WireError::offset_in`]). Added by the innermost [`field`] on the way up.
    #[error("{error} ({remaining} bytes before the end)")]
    At {
        /// Bytes from the start of the failing field to the end of the input.
        remaining: usize,
        /// What went wrong there.
        error: Box<WireError>,
    },
    /// A nom combinator failed without a more specific cause.
    #[error("{field}: parse error ({kind:?}) with {remaining} bytes left")]
    Parse {
        /// Field being read.
        field: &'static str,
        /// The nom combinator that failed.
        kind: ErrorKind,
        /// Bytes that were left.
        remaining: usize,
    },
}

impl WireError {
    /// Attach a field path to an error that has not been attributed yet (innermost wins).
    pub fn in_field(mut self, name: &'static str) -> Self {
        if let WireError::At { error, .. } = &mut self {
            let inner = std::mem::replace(error.as_mut(), WireError::UnknownApiKey(0));
            **error = inner.in_field(name);
            return self;
        }
        let slot = match &mut self {
            WireError::Truncated { field, .. }
            | WireError::InvalidLength { field, .. }
            | WireError::CountTooLarge { field, .. }
            | WireError::InvalidUtf8 { field }
            | WireError::VarintOverflow { field, .. }
            | WireError::NullNotAllowed { field, .. }
            | WireError::FieldNotInVersion { field, .. }
            | WireError::TaggedSizeMismatch { field, .. }
            | WireError::ValueTooLarge { field, .. }
            | WireError::Parse { field, .. } => Some(field),
            _ => None,
        };
        if let Some(field) = slot {
            if field.is_empty() {
                *field = name;
            }
        }
        self
    }

    /// Record where the failing field started (`remaining` bytes before the end of the
    /// input), unless an inner field already did.
    pub fn at(self, remaining: usize) -> Self {
        match self {
            WireError::At { .. } => self,
            error => WireError::At {
                remaining,
                error: Box::new(error),
            },
        }
    }

    /// Move a located error found in a slice to the coordinates of an enclosing input that
    /// has `after` more bytes after that slice.
    pub fn shifted(self, after: usize) -> Self {
        match self {
            WireError::At { remaining, error } => WireError::At {
                remaining: remaining + after,
                error,
            },
            e => e,
        }
    }

    /// Byte offset of the failing field within an input of `input_len` bytes, when known.
    pub fn offset_in(&self, input_len: usize) -> Option<usize> {
        match self {
            WireError::At { remaining, .. } => input_len.checked_sub(*remaining),
            _ => None,
        }
    }

    /// The error without its location.
    pub fn cause(&self) -> &WireError {
        match self {
            WireError::At { error, .. } => error.cause(),
            e => e,
        }
    }

    /// The error for `needed` bytes when only `remaining` are left.
    pub fn truncated(needed: usize, remaining: usize) -> Self {
        WireError::Truncated {
            field: "",
            needed,
            remaining,
        }
    }
}

impl ParseError<&[u8]> for WireError {
    fn from_error_kind(input: &[u8], kind: ErrorKind) -> Self {
        WireError::Parse {
            field: "",
            kind,
            remaining: input.len(),
        }
    }

    fn append(_input: &[u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

/// Lift a `WireError` into nom's failure channel (no backtracking inside a frame).
pub fn fail<T>(e: WireError) -> Result<T, nom::Err<WireError>> {
    Err(nom::Err::Failure(e))
}

/// Attach a field name, and where the field started in `input`, to a parser result's error.
pub fn field<T>(
    name: &'static str,
    input: &[u8],
    r: Result<T, nom::Err<WireError>>,
) -> Result<T, nom::Err<WireError>> {
    r.map_err(|e| e.map(|e| e.in_field(name).at(input.len())))
}

/// Turn a nom result into a plain result, for callers outside the parsers.
pub fn finish<T>(r: Result<T, nom::Err<WireError>>) -> Result<T, WireError> {
    r.map_err(|e| match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e,
        nom::Err::Incomplete(n) => {
            let needed = match n {
                nom::Needed::Size(s) => s.get(),
                nom::Needed::Unknown => 1,
            };
            WireError::truncated(needed, 0)
        }
    })
}
