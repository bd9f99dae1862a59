//! TCP stream reassembly: each direction of a connection becomes one byte stream, in sequence
//! order, with retransmissions and overlaps dropped. A hole (a segment the capture missed)
//! ends the stream there: nothing after it can be framed reliably.

use std::collections::BTreeMap;
use std::net::SocketAddr;

/// A TCP segment owned, with its capture time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedSegment {
    /// Capture time, microseconds since the epoch.
    pub ts_us: i64,
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// Sequence number.
    pub seq: u32,
    /// SYN flag.
    pub seq_is_syn: bool,
    /// Payload bytes.
    pub payload: Vec<u8>,
}

/// One direction of a connection, reassembled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stream {
    /// Sender.
    pub src: Option<SocketAddr>,
    /// Receiver.
    pub dst: Option<SocketAddr>,
    /// The bytes in order.
    pub data: Vec<u8>,
    /// `(end position, capture time)` of each contributing segment, in stream order.
    pub marks: Vec<(usize, i64)>,
    /// Where the capture missed bytes, if it did (the stream stops there).
    pub gap_at: Option<usize>,
    /// Capture time of the first segment, to order connections.
    pub first_ts: i64,
}

impl Stream {
    /// Capture time of the segment holding byte `pos - 1` (when a frame ending at `pos` was
    /// complete).
    pub fn time_at(&self, pos: usize) -> i64 {
        let i = self.marks.partition_point(|(end, _)| *end < pos);
        self.marks
            .get(i)
            .or(self.marks.last())
            .map_or(self.first_ts, |m| m.1)
    }
}

/// Reassemble every (src, dst) flow in `segments`.
pub fn reassemble(segments: Vec<OwnedSegment>) -> Vec<Stream> {
    let mut flows: BTreeMap<(SocketAddr, SocketAddr), Vec<OwnedSegment>> = BTreeMap::new();
    for s in segments {
        flows.entry((s.src, s.dst)).or_default().push(s);
    }
    flows
        .into_iter()
        .map(|((src, dst), segs)| build(src, dst, segs))
        .collect()
}

fn build(src: SocketAddr, dst: SocketAddr, segs: Vec<OwnedSegment>) -> Stream {
    let first_ts = segs.first().map_or(0, |s| s.ts_us);
    let base = segs
        .iter()
        .find(|s| s.seq_is_syn)
        .map(|s| s.seq.wrapping_add(1))
        .or_else(|| segs.iter().find(|s| !s.payload.is_empty()).map(|s| s.seq));
    let mut stream = Stream {
        src: Some(src),
        dst: Some(dst),
        first_ts,
        ..Stream::default()
    };
    let Some(base) = base else {
        return stream;
    };
    // Relative positions; a sequence number "before" the base (a retransmission of data sent
    // before the capture started) is negative and dropped.
    let mut ordered: Vec<(i64, i64, Vec<u8>)> = segs
        .into_iter()
        .filter(|s| !s.payload.is_empty())
        .map(|s| {
            let data_seq = if s.seq_is_syn {
                s.seq.wrapping_add(1)
            } else {
                s.seq
            };
            (
                i64::from(data_seq.wrapping_sub(base) as i32),
                s.ts_us,
                s.payload,
            )
        })
        .filter(|(rel, _, _)| *rel >= 0)
        .collect();
    ordered.sort_by_key(|(rel, _, _)| *rel);
    let mut next: i64 = 0;
    for (rel, ts, payload) in ordered {
        if rel > next {
            stream.gap_at = Some(stream.data.len());
            break;
        }
        let end = rel + payload.len() as i64;
        if end <= next {
            continue;
        }
        let skip = (next - rel) as usize;
        stream
            .data
            .extend_from_slice(payload.get(skip..).unwrap_or(&[]));
        stream.marks.push((stream.data.len(), ts));
        next = end;
    }
    stream
}
