//! Fixed-width numbers and booleans.

use bytes::BufMut;
use nom::number::complete as n;

use crate::codec::{Cx, Wire};
use crate::error::{WireError, WireResult};
use crate::value::Value;
use crate::writer::Writer;

macro_rules! fixed {
    ($t:ty, $size:expr, $parse:path, $put:ident, $val:expr) => {
        impl Wire for $t {
            fn min_size(_: &Cx<'_>) -> usize {
                $size
            }
            fn decode<'a>(i: &'a [u8], _: &Cx<'_>) -> WireResult<'a, Self> {
                if i.len() < $size {
                    return crate::error::fail(WireError::truncated($size, i.len()));
                }
                $parse(i)
            }
            fn encode(&self, w: &mut Writer, _: &Cx<'_>) -> Result<(), WireError> {
                w.buf().$put(*self);
                Ok(())
            }
            fn size(&self, _: &Cx<'_>) -> usize {
                $size
            }
            fn to_value(&self, _: &Cx<'_>) -> Value {
                #[allow(clippy::redundant_closure_call)]
                ($val)(*self)
            }
        }
    };
}

fixed!(i8, 1, n::be_i8, put_i8, |v| Value::Int(i64::from(v)));
fixed!(i16, 2, n::be_i16, put_i16, |v| Value::Int(i64::from(v)));
fixed!(i32, 4, n::be_i32, put_i32, |v| Value::Int(i64::from(v)));
fixed!(i64, 8, n::be_i64, put_i64, Value::Int);
fixed!(u16, 2, n::be_u16, put_u16, |v| Value::Int(i64::from(v)));
fixed!(u32, 4, n::be_u32, put_u32, |v| Value::Int(i64::from(v)));
fixed!(f64, 8, n::be_f64, put_f64, Value::Float);

impl Wire for bool {
    fn min_size(_: &Cx<'_>) -> usize {
        1
    }
    fn decode<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Self> {
        let (i, b) = <i8 as Wire>::decode(i, cx)?;
        Ok((i, b != 0))
    }
    fn encode(&self, w: &mut Writer, _: &Cx<'_>) -> Result<(), WireError> {
        w.buf().put_u8(u8::from(*self));
        Ok(())
    }
    fn size(&self, _: &Cx<'_>) -> usize {
        1
    }
    fn to_value(&self, _: &Cx<'_>) -> Value {
        Value::Bool(*self)
    }
}
