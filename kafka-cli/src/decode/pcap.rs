//! Reading pcap and pcapng files (`pcap-parser`, streaming) into the TCP segments that touch
//! the Kafka ports, with their capture times.

use std::io::Read;

use pcap_parser::pcapng::Block;
use pcap_parser::{create_reader, PcapBlockOwned, PcapError};

use super::link::tcp_segment;
use super::tcp::OwnedSegment;

/// Why a capture file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PcapReadError {
    /// Not a pcap or pcapng file, or a block is malformed.
    #[error("not a readable pcap/pcapng file: {0}")]
    Format(String),
    /// A packet referenced an interface the file never described.
    #[error("packet on undeclared interface {0}")]
    Interface(u32),
}

#[derive(Clone, Copy)]
struct Interface {
    link: i32,
    units_per_sec: u64,
    offset_secs: i64,
}

fn micros(secs: i64, frac: u64, units_per_sec: u64) -> i64 {
    let frac_us = if units_per_sec == 0 {
        0
    } else {
        (u128::from(frac) * 1_000_000 / u128::from(units_per_sec)) as i64
    };
    secs.saturating_mul(1_000_000).saturating_add(frac_us)
}

/// Every TCP segment in the capture with a port in `ports` on either side, in file order.
pub fn read_segments(
    input: impl Read + Send,
    ports: &[u16],
) -> Result<Vec<OwnedSegment>, PcapReadError> {
    let mut reader =
        create_reader(1 << 20, input).map_err(|e| PcapReadError::Format(format!("{e:?}")))?;
    let mut out = Vec::new();
    let mut legacy: Option<Interface> = None;
    let mut interfaces: Vec<Interface> = Vec::new();
    let keep = |link: i32, ts: i64, data: &[u8], out: &mut Vec<OwnedSegment>| {
        if let Some(s) = tcp_segment(link, data) {
            if ports.contains(&s.src.port()) || ports.contains(&s.dst.port()) {
                out.push(OwnedSegment {
                    ts_us: ts,
                    src: s.src,
                    dst: s.dst,
                    seq: s.seq,
                    seq_is_syn: s.syn,
                    payload: s.payload.to_vec(),
                });
            }
        }
    };
    loop {
        match reader.next() {
            Ok((consumed, block)) => {
                match block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        legacy = Some(Interface {
                            link: h.network.0,
                            units_per_sec: if h.is_nanosecond_precision() {
                                1_000_000_000
                            } else {
                                1_000_000
                            },
                            offset_secs: 0,
                        });
                    }
                    PcapBlockOwned::Legacy(p) => {
                        let iface = legacy.ok_or(PcapReadError::Interface(0))?;
                        let ts = micros(
                            i64::from(p.ts_sec),
                            u64::from(p.ts_usec),
                            iface.units_per_sec,
                        );
                        keep(iface.link, ts, p.data, &mut out);
                    }
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => {
                        interfaces.clear();
                    }
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        interfaces.push(Interface {
                            link: idb.linktype.0,
                            units_per_sec: idb.ts_resolution().unwrap_or(1_000_000),
                            offset_secs: idb.ts_offset(),
                        });
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        let iface = *interfaces
                            .get(epb.if_id as usize)
                            .ok_or(PcapReadError::Interface(epb.if_id))?;
                        let raw = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                        let per = iface.units_per_sec.max(1);
                        let ts = micros(
                            iface.offset_secs.saturating_add((raw / per) as i64),
                            raw % per,
                            per,
                        );
                        let len = (epb.caplen as usize).min(epb.data.len());
                        keep(iface.link, ts, epb.data.get(..len).unwrap_or(&[]), &mut out);
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                        let iface = *interfaces.first().ok_or(PcapReadError::Interface(0))?;
                        keep(iface.link, 0, spb.data, &mut out);
                    }
                    PcapBlockOwned::NG(_) => {}
                }
                reader.consume(consumed);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => {
                reader
                    .refill()
                    .map_err(|e| PcapReadError::Format(format!("{e:?}")))?;
            }
            Err(e) => return Err(PcapReadError::Format(format!("{e:?}"))),
        }
    }
    Ok(out)
}
