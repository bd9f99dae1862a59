//! The encode sink: a growable buffer that can hand large byte regions (record batches) through
//! by reference instead of copying them.
//!
//! A Fetch response is mostly stored record batches. Encoding it into one contiguous buffer
//! would copy every batch once more before the socket write; `Writer` instead cuts the output
//! into chunks at each large `Bytes` region so the connection can write them vectored.

use bytes::{BufMut, Bytes, BytesMut};

/// Regions at least this large are passed through as their own chunk rather than copied.
pub const ZERO_COPY_THRESHOLD: usize = 4096;

/// Encoding target for messages; see the module docs.
#[derive(Debug, Default)]
pub struct Writer {
    buf: BytesMut,
    chunks: Vec<Bytes>,
    total: usize,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer whose inline buffer starts with `capacity` bytes reserved.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: BytesMut::with_capacity(capacity),
            chunks: Vec::new(),
            total: 0,
        }
    }

    /// The inline buffer, for fixed-width writes.
    pub fn buf(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Append a byte slice (copied).
    pub fn put_slice(&mut self, s: &[u8]) {
        self.buf.put_slice(s);
    }

    /// Append a shared region, by reference when it is large enough to be worth a chunk.
    pub fn put_bytes(&mut self, b: &Bytes) {
        if b.len() >= ZERO_COPY_THRESHOLD {
            self.cut();
            self.total += b.len();
            self.chunks.push(b.clone());
        } else {
            self.buf.put_slice(b);
        }
    }

    fn cut(&mut self) {
        if !self.buf.is_empty() {
            let head = self.buf.split().freeze();
            self.total += head.len();
            self.chunks.push(head);
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.total + self.buf.len()
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The output as chunks to write in order (no copy of passed-through regions).
    pub fn into_chunks(mut self) -> Vec<Bytes> {
        self.cut();
        self.chunks
    }

    /// The output as one contiguous buffer (copies only if chunks were passed through).
    pub fn into_bytes(mut self) -> Bytes {
        if self.chunks.is_empty() {
            return self.buf.freeze();
        }
        self.cut();
        let mut out = BytesMut::with_capacity(self.total);
        for c in &self.chunks {
            out.put_slice(c);
        }
        out.freeze()
    }
}
