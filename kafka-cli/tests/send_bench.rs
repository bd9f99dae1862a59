//! `kafka-cli send` and `kafka-cli bench` against an in-process gateway, through the real
//! binary: what `send produce` writes, `send fetch` and `send list-offsets` read back, and
//! `bench` moves exactly the records it reports.

use std::path::Path;
use std::process::Command;

use kafka_gateway::config::{Config, StorageKind};
use kafka_gateway::server::Server;
use serde_json::Value as Json;

/// A gateway on 127.0.0.1:0 inside its own runtime, alive as long as the returned runtime.
fn gateway() -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(async {
        let config = Config {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            storage: StorageKind::Memory,
            default_partitions: 1,
            ..Config::default()
        };
        let server = Server::bind(config).await.unwrap();
        let addr = server.local_addr().unwrap();
        tokio::spawn(async move {
            server.run(std::future::pending::<()>()).await.unwrap();
        });
        addr
    });
    (rt, addr.to_string())
}

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-cli"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `send --json …`: the response object.
fn send(addr: &str, args: &[&str]) -> Json {
    let mut all = vec!["send", "--bootstrap", addr, "--json"];
    all.extend_from_slice(args);
    let (ok, out, err) = cli(&all);
    assert!(ok, "send {args:?}: {err}\n{out}");
    serde_json::from_str(out.trim()).unwrap()
}

#[test]
fn send_round_trips_through_a_gateway() {
    let (_rt, addr) = gateway();
    let v = send(&addr, &["api-versions"]);
    assert_eq!(v["api_key"], 18);
    assert!(v["body"]["api_keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["api_key"] == 0));

    let v = send(&addr, &["create-topic", "orders", "--partitions", "2"]);
    assert_eq!(v["body"]["topics"][0]["error_code"], 0, "{v}");

    let v = send(&addr, &["produce", "orders", "--key", "k", "a", "b", "c"]);
    let p = &v["body"]["responses"][0]["partition_responses"][0];
    assert_eq!(
        (p["error_code"].clone(), p["base_offset"].clone()),
        (0.into(), 0.into())
    );
    let v = send(
        &addr,
        &["produce", "orders", "--compression", "zstd", "d", "e"],
    );
    assert_eq!(
        v["body"]["responses"][0]["partition_responses"][0]["base_offset"],
        3
    );

    let v = send(
        &addr,
        &["fetch", "orders", "--partition", "0", "--offset", "1"],
    );
    let part = &v["body"]["responses"][0]["partitions"][0];
    assert_eq!(part["high_watermark"], 5);
    let recs: Vec<(i64, Json, Json)> = part["records"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["records"].as_array().unwrap().clone())
        .map(|r| {
            (
                r["offset"].as_i64().unwrap(),
                r["key"].clone(),
                r["value"].clone(),
            )
        })
        .filter(|(o, _, _)| *o >= 1)
        .collect();
    let want = [(1, "k", "b"), (2, "k", "c"), (3, "", "d"), (4, "", "e")];
    assert_eq!(recs.len(), want.len(), "{recs:?}");
    for ((o, k, val), (wo, wk, wv)) in recs.iter().zip(want) {
        assert_eq!(*o, wo);
        assert_eq!(val, wv);
        if wk.is_empty() {
            assert!(k.is_null());
        } else {
            assert_eq!(k, wk);
        }
    }

    let latest = send(&addr, &["list-offsets", "orders"]);
    let parts = latest["body"]["topics"][0]["partitions"]
        .as_array()
        .unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0]["offset"], 5);
    assert_eq!(parts[1]["offset"], 0);
    let earliest = send(
        &addr,
        &[
            "list-offsets",
            "orders",
            "--time",
            "earliest",
            "--api-version",
            "1",
        ],
    );
    assert_eq!(earliest["api_version"], 1);
    assert_eq!(earliest["body"]["topics"][0]["partitions"][0]["offset"], 0);

    let v = send(&addr, &["--api-version", "4", "metadata", "orders"]);
    assert_eq!(v["api_version"], 4);
    assert_eq!(
        v["body"]["topics"][0]["partitions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let v = send(&addr, &["produce", "orders", "--partition", "9", "x"]);
    assert_eq!(
        v["body"]["responses"][0]["partition_responses"][0]["error_code"], 3,
        "UNKNOWN_TOPIC_OR_PARTITION"
    );

    // A golden fixture sent as is: the gateway answers its correlation id.
    let v = send(
        &addr,
        &["raw", "fixtures/wire/18-ApiVersions/v3-request.bin"],
    );
    assert_eq!(
        (v["api_key"].clone(), v["api_version"].clone()),
        (18.into(), 3.into())
    );
    assert_eq!(v["correlation_id"], 18003);
    assert_eq!(v["body"]["error_code"], 0);

    let (ok, _, err) = cli(&["send", "--bootstrap", &addr, "raw", "--hex", "00"]);
    assert!(!ok && err.contains("not a request frame"), "{err}");
}

#[test]
fn bench_moves_the_records_it_reports() {
    let (_rt, addr) = gateway();
    let (ok, out, err) = cli(&[
        "bench",
        "produce",
        "--bootstrap",
        &addr,
        "--topic",
        "b",
        "--records",
        "20000",
        "--record-size",
        "100",
        "--batch-records",
        "500",
        "--inflight",
        "4",
        "--connections",
        "2",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("produce: 20000 records, 2.0 MB"), "{out}");
    for field in ["records/s", "MB/s", "p50", "p99", "p99.9"] {
        assert!(out.contains(field), "{out}");
    }
    let v = send(&addr, &["list-offsets", "b"]);
    assert_eq!(v["body"]["topics"][0]["partitions"][0]["offset"], 20000);

    let (ok, out, err) = cli(&["bench", "fetch", "--bootstrap", &addr, "--topic", "b"]);
    assert!(ok, "{err}");
    assert!(out.contains("fetch: 20000 records"), "{out}");
}
