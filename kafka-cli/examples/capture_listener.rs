//! A recording Kafka listener for capturing what real clients put on the wire.
//!
//! Not a broker: it answers just enough for a producer (ApiVersions, Metadata, InitProducerId,
//! Produce — acknowledging without storing) and writes every request frame it receives, size
//! prefix stripped, to `OUT_DIR/<prefix>-<seq>-<api>-v<version>.bin`. `scripts/capture-clients.sh`
//! drives kcat, confluent-kafka, kafka-python and kafkajs against it to refresh
//! `fixtures/captures/`.
//!
//! Usage: cargo run -p kafka-cli --example capture_listener -- PORT OUT_DIR PREFIX

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use kafka_wire::api::SUPPORTED;
use kafka_wire::frame::{frame_size, Request, Response};
use kafka_wire::header::ResponseHeader;
use kafka_wire::messages::{api_versions, init_producer_id, metadata, produce};
use kafka_wire::primitives::Uuid;
use kafka_wire::{ErrorCode, RequestBody, ResponseBody};

const PARTITIONS: i32 = 2;

struct State {
    port: i32,
    out: PathBuf,
    prefix: String,
    seq: AtomicUsize,
    offsets: Mutex<HashMap<(String, i32), i64>>,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [port, out, prefix] = args.as_slice() else {
        bail!("usage: capture_listener PORT OUT_DIR PREFIX");
    };
    let listener = TcpListener::bind(("127.0.0.1", port.parse::<u16>()?))?;
    let state = Arc::new(State {
        port: port.parse()?,
        out: PathBuf::from(out),
        prefix: prefix.clone(),
        seq: AtomicUsize::new(0),
        offsets: Mutex::new(HashMap::new()),
    });
    std::fs::create_dir_all(&state.out)?;
    eprintln!("capture listener on 127.0.0.1:{port}, writing {out}/{prefix}-*.bin");
    for conn in listener.incoming() {
        let (conn, state) = (conn?, state.clone());
        std::thread::spawn(move || {
            if let Err(e) = serve(conn, &state) {
                eprintln!("connection: {e:#}");
            }
        });
    }
    Ok(())
}

fn serve(mut conn: TcpStream, state: &State) -> Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        while let Some(size) = frame_size(&buf, 100 << 20)? {
            let frame = Bytes::copy_from_slice(&buf[4..4 + size]);
            buf.drain(..4 + size);
            if let Some(reply) = handle(&frame, state)? {
                conn.write_all(&(reply.len() as i32).to_be_bytes())?;
                conn.write_all(&reply)?;
            }
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn handle(frame: &Bytes, state: &State) -> Result<Option<Bytes>> {
    let req = Request::decode(frame).context("decoding request")?;
    let (api, v) = (req.body.api_key(), req.header.api_version);
    let seq = state.seq.fetch_add(1, Ordering::SeqCst);
    let name = format!("{}-{seq:03}-{}-v{v}.bin", state.prefix, api.name());
    std::fs::write(state.out.join(name), frame)?;
    let body = match req.body {
        RequestBody::ApiVersions(_) => {
            ResponseBody::ApiVersions(api_versions::ApiVersionsResponse {
                api_keys: SUPPORTED
                    .iter()
                    .map(|s| api_versions::ApiVersion {
                        api_key: s.api as i16,
                        min_version: s.min,
                        max_version: s.max,
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            })
        }
        RequestBody::Metadata(m) => ResponseBody::Metadata(metadata_response(&m, state)),
        RequestBody::InitProducerId(_) => {
            ResponseBody::InitProducerId(init_producer_id::InitProducerIdResponse {
                producer_id: 4242,
                producer_epoch: 0,
                ..Default::default()
            })
        }
        RequestBody::Produce(p) => {
            if p.acks == 0 {
                return Ok(None);
            }
            ResponseBody::Produce(produce_response(&p, state))
        }
        other => bail!("capture listener does not answer {:?}", other.api_key()),
    };
    let resp = Response {
        header: ResponseHeader {
            correlation_id: req.header.correlation_id,
            ..Default::default()
        },
        body,
    };
    Ok(Some(resp.to_bytes(v)?))
}

fn metadata_response(m: &metadata::MetadataRequest, state: &State) -> metadata::MetadataResponse {
    let names: Vec<String> = m
        .topics
        .iter()
        .flatten()
        .filter_map(|t| t.name.clone())
        .collect();
    metadata::MetadataResponse {
        brokers: vec![metadata::MetadataResponseBroker {
            node_id: 0,
            host: "127.0.0.1".into(),
            port: state.port,
            rack: None,
            ..Default::default()
        }],
        cluster_id: Some("capture-cluster".into()),
        controller_id: 0,
        topics: names
            .into_iter()
            .map(|name| metadata::MetadataResponseTopic {
                topic_id: Uuid([7; 16]),
                name: Some(name),
                partitions: (0..PARTITIONS)
                    .map(|p| metadata::MetadataResponsePartition {
                        partition_index: p,
                        leader_id: 0,
                        leader_epoch: 0,
                        replica_nodes: vec![0],
                        isr_nodes: vec![0],
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn produce_response(p: &produce::ProduceRequest, state: &State) -> produce::ProduceResponse {
    let mut offsets = state.offsets.lock().unwrap_or_else(|e| e.into_inner());
    produce::ProduceResponse {
        responses: p
            .topic_data
            .iter()
            .map(|t| produce::TopicProduceResponse {
                name: t.name.clone(),
                partition_responses: t
                    .partition_data
                    .iter()
                    .map(|pd| {
                        let count: i64 = pd
                            .records
                            .as_ref()
                            .map(|r| {
                                kafka_wire::records::batches(&r.0)
                                    .flatten()
                                    .map(|b| i64::from(b.header.last_offset_delta) + 1)
                                    .sum()
                            })
                            .unwrap_or(0);
                        let next = offsets.entry((t.name.clone(), pd.index)).or_insert(0);
                        let base = *next;
                        *next += count.max(1);
                        produce::PartitionProduceResponse {
                            index: pd.index,
                            error_code: ErrorCode::NONE.0,
                            base_offset: base,
                            ..Default::default()
                        }
                    })
                    .collect(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}
