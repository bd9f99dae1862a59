//! `kafka-cli bench produce|fetch`: the project's load generator. Produce sends pre-built record
//! batches pipelined (`--inflight`) over one or more connections; fetch reads a partition from
//! the start to its high watermark. Prints records/s, MB/s and latency percentiles.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use kafka_wire::messages::{create_topics, fetch, produce};
use kafka_wire::primitives::Records;
use kafka_wire::records::{self, BatchSpec, Record};
use kafka_wire::{ErrorCode, RequestBody, ResponseBody};

use crate::client::Conn;

/// Which benchmark to run.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Mode {
    /// Produce records.
    Produce,
    /// Fetch a partition from offset 0 to its end.
    Fetch,
}

/// Arguments of `bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// produce or fetch.
    #[arg(value_enum)]
    mode: Mode,
    /// Broker address.
    #[arg(long, default_value = "127.0.0.1:9093")]
    bootstrap: String,
    /// Topic (created with one partition if missing).
    #[arg(long, default_value = "bench")]
    topic: String,
    /// Records to produce.
    #[arg(long, default_value_t = 1_000_000)]
    records: u64,
    /// Bytes of each record value.
    #[arg(long, default_value_t = 1024)]
    record_size: usize,
    /// Records per batch (produce request).
    #[arg(long, default_value_t = 1000)]
    batch_records: usize,
    /// Requests in flight per connection.
    #[arg(long, default_value_t = 8)]
    inflight: usize,
    /// Connections (produce).
    #[arg(long, default_value_t = 1)]
    connections: usize,
    /// acks for produce: 0, 1 or -1.
    #[arg(long, default_value_t = -1, allow_hyphen_values = true)]
    acks: i16,
    /// Fetch max_bytes (and partition_max_bytes).
    #[arg(long, default_value_t = 16 << 20)]
    fetch_bytes: i32,
}

fn batch(records: usize, size: usize) -> Result<Bytes> {
    let value = Bytes::from(vec![b'x'; size]);
    let recs: Vec<Record> = (0..records)
        .map(|i| Record {
            offset_delta: i as i32,
            value: Some(value.clone()),
            ..Default::default()
        })
        .collect();
    Ok(records::build_batch(&BatchSpec::default(), &recs)?)
}

fn bar(total: u64) -> ProgressBar {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} records {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

fn summary(what: &str, records: u64, bytes: u64, elapsed: Duration, lat: &Histogram<u64>) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{what}: {records} records, {:.1} MB in {secs:.2}s — {:.0} records/s, {:.1} MB/s; latency p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms",
        bytes as f64 / 1e6,
        records as f64 / secs,
        bytes as f64 / 1e6 / secs,
        lat.value_at_quantile(0.5) as f64 / 1000.0,
        lat.value_at_quantile(0.99) as f64 / 1000.0,
        lat.value_at_quantile(0.999) as f64 / 1000.0,
    );
}

async fn ensure_topic(addr: &str, topic: &str) -> Result<()> {
    let mut c = Conn::connect(addr).await?;
    let req = RequestBody::CreateTopics(create_topics::CreateTopicsRequest {
        topics: vec![create_topics::CreatableTopic {
            name: topic.into(),
            num_partitions: 1,
            replication_factor: 1,
            ..Default::default()
        }],
        timeout_ms: 10_000,
        ..Default::default()
    });
    let ResponseBody::CreateTopics(r) = c.call(&req, 5).await? else {
        bail!("unexpected response")
    };
    let code = ErrorCode(r.topics.first().map_or(0, |t| t.error_code));
    if !code.is_ok() && code != ErrorCode::TOPIC_ALREADY_EXISTS {
        bail!("creating {topic}: {code}");
    }
    Ok(())
}

async fn produce_conn(
    args: &Args,
    requests: u64,
    data: Bytes,
    pb: ProgressBar,
) -> Result<Histogram<u64>> {
    let mut c = Conn::connect(&args.bootstrap).await?;
    let mut lat = Histogram::<u64>::new(3)?;
    let req = RequestBody::Produce(produce::ProduceRequest {
        acks: args.acks,
        timeout_ms: 30_000,
        topic_data: vec![produce::TopicProduceData {
            name: args.topic.clone(),
            partition_data: vec![produce::PartitionProduceData {
                index: 0,
                records: Some(Records(data)),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    });
    let mut sent = 0;
    while sent < requests || c.inflight() > 0 {
        while sent < requests && c.inflight() < args.inflight {
            c.send(&req, 9, args.acks != 0).await?;
            sent += 1;
            if args.acks == 0 {
                pb.inc(args.batch_records as u64);
            }
        }
        if c.inflight() == 0 {
            continue;
        }
        let (resp, rtt) = c.recv().await?;
        let ResponseBody::Produce(r) = resp else {
            bail!("unexpected response")
        };
        let code = ErrorCode(
            r.responses
                .first()
                .and_then(|t| t.partition_responses.first())
                .map_or(-1, |p| p.error_code),
        );
        if !code.is_ok() {
            bail!("produce failed: {code}");
        }
        lat.record(rtt.as_micros() as u64)?;
        pb.inc(args.batch_records as u64);
    }
    Ok(lat)
}

async fn bench_produce(args: &Args) -> Result<()> {
    ensure_topic(&args.bootstrap, &args.topic).await?;
    let data = batch(args.batch_records, args.record_size)?;
    let requests = args.records.div_ceil(args.batch_records as u64);
    let per_conn = requests.div_ceil(args.connections as u64);
    let pb = bar(requests * args.batch_records as u64);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..args.connections as u64 {
        let count = per_conn.min(requests.saturating_sub(n * per_conn));
        let (args2, data, pb) = (args.clone(), data.clone(), pb.clone());
        tasks.push(tokio::spawn(async move {
            produce_conn(&args2, count, data, pb).await
        }));
    }
    let mut lat = Histogram::<u64>::new(3)?;
    for t in tasks {
        lat.add(t.await??)?;
    }
    let elapsed = start.elapsed();
    pb.finish_and_clear();
    let records = requests * args.batch_records as u64;
    summary(
        "produce",
        records,
        records * args.record_size as u64,
        elapsed,
        &lat,
    );
    Ok(())
}

async fn bench_fetch(args: &Args) -> Result<()> {
    let mut c = Conn::connect(&args.bootstrap).await?;
    let mut lat = Histogram::<u64>::new(3)?;
    let (mut offset, mut records, mut bytes) = (0i64, 0u64, 0u64);
    let mut hw = i64::MAX;
    let pb = bar(0);
    let start = Instant::now();
    while offset < hw {
        let req = RequestBody::Fetch(fetch::FetchRequest {
            replica_id: -1,
            max_wait_ms: 500,
            min_bytes: 1,
            max_bytes: args.fetch_bytes,
            isolation_level: 0,
            session_epoch: -1,
            topics: vec![fetch::FetchTopic {
                topic: args.topic.clone(),
                partitions: vec![fetch::FetchPartition {
                    partition: 0,
                    fetch_offset: offset,
                    partition_max_bytes: args.fetch_bytes,
                    log_start_offset: -1,
                    current_leader_epoch: -1,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        });
        c.send(&req, 12, true).await?;
        let (resp, rtt) = c.recv().await?;
        lat.record(rtt.as_micros() as u64)?;
        let ResponseBody::Fetch(r) = resp else {
            bail!("unexpected response")
        };
        let p = r
            .responses
            .first()
            .and_then(|t| t.partitions.first())
            .context("empty fetch response")?;
        if p.error_code != 0 {
            bail!("fetch failed: {}", ErrorCode(p.error_code));
        }
        hw = p.high_watermark;
        pb.set_length(hw as u64);
        let data = p.records.as_ref().map(|r| r.0.clone()).unwrap_or_default();
        bytes += data.len() as u64;
        for b in records::batches(&data).flatten() {
            let n = b.header.last_offset() + 1 - b.header.base_offset.max(offset);
            records += n.max(0) as u64;
            offset = b.header.last_offset() + 1;
        }
        pb.set_position(offset as u64);
    }
    pb.finish_and_clear();
    summary("fetch", records, bytes, start.elapsed(), &lat);
    Ok(())
}

/// Run the benchmark.
pub fn run(args: &Args) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        match args.mode {
            Mode::Produce => bench_produce(args).await,
            Mode::Fetch => bench_fetch(args).await,
        }
    })
}
