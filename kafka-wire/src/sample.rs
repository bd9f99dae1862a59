//! Deterministic sample values: a non-default value in every field a version carries.
//!
//! The golden fixtures and the differential tests are built from these, so every field of every
//! version is exercised with a value that would be noticed if it were dropped or misplaced.

use bytes::Bytes;

use crate::codec::Cx;
use crate::primitives::{Records, UnknownTags, Uuid};

/// Source of values: by default distinct, deterministic and non-default (fixtures, differential
/// tests); [`Seed::random`] instead draws full-range values, varied lengths and nulls
/// (property tests).
#[derive(Debug, Clone)]
pub struct Seed {
    n: u64,
    random: bool,
}

impl Default for Seed {
    fn default() -> Self {
        Self::new()
    }
}

impl Seed {
    /// A seed at its starting point.
    pub fn new() -> Self {
        Self {
            n: 100,
            random: false,
        }
    }

    /// A pseudo-random seed (splitmix64): any value, arrays of 0-3 elements, some nulls.
    pub fn random(seed: u64) -> Self {
        Self {
            n: seed,
            random: true,
        }
    }

    /// Whether this seed draws random values.
    pub fn is_random(&self) -> bool {
        self.random
    }

    /// How many elements an array gets.
    pub fn count(&mut self) -> usize {
        if self.random {
            (self.next_value() % 4) as usize
        } else {
            2
        }
    }

    /// Whether a nullable value should be null.
    pub fn null(&mut self) -> bool {
        self.random && self.next_value().is_multiple_of(4)
    }

    /// The next number; never 0, 1 or -1, and never a common Kafka default.
    pub fn next_value(&mut self) -> u64 {
        if self.random {
            self.n = self.n.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.n;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            return z ^ (z >> 31);
        }
        self.n += 7;
        self.n
    }

    /// An unknown tagged field, to show tags the codec does not know survive a round trip.
    pub fn unknown_tags(&mut self) -> UnknownTags {
        let n = self.next_value();
        UnknownTags(vec![(
            7777,
            Bytes::from(vec![(n & 0xff) as u8, 0xab, 0xcd]),
        )])
    }
}

/// A type that can produce a deterministic non-default sample for a version.
pub trait Sample: Sized {
    /// A sample value for this version context.
    fn sample(cx: &Cx<'_>, s: &mut Seed) -> Self;
}

macro_rules! int_sample {
    ($($t:ty => $m:expr),*) => {$(
        impl Sample for $t {
            fn sample(_: &Cx<'_>, s: &mut Seed) -> Self {
                if s.is_random() {
                    s.next_value() as $t
                } else {
                    (s.next_value() % $m + 2) as $t
                }
            }
        }
    )*};
}
int_sample!(i8 => 100, i16 => 30000, i32 => 1_000_000_000, i64 => 1 << 60, u16 => 60000, u32 => 1 << 31);

impl Sample for f64 {
    fn sample(_: &Cx<'_>, s: &mut Seed) -> Self {
        s.next_value() as f64 + 0.5
    }
}

impl Sample for bool {
    fn sample(_: &Cx<'_>, s: &mut Seed) -> Self {
        !s.is_random() || s.next_value().is_multiple_of(2)
    }
}

impl Sample for String {
    fn sample(_: &Cx<'_>, s: &mut Seed) -> Self {
        if !s.is_random() {
            return format!("s{}", s.next_value());
        }
        const CHARS: [char; 6] = ['a', 'Z', '-', 'é', '日', '0'];
        let len = s.next_value() % 9;
        (0..len)
            .filter_map(|_| CHARS.get((s.next_value() % 6) as usize))
            .collect()
    }
}

impl Sample for Bytes {
    fn sample(_: &Cx<'_>, s: &mut Seed) -> Self {
        let n = s.next_value();
        Bytes::from(vec![(n & 0xff) as u8, ((n >> 8) & 0xff) as u8, 0x5a])
    }
}

impl Sample for Uuid {
    fn sample(_: &Cx<'_>, s: &mut Seed) -> Self {
        let mut b = [0u8; 16];
        for (k, x) in b.iter_mut().enumerate() {
            *x = (s.next_value().wrapping_mul(k as u64 + 1) & 0xff) as u8;
        }
        b[0] |= 1;
        Uuid(b)
    }
}

impl Sample for Records {
    fn sample(_: &Cx<'_>, s: &mut Seed) -> Self {
        Records(crate::records::sample_batch(s.next_value() as i64))
    }
}

impl<T: Sample> Sample for Vec<T> {
    fn sample(cx: &Cx<'_>, s: &mut Seed) -> Self {
        (0..s.count()).map(|_| T::sample(cx, s)).collect()
    }
}

impl<T: Sample> Sample for Option<T> {
    fn sample(cx: &Cx<'_>, s: &mut Seed) -> Self {
        if s.null() {
            None
        } else {
            Some(T::sample(cx, s))
        }
    }
}
