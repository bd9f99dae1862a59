//! `kafka-cli decode`: Kafka bytes someone captured, decoded exactly.
//!
//! Inputs: `--hex`, files or stdin holding hex text (plain, `xxd`, `hexdump -C`, tshark `-x`)
//! or raw binary frames, or `--pcap` (pcap and pcapng, TCP reassembled per connection on the
//! Kafka ports). Pasted tshark packets and pcaps go through the same reassembly, so requests
//! and responses are told apart by port and paired by correlation id.

pub mod frames;
mod link;
mod pcap;
pub mod records;
pub mod render;
mod tcp;
mod text;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bytes::Bytes;

use frames::{split_blob, split_stream, Direction, Frame, Hints, Pairing};
use tcp::{OwnedSegment, Stream};

/// Arguments of `decode`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Files holding hex text or raw binary frames; stdin when none is given.
    pub files: Vec<PathBuf>,
    /// Hex to decode, given on the command line.
    #[arg(long, conflicts_with_all = ["files", "pcap"])]
    pub hex: Option<String>,
    /// A pcap or pcapng capture: TCP streams on `--port` are reassembled and decoded.
    #[arg(long, conflicts_with = "files")]
    pub pcap: Option<PathBuf>,
    /// Broker ports: traffic to them is requests, from them responses.
    #[arg(long, value_delimiter = ',', default_values_t = [9092u16, 9093])]
    pub port: Vec<u16>,
    /// Every frame is a request.
    #[arg(long, conflicts_with = "response")]
    pub request: bool,
    /// Every frame is a response (to `--api-key` at `--api-version` unless its request is in
    /// the input).
    #[arg(long)]
    pub response: bool,
    /// API key of responses whose request is not in the input.
    #[arg(long)]
    pub api_key: Option<i16>,
    /// API version of responses whose request is not in the input.
    #[arg(long)]
    pub api_version: Option<i16>,
    /// One JSON object per frame per line instead of a tree.
    #[arg(long)]
    pub json: bool,
    /// Expand record data into batches and records (decompressed).
    #[arg(long)]
    pub records: bool,
}

impl Args {
    fn hints(&self) -> Hints {
        Hints {
            direction: match (self.request, self.response) {
                (true, _) => Some(Direction::Request),
                (_, true) => Some(Direction::Response),
                _ => None,
            },
            api_key: self.api_key,
            api_version: self.api_version,
        }
    }
}

/// Decode frames from reassembled TCP streams: direction by port, pairing per connection,
/// output in capture order.
fn from_streams(streams: &[Stream], ports: &[u16], hints: &Hints) -> Vec<Frame> {
    let role = |s: &Stream| match (s.src, s.dst) {
        (_, Some(d)) if ports.contains(&d.port()) => Some(Direction::Request),
        (Some(s), _) if ports.contains(&s.port()) => Some(Direction::Response),
        _ => hints.direction,
    };
    let mut pairings: HashMap<(Option<SocketAddr>, Option<SocketAddr>), Pairing> = HashMap::new();
    let mut out = Vec::new();
    for pass in [Some(Direction::Request), Some(Direction::Response), None] {
        for s in streams.iter().filter(|s| role(s) == pass) {
            let conn = match pass {
                Some(Direction::Response) => (s.dst, s.src),
                _ => (s.src, s.dst),
            };
            let pairing = pairings.entry(conn).or_default();
            let h = Hints {
                direction: pass,
                ..*hints
            };
            let data = Bytes::from(s.data.clone());
            let (found, tail) = split_stream(&data);
            let mut pos = 0;
            let stamp = |mut f: Frame, pos: usize| {
                f.ts_us = Some(s.time_at(pos));
                f.src = s.src;
                f.dst = s.dst;
                f
            };
            for frame in found {
                pos += 4 + frame.len();
                out.push(stamp(pairing.auto(&frame, &h), pos));
            }
            let problems = [
                tail.err(),
                s.gap_at.map(|g| {
                    format!("the capture misses bytes after stream byte {g}; the rest of this direction is not decoded")
                }),
            ];
            for e in problems.into_iter().flatten() {
                let f = Frame {
                    direction: pass,
                    error: Some(e),
                    ..Frame::default()
                };
                out.push(stamp(f, data.len()));
            }
        }
    }
    out.sort_by_key(|f| f.ts_us);
    out
}

/// Pasted sections to TCP segments where they are whole packets (tshark `-x`), else raw
/// chunks. A `Reassembled TCP` section stands for the PDU ending with its packet's payload.
fn sections_to_input(sections: Vec<text::Section>) -> (Vec<OwnedSegment>, Vec<Bytes>) {
    let (mut segments, mut chunks) = (Vec::new(), Vec::new());
    let mut i = 0;
    while let Some(s) = sections.get(i) {
        i += 1;
        let reassembled = sections.get(i).filter(|n| {
            n.label
                .as_deref()
                .is_some_and(|l| l.starts_with("Reassembled"))
        });
        let seg = s.dump.then(|| link::guess_tcp_segment(&s.bytes)).flatten();
        match seg {
            Some(seg) => {
                let (seq, payload) = match reassembled {
                    Some(r) => {
                        i += 1;
                        let end = seg.seq.wrapping_add(seg.payload.len() as u32);
                        (end.wrapping_sub(r.bytes.len() as u32), r.bytes.clone())
                    }
                    None => (seg.seq, seg.payload.to_vec()),
                };
                segments.push(OwnedSegment {
                    ts_us: segments.len() as i64,
                    src: seg.src,
                    dst: seg.dst,
                    seq,
                    seq_is_syn: seg.syn && reassembled.is_none(),
                    payload,
                });
            }
            None => chunks.push(Bytes::from(s.bytes.clone())),
        }
    }
    (segments, chunks)
}

/// Decode hex text or raw binary frames.
pub fn decode_bytes(data: &[u8], ports: &[u16], hints: &Hints) -> Result<Vec<Frame>> {
    let (segments, chunks) = if text::looks_like_text(data) {
        let text = std::str::from_utf8(data).context("input is not UTF-8 text")?;
        sections_to_input(text::parse(text)?)
    } else {
        (Vec::new(), vec![Bytes::copy_from_slice(data)])
    };
    if segments.is_empty() && chunks.is_empty() {
        bail!("no bytes in the input");
    }
    let mut out = from_streams(&tcp::reassemble(segments), ports, hints);
    for f in &mut out {
        f.ts_us = None;
    }
    let mut pairing = Pairing::default();
    for chunk in chunks {
        for frame in split_blob(&chunk) {
            out.push(pairing.auto(&frame, hints));
        }
    }
    Ok(out)
}

fn print(frames: Vec<Frame>, args: &Args, out: &mut impl Write) -> Result<bool> {
    let mut failed = false;
    for mut f in frames {
        if args.records {
            f.body = f.body.map(records::expand);
        }
        failed |= f.error.is_some();
        if args.json {
            writeln!(out, "{}", render::json(&f))?;
        } else {
            write!(out, "{}", render::tree(&f))?;
        }
    }
    Ok(failed)
}

/// Run `decode`; frames that fail to decode are printed with their error and make the exit
/// status 1.
pub fn run(args: &Args) -> Result<()> {
    let hints = args.hints();
    let frames = if let Some(path) = &args.pcap {
        let file = std::fs::File::open(path).with_context(|| path.display().to_string())?;
        let segments = pcap::read_segments(std::io::BufReader::new(file), &args.port)
            .with_context(|| path.display().to_string())?;
        from_streams(&tcp::reassemble(segments), &args.port, &hints)
    } else if let Some(hex) = &args.hex {
        decode_bytes(hex.as_bytes(), &args.port, &hints)?
    } else if args.files.is_empty() {
        let mut data = Vec::new();
        std::io::stdin().read_to_end(&mut data)?;
        decode_bytes(&data, &args.port, &hints)?
    } else {
        let mut all = Vec::new();
        for path in &args.files {
            let data = std::fs::read(path).with_context(|| path.display().to_string())?;
            all.push(data);
        }
        decode_files(&all, &args.port, &hints)?
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let failed = print(frames, args, &mut out)?;
    out.flush()?;
    if failed {
        std::process::exit(1);
    }
    Ok(())
}

/// Several files decode as one input, so a response file pairs with its request file.
fn decode_files(files: &[Vec<u8>], ports: &[u16], hints: &Hints) -> Result<Vec<Frame>> {
    let mut out = Vec::new();
    let mut pairing = Pairing::default();
    for data in files {
        if text::looks_like_text(data) {
            out.extend(decode_bytes(data, ports, hints)?);
            continue;
        }
        for frame in split_blob(&Bytes::copy_from_slice(data)) {
            out.push(pairing.auto(&frame, hints));
        }
    }
    Ok(out)
}
