//! Start a gateway in-process on 127.0.0.1:0 for end-to-end tests.

use std::net::SocketAddr;
use std::path::Path;

use kafka_gateway::config::{Config, StorageKind};
use kafka_gateway::server::Server;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running gateway; `stop` shuts it down gracefully (drain + flush).
pub struct Running {
    /// The first listener's address (plaintext, or TLS when that is the only one).
    #[allow(dead_code)] // not every test binary uses every field
    pub addr: SocketAddr,
    /// The TLS listener's address, when there is one.
    #[allow(dead_code)] // not every test binary uses every field
    pub tls_addr: Option<SocketAddr>,
    /// Its certificate state, to reload it.
    #[allow(dead_code)] // not every test binary uses every field
    pub tls: Option<std::sync::Arc<kafka_gateway::tls::TlsState>>,
    /// The operations endpoint's address, when there is one.
    #[allow(dead_code)] // not every test binary uses every field
    pub metrics_addr: Option<SocketAddr>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.await.expect("server task");
    }
}

/// Serve from `data_dir` (file store), or from memory when `None`.
#[allow(dead_code)] // not every test binary uses every helper
pub async fn start(data_dir: Option<&Path>) -> Running {
    start_with(
        if data_dir.is_some() {
            StorageKind::File
        } else {
            StorageKind::Memory
        },
        data_dir.map(Path::to_path_buf).unwrap_or_default(),
    )
    .await
}

/// Serve from `storage` (with `data_dir` for the file store).
pub async fn start_with(storage: StorageKind, data_dir: std::path::PathBuf) -> Running {
    let config = Config {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        storage,
        data_dir,
        default_partitions: 2,
        group_initial_rebalance_delay_ms: 200,
        ..Config::default()
    };
    start_config(config).await
}

/// Serve with `config` as given.
pub async fn start_config(config: Config) -> Running {
    let server = Server::bind(config).await.expect("bind");
    let addr = server.local_addr().unwrap();
    let (tls_addr, tls) = (server.tls_addr(), server.tls());
    let metrics_addr = server.metrics_addr();
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(async move {
        server
            .run(async {
                let _ = rx.await;
            })
            .await
            .expect("server run");
    });
    Running {
        addr,
        tls_addr,
        tls,
        metrics_addr,
        stop: Some(tx),
        task,
    }
}

/// An rskafka client of the gateway at `addr`, after creating `topic` with `partitions`.
#[allow(dead_code)] // not every test binary uses every helper
pub async fn rskafka_with_topic(
    addr: SocketAddr,
    topic: &str,
    partitions: i32,
) -> rskafka::client::Client {
    rskafka_built_with_topic(
        rskafka::client::ClientBuilder::new(vec![addr.to_string()]),
        topic,
        partitions,
    )
    .await
}

/// An rskafka client from `builder` (SASL, backoff…), with `topic` created through it.
#[allow(dead_code)] // not every test binary uses every helper
pub async fn rskafka_built_with_topic(
    builder: rskafka::client::ClientBuilder,
    topic: &str,
    partitions: i32,
) -> rskafka::client::Client {
    let client = builder.build().await.unwrap();
    client
        .controller_client()
        .unwrap()
        .create_topic(topic, partitions, 1, 5_000)
        .await
        .unwrap();
    client
}

/// Create `topic` (one partition) through `client`, produce one record and read it back; the
/// partition client (and its connection) stays usable.
#[allow(dead_code)] // not every test binary uses every helper
pub async fn round_trip(
    client: &rskafka::client::Client,
    topic: &str,
) -> rskafka::client::partition::PartitionClient {
    use rskafka::client::partition::{Compression, UnknownTopicHandling};
    client
        .controller_client()
        .unwrap()
        .create_topic(topic, 1, 1, 5_000)
        .await
        .unwrap();
    let pc = client
        .partition_client(topic, 0, UnknownTopicHandling::Retry)
        .await
        .unwrap();
    let rec = rskafka::record::Record {
        key: Some(b"k".to_vec()),
        value: Some(topic.as_bytes().to_vec()),
        headers: Default::default(),
        timestamp: chrono::Utc::now(),
    };
    pc.produce(vec![rec.clone()], Compression::NoCompression)
        .await
        .unwrap();
    let (got, _) = pc.fetch_records(0, 1..1_000_000, 1_000).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].record.value, rec.value);
    assert_eq!(got[0].record.key, rec.key);
    pc
}

/// GET `path` over plain HTTP/1.1: the status code and the body.
#[allow(dead_code)] // not every test binary uses every helper
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    sock.read_to_string(&mut raw).await.unwrap();
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A connection speaking the `kafka-protocol` crate's encoding: requests and responses from a
/// codec we did not write.
#[allow(dead_code)] // not every test binary uses every helper
pub struct KpClient {
    sock: tokio::net::TcpStream,
    correlation: i32,
}

#[allow(dead_code)] // not every test binary uses every helper
impl KpClient {
    /// Connect (no authentication).
    pub async fn connect(addr: SocketAddr) -> KpClient {
        KpClient {
            sock: tokio::net::TcpStream::connect(addr).await.unwrap(),
            correlation: 0,
        }
    }

    /// Send `req` at `version` and read its response.
    pub async fn call<R: kafka_protocol::protocol::Request>(
        &mut self,
        version: i16,
        req: R,
    ) -> R::Response {
        use bytes::{Buf, BufMut, Bytes, BytesMut};
        use kafka_protocol::messages::{RequestHeader, ResponseHeader};
        use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        self.correlation += 1;
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation)
            .with_client_id(Some(StrBytes::from_static_str("kp-test")));
        let mut body = BytesMut::new();
        header
            .encode(&mut body, R::header_version(version))
            .unwrap();
        req.encode(&mut body, version).unwrap();
        let mut frame = BytesMut::new();
        frame.put_i32(body.len() as i32);
        frame.extend_from_slice(&body);
        self.sock.write_all(&frame).await.unwrap();
        let size = self.sock.read_i32().await.unwrap();
        let mut buf = vec![0; size as usize];
        self.sock.read_exact(&mut buf).await.unwrap();
        let mut buf = Bytes::from(buf);
        let h = ResponseHeader::decode(&mut buf, R::Response::header_version(version)).unwrap();
        assert_eq!(h.correlation_id, self.correlation);
        let resp = R::Response::decode(&mut buf, version).unwrap();
        assert!(!buf.has_remaining(), "the whole response was read");
        resp
    }
}

/// A Produce (acks=all) of one batch of `values` to `topic`/`partition`; with
/// `producer = Some((id, epoch, first_sequence))` the batch is idempotent.
#[allow(dead_code)] // not every test binary uses every helper
pub fn produce_request(
    topic: &str,
    partition: i32,
    values: &[&[u8]],
    producer: Option<(i64, i16, i32)>,
    timestamp: i64,
) -> kafka_protocol::messages::ProduceRequest {
    let records: Vec<(&[u8], i64)> = values.iter().map(|v| (*v, timestamp)).collect();
    produce_records(topic, partition, &records, producer)
}

/// A Produce (acks=all) of one batch of (value, CreateTime timestamp) records.
#[allow(dead_code)] // not every test binary uses every helper
pub fn produce_records(
    topic: &str,
    partition: i32,
    values: &[(&[u8], i64)],
    producer: Option<(i64, i16, i32)>,
) -> kafka_protocol::messages::ProduceRequest {
    use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
    use kafka_protocol::messages::{ProduceRequest, TopicName};
    use kafka_protocol::protocol::StrBytes;
    use kafka_protocol::records::{
        Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
    };
    let (id, epoch, first) = producer.unwrap_or((-1, -1, -1));
    let records: Vec<Record> = values
        .iter()
        .enumerate()
        .map(|(i, (v, timestamp))| Record {
            transactional: false,
            control: false,
            partition_leader_epoch: 0,
            producer_id: id,
            producer_epoch: epoch,
            timestamp_type: TimestampType::Creation,
            offset: i as i64,
            // kafka-protocol keeps records in one batch while offset - sequence stays the same;
            // the batch header then carries base sequence -1 for a non-idempotent batch.
            sequence: if first < 0 {
                i as i32 - 1
            } else {
                first + i as i32
            },
            timestamp: *timestamp,
            key: None,
            value: Some(bytes::Bytes::copy_from_slice(v)),
            headers: Default::default(),
        })
        .collect();
    let mut out = bytes::BytesMut::new();
    let options = RecordEncodeOptions {
        version: 2,
        compression: Compression::None,
    };
    RecordBatchEncoder::encode(&mut out, records.iter(), &options).unwrap();
    ProduceRequest::default()
        .with_acks(-1)
        .with_timeout_ms(5000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_name(TopicName(StrBytes::from_string(topic.into())))
            .with_partition_data(vec![PartitionProduceData::default()
                .with_index(partition)
                .with_records(Some(out.freeze()))])])
}
