//! `kafka-cli send`: fire one request at any Kafka-compatible broker and print the decoded
//! response. The version is the highest both sides support (from ApiVersions) unless
//! `--api-version` says otherwise; lookups a request needs (partition count, topic id) are
//! made with Metadata first.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use kafka_wire::header::RequestHeader;
use kafka_wire::messages::{api_versions, create_topics, fetch, list_offsets, metadata, produce};
use kafka_wire::primitives::{Records, Uuid};
use kafka_wire::records::{build_batch, BatchSpec, Compression, Record};
use kafka_wire::{ApiKey, RequestBody, ResponseBody};

use crate::client::Conn;
use crate::decode::frames::{decode_response, Frame};
use crate::decode::{records, render};

/// Arguments of `send`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Broker address.
    #[arg(long, default_value = "127.0.0.1:9093", global = true)]
    bootstrap: String,
    /// Request version (default: the highest both the broker and kafka-cli support).
    #[arg(long, global = true)]
    api_version: Option<i16>,
    /// Print the response as one JSON object instead of a tree.
    #[arg(long, global = true)]
    json: bool,
    /// Expand record data in the response (on by default for `fetch`).
    #[arg(long, global = true)]
    records: bool,
    /// The request.
    #[command(subcommand)]
    request: Req,
}

/// The requests `send` can build.
#[derive(clap::Subcommand, Debug, Clone)]
enum Req {
    /// ApiVersions: the APIs and versions the broker serves.
    ApiVersions,
    /// Metadata for the given topics (all topics when none).
    Metadata {
        /// Topics.
        topics: Vec<String>,
    },
    /// CreateTopics with one topic.
    CreateTopic {
        /// Topic name.
        name: String,
        /// Partitions.
        #[arg(long, default_value_t = 1)]
        partitions: i32,
        /// Replication factor.
        #[arg(long, default_value_t = 1)]
        replication_factor: i16,
    },
    /// Produce one batch holding one record per VALUE.
    Produce {
        /// Topic.
        topic: String,
        /// Record values.
        #[arg(required = true)]
        values: Vec<String>,
        /// Partition.
        #[arg(long, default_value_t = 0)]
        partition: i32,
        /// Key of every record (none when absent).
        #[arg(long)]
        key: Option<String>,
        /// acks: 0, 1 or -1.
        #[arg(long, default_value_t = -1, allow_hyphen_values = true)]
        acks: i16,
        /// Compression: none, gzip, snappy, lz4 or zstd.
        #[arg(long, default_value = "none")]
        compression: String,
    },
    /// Fetch from one partition at an offset (records expanded).
    Fetch {
        /// Topic.
        topic: String,
        /// Partition.
        #[arg(long, default_value_t = 0)]
        partition: i32,
        /// First offset to read.
        #[arg(long, default_value_t = 0)]
        offset: i64,
        /// Most bytes to return.
        #[arg(long, default_value_t = 1 << 20)]
        max_bytes: i32,
        /// How long the broker may wait for data.
        #[arg(long, default_value_t = 0)]
        max_wait_ms: i32,
    },
    /// ListOffsets for every partition of a topic.
    ListOffsets {
        /// Topic.
        topic: String,
        /// latest, earliest, or a timestamp in milliseconds.
        #[arg(long, default_value = "latest")]
        time: String,
    },
    /// Send a request frame as it is: a fixture file (raw, size prefix optional) or --hex.
    Raw {
        /// File holding the frame.
        file: Option<PathBuf>,
        /// The frame as hex.
        #[arg(long, conflicts_with = "file")]
        hex: Option<String>,
    },
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

struct Session {
    conn: Conn,
    broker: Vec<api_versions::ApiVersion>,
    forced: Option<i16>,
}

impl Session {
    async fn open(args: &Args) -> Result<Self> {
        let mut conn = Conn::connect(&args.bootstrap).await?;
        let req = RequestBody::ApiVersions(api_versions::ApiVersionsRequest {
            client_software_name: "kafka-cli".into(),
            client_software_version: env!("CARGO_PKG_VERSION").into(),
            ..Default::default()
        });
        let ResponseBody::ApiVersions(r) = conn.call(&req, 3).await? else {
            bail!("unexpected response to ApiVersions");
        };
        if r.error_code != 0 {
            bail!(
                "ApiVersions v3 refused: {}",
                kafka_wire::ErrorCode(r.error_code)
            );
        }
        Ok(Session {
            conn,
            broker: r.api_keys,
            forced: args.api_version,
        })
    }

    /// The version to send the user's request at: `--api-version`, else negotiated.
    fn version(&self, api: ApiKey) -> Result<i16> {
        match self.forced {
            Some(v) => Ok(v),
            None => self.negotiated(api),
        }
    }

    /// The highest version of `api` both sides support.
    fn negotiated(&self, api: ApiKey) -> Result<i16> {
        let (lo, hi) = api.codec_versions();
        let b = self
            .broker
            .iter()
            .find(|a| a.api_key == api as i16)
            .with_context(|| format!("the broker does not serve {}", api.name()))?;
        let v = hi.min(b.max_version);
        if v < lo.max(b.min_version) {
            bail!(
                "no common version of {}: broker {}..={}, kafka-cli {lo}..={hi}",
                api.name(),
                b.min_version,
                b.max_version
            );
        }
        Ok(v)
    }

    /// Send `body` at the negotiated version; returns the raw response as a decoded frame.
    async fn call(&mut self, mut body: RequestBody) -> Result<Frame> {
        let api = body.api_key();
        let v = self.version(api)?;
        body.fit_version(v);
        self.conn.send(&body, v, true).await?;
        let (frame, api, v, _) = self.conn.recv_frame().await?;
        Ok(decode_response(&frame, api as i16, v))
    }

    /// Metadata for one topic: its id and partition count.
    async fn topic(&mut self, topic: &str) -> Result<(Uuid, Vec<i32>)> {
        let req = metadata_request(&[topic.to_string()]);
        let v = self.negotiated(ApiKey::Metadata)?;
        let mut body = req;
        body.fit_version(v);
        let ResponseBody::Metadata(r) = self.conn.call(&body, v).await? else {
            bail!("unexpected response to Metadata");
        };
        let t = r
            .topics
            .first()
            .context("no topic in the Metadata response")?;
        if t.error_code != 0 {
            bail!("{topic}: {}", kafka_wire::ErrorCode(t.error_code));
        }
        Ok((
            t.topic_id,
            t.partitions.iter().map(|p| p.partition_index).collect(),
        ))
    }
}

fn metadata_request(topics: &[String]) -> RequestBody {
    RequestBody::Metadata(metadata::MetadataRequest {
        topics: (!topics.is_empty()).then(|| {
            topics
                .iter()
                .map(|t| metadata::MetadataRequestTopic {
                    name: Some(t.clone()),
                    ..Default::default()
                })
                .collect()
        }),
        ..Default::default()
    })
}

fn compression(name: &str) -> Result<Compression> {
    Ok(match name {
        "none" => Compression::None,
        "gzip" => Compression::Gzip,
        "snappy" => Compression::Snappy,
        "lz4" => Compression::Lz4,
        "zstd" => Compression::Zstd,
        other => bail!("unknown compression {other:?}"),
    })
}

fn list_offsets_time(s: &str) -> Result<i64> {
    Ok(match s {
        "latest" => -1,
        "earliest" => -2,
        ms => ms
            .parse()
            .with_context(|| format!("--time {ms:?}: latest, earliest or milliseconds"))?,
    })
}

/// Strip a size prefix if the bytes carry one that matches.
fn unframe(data: Bytes) -> Bytes {
    match data
        .get(..4)
        .map(|p| i32::from_be_bytes([p[0], p[1], p[2], p[3]]))
    {
        Some(n) if usize::try_from(n).ok() == Some(data.len() - 4) => data.slice(4..),
        _ => data,
    }
}

fn hex_bytes(s: &str) -> Result<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !clean.len().is_multiple_of(2) {
        bail!("odd number of hex digits");
    }
    (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(clean.get(i..i + 2).unwrap_or(""), 16))
        .collect::<Result<_, _>>()
        .context("not hex")
}

async fn request(args: &Args, s: &mut Session) -> Result<Option<Frame>> {
    let body = match &args.request {
        Req::ApiVersions => RequestBody::ApiVersions(api_versions::ApiVersionsRequest {
            client_software_name: "kafka-cli".into(),
            client_software_version: env!("CARGO_PKG_VERSION").into(),
            ..Default::default()
        }),
        Req::Metadata { topics } => metadata_request(topics),
        Req::CreateTopic {
            name,
            partitions,
            replication_factor,
        } => RequestBody::CreateTopics(create_topics::CreateTopicsRequest {
            topics: vec![create_topics::CreatableTopic {
                name: name.clone(),
                num_partitions: *partitions,
                replication_factor: *replication_factor,
                ..Default::default()
            }],
            timeout_ms: 30_000,
            ..Default::default()
        }),
        Req::Produce {
            topic,
            values,
            partition,
            key,
            acks,
            compression: codec,
        } => {
            let records: Vec<Record> = values
                .iter()
                .enumerate()
                .map(|(i, v)| Record {
                    offset_delta: i as i32,
                    key: key.clone().map(Bytes::from),
                    value: Some(Bytes::from(v.clone())),
                    ..Default::default()
                })
                .collect();
            let spec = BatchSpec {
                compression: compression(codec)?,
                base_timestamp: now_ms(),
                ..BatchSpec::default()
            };
            let batch = build_batch(&spec, &records)?;
            let body = RequestBody::Produce(produce::ProduceRequest {
                acks: *acks,
                timeout_ms: 30_000,
                topic_data: vec![produce::TopicProduceData {
                    name: topic.clone(),
                    partition_data: vec![produce::PartitionProduceData {
                        index: *partition,
                        records: Some(Records(batch)),
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            });
            if *acks == 0 {
                let v = s.version(ApiKey::Produce)?;
                s.conn.send(&body, v, false).await?;
                println!("sent Produce v{v} with acks=0: the broker sends no response");
                return Ok(None);
            }
            body
        }
        Req::Fetch {
            topic,
            partition,
            offset,
            max_bytes,
            max_wait_ms,
        } => {
            let (topic_id, _) = s.topic(topic).await?;
            RequestBody::Fetch(fetch::FetchRequest {
                replica_id: -1,
                max_wait_ms: *max_wait_ms,
                min_bytes: 1,
                max_bytes: *max_bytes,
                session_epoch: -1,
                topics: vec![fetch::FetchTopic {
                    topic: topic.clone(),
                    topic_id,
                    partitions: vec![fetch::FetchPartition {
                        partition: *partition,
                        fetch_offset: *offset,
                        partition_max_bytes: *max_bytes,
                        current_leader_epoch: -1,
                        last_fetched_epoch: -1,
                        log_start_offset: -1,
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            })
        }
        Req::ListOffsets { topic, time } => {
            let timestamp = list_offsets_time(time)?;
            let (_, partitions) = s.topic(topic).await?;
            RequestBody::ListOffsets(list_offsets::ListOffsetsRequest {
                replica_id: -1,
                topics: vec![list_offsets::ListOffsetsTopic {
                    name: topic.clone(),
                    partitions: partitions
                        .into_iter()
                        .map(|p| list_offsets::ListOffsetsPartition {
                            partition_index: p,
                            current_leader_epoch: -1,
                            timestamp,
                            max_num_offsets: 1,
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                }],
                timeout_ms: 30_000,
                ..Default::default()
            })
        }
        Req::Raw { file, hex } => {
            let data = match (file, hex) {
                (Some(f), _) => std::fs::read(f).with_context(|| f.display().to_string())?,
                (_, Some(h)) => hex_bytes(h)?,
                _ => bail!("raw needs a FILE or --hex"),
            };
            let frame = unframe(Bytes::from(data));
            let (header, _) = RequestHeader::split(&frame).context("not a request frame")?;
            let api = ApiKey::from_i16(header.api_key)
                .with_context(|| format!("unknown API key {}", header.api_key))?;
            s.conn.send_frame(&frame, api, header.api_version).await?;
            let (resp, api, v, _) = s.conn.recv_frame().await?;
            return Ok(Some(decode_response(&resp, api as i16, v)));
        }
    };
    s.call(body).await.map(Some)
}

/// Run `send`; prints the decoded response (exit status 1 if it does not decode).
pub fn run(args: &Args) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let frame = rt.block_on(async {
        let mut s = Session::open(args).await?;
        request(args, &mut s).await
    })?;
    let Some(mut f) = frame else {
        return Ok(());
    };
    if args.records || matches!(args.request, Req::Fetch { .. }) {
        f.body = f.body.map(records::expand);
    }
    if args.json {
        println!("{}", render::json(&f));
    } else {
        print!("{}", render::tree(&f));
    }
    if let Some(e) = &f.error {
        bail!("the response did not decode: {e}");
    }
    Ok(())
}
