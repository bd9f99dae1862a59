//! 128-bit UUIDs (topic IDs).

use std::fmt;

use crate::codec::{Cx, Wire};
use crate::error::{WireError, WireResult};
use crate::value::Value;
use crate::writer::Writer;

/// A UUID as the 16 bytes Kafka sends; all zeros means "no ID".
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uuid(pub [u8; 16]);

impl Uuid {
    /// The all-zero UUID Kafka uses for "unset".
    pub const ZERO: Uuid = Uuid([0; 16]);

    /// Whether this is the all-zero UUID.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 16]
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, b) in self.0.iter().enumerate() {
            if matches!(n, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl Wire for Uuid {
    fn min_size(_: &Cx<'_>) -> usize {
        16
    }
    fn decode<'a>(i: &'a [u8], _: &Cx<'_>) -> WireResult<'a, Self> {
        let (i, b) = super::take(i, 16)?;
        let mut out = [0u8; 16];
        out.copy_from_slice(b);
        Ok((i, Uuid(out)))
    }
    fn encode(&self, w: &mut Writer, _: &Cx<'_>) -> Result<(), WireError> {
        w.put_slice(&self.0);
        Ok(())
    }
    fn size(&self, _: &Cx<'_>) -> usize {
        16
    }
    fn to_value(&self, _: &Cx<'_>) -> Value {
        Value::Uuid(*self)
    }
}
