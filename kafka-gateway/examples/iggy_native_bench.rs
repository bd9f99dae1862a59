//! The baseline for the Iggy backend's benchmark: the native `iggy` SDK sending the same records
//! `kafka-cli bench` produces through the gateway (same count, size, batch size and requests in
//! flight over one client), then polling them back from offset 0.
//!
//! ```sh
//! cargo run --release -p kafka-gateway --example iggy_native_bench -- \
//!     --url iggy://iggy:iggy@127.0.0.1:8090 --records 500000 --record-size 1024 --batch-records 1000
//! ```

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use bytes::Bytes;
use clap::Parser;
use iggy::prelude::{
    Client, CompressionAlgorithm, Consumer, Identifier, IggyClient, IggyExpiry, IggyMessage,
    MaxTopicSize, MessageClient, Partitioning, PollingStrategy, StreamClient, TopicClient,
};

/// Arguments (named like `kafka-cli bench`'s).
#[derive(Parser)]
struct Args {
    /// iggy://USER:PASSWORD@HOST:PORT
    #[arg(long, default_value = "iggy://iggy:iggy@127.0.0.1:8090")]
    url: String,
    /// Stream (created if missing).
    #[arg(long, default_value = "native-bench")]
    stream: String,
    /// Topic (recreated with one partition).
    #[arg(long, default_value = "bench")]
    topic: String,
    /// Messages to send.
    #[arg(long, default_value_t = 500_000)]
    records: usize,
    /// Payload bytes of each message.
    #[arg(long, default_value_t = 1024)]
    record_size: usize,
    /// Messages per send_messages call.
    #[arg(long, default_value_t = 1000)]
    batch_records: usize,
    /// Calls in flight (tasks sharing the one client, as the gateway does).
    #[arg(long, default_value_t = 8)]
    inflight: usize,
    /// Messages per poll when reading back.
    #[arg(long, default_value_t = 10_000)]
    poll_records: u32,
}

fn report(what: &str, records: usize, bytes: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what}: {records} records in {secs:.2} s: {:.0} records/s, {:.1} MB/s",
        records as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let client = Arc::new(IggyClient::from_connection_string(&a.url)?);
    client.connect().await.context("connecting to Iggy")?;
    let stream = Identifier::named(&a.stream)?;
    let topic = Identifier::named(&a.topic)?;
    if client.get_stream(&stream).await?.is_none() {
        client.create_stream(&a.stream).await?;
    }
    if client.get_topic(&stream, &topic).await?.is_some() {
        client.delete_topic(&stream, &topic).await?;
    }
    let none = CompressionAlgorithm::None;
    let (expiry, max) = (IggyExpiry::ServerDefault, MaxTopicSize::ServerDefault);
    client
        .create_topic(&stream, &a.topic, 1, none, None, expiry, max)
        .await?;

    let payload = Bytes::from(vec![b'x'; a.record_size]);
    let batches = a.records.div_ceil(a.batch_records);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..a.inflight {
        let (client, next, payload) = (client.clone(), next.clone(), payload.clone());
        let (stream, topic) = (stream.clone(), topic.clone());
        let (records, per) = (a.records, a.batch_records);
        tasks.push(tokio::spawn(async move {
            loop {
                let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if b >= batches {
                    return anyhow::Ok(());
                }
                let n = per.min(records - b * per);
                let mut msgs = (0..n)
                    .map(|_| IggyMessage::builder().payload(payload.clone()).build())
                    .collect::<Result<Vec<_>, _>>()?;
                let to = Partitioning::partition_id(0);
                client
                    .send_messages(&stream, &topic, &to, &mut msgs)
                    .await?;
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    report("send", a.records, a.records * a.record_size, started);

    let consumer = Consumer::new(Identifier::named("native-bench")?);
    let started = Instant::now();
    let (mut offset, mut read, mut bytes) = (0u64, 0usize, 0usize);
    while read < a.records {
        let strategy = PollingStrategy::offset(offset);
        let polled = client
            .poll_messages(
                &stream,
                &topic,
                Some(0),
                &consumer,
                &strategy,
                a.poll_records,
                false,
            )
            .await?;
        let Some(last) = polled.messages.last() else {
            anyhow::bail!("no messages at offset {offset}");
        };
        offset = last.header.offset + 1;
        read += polled.messages.len();
        bytes += polled
            .messages
            .iter()
            .map(|m| m.payload.len())
            .sum::<usize>();
    }
    report("poll", read, bytes, started);
    Ok(())
}
