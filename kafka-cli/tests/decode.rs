//! `kafka-cli decode` end to end: every golden fixture and every real capture decodes, as a
//! tree and as JSON (insta snapshots); the pasted formats made by real tools (xxd, hexdump -C,
//! xxd -p, tshark -x) decode to exactly what the raw bytes do; errors name the byte offset and
//! the field; hostile input never crashes the tool.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value as Json;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Run `kafka-cli` with `args` and optional stdin; returns (exit code, stdout, stderr).
fn cli(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-cli"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json_lines(s: &str) -> Vec<Json> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn sorted_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    v.sort();
    v
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// `v<N>-request.bin` → N.
fn version_of(p: &Path) -> i64 {
    let name = p.file_name().unwrap().to_string_lossy();
    name[1..name.find('-').unwrap()].parse().unwrap()
}

#[test]
fn every_golden_fixture_decodes_as_tree_and_json() {
    let wire = root().join("fixtures/wire");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&wire)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 25, "{} API folders", dirs.len());
    let mut frames = 0;
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let key: i64 = name.split('-').next().unwrap().parse().unwrap();
        let mut files = sorted_files(&dir, ".bin");
        // Request then response of each version, so every response pairs with its request.
        files.sort_by_key(|p| (version_of(p), p.to_string_lossy().contains("response")));
        let args: Vec<String> = files.iter().map(|p| rel(p)).collect();
        let mut json_args = vec!["decode", "--json"];
        json_args.extend(args.iter().map(String::as_str));
        let (code, json, err) = cli(&json_args, None);
        assert_eq!(code, 0, "{name}: {err}\n{json}");
        let lines = json_lines(&json);
        assert_eq!(lines.len(), files.len(), "{name}");
        for (file, j) in files.iter().zip(&lines) {
            let response = file.to_string_lossy().contains("response");
            assert_eq!(
                j["direction"],
                if response { "response" } else { "request" }
            );
            assert_eq!(j["api_key"], key, "{}", file.display());
            assert_eq!(j["api_version"], version_of(file), "{}", file.display());
            assert!(j.get("error").is_none() && j["body"].is_object(), "{j}");
        }
        frames += lines.len();
        let mut tree_args = vec!["decode"];
        tree_args.extend(args.iter().map(String::as_str));
        let (code, tree, err) = cli(&tree_args, None);
        assert_eq!(code, 0, "{name}: {err}");
        insta::assert_snapshot!(format!("fixture-{name}-tree"), tree);
        insta::assert_snapshot!(format!("fixture-{name}-json"), json);
    }
    assert!(frames >= 350, "{frames} frames");
}

#[test]
fn every_pcap_capture_decodes_as_tree_and_json_with_records() {
    let pcaps = sorted_files(&root().join("fixtures/captures/pcap"), ".pcapng");
    assert!(pcaps.len() >= 10, "{} captures", pcaps.len());
    for pcap in pcaps {
        let name = pcap.file_stem().unwrap().to_string_lossy().into_owned();
        let path = rel(&pcap);
        let (code, json, err) = cli(&["decode", "--pcap", &path, "--json", "--records"], None);
        assert_eq!(code, 0, "{name}: {err}\n{json}");
        let lines = json_lines(&json);
        assert!(lines.len() >= 8, "{name}: {} frames", lines.len());
        let requests = lines.iter().filter(|j| j["direction"] == "request").count();
        // A client may close with a request in flight (a long-polling Fetch), never the
        // reverse; every response found its request's API and version.
        assert!(requests * 2 >= lines.len(), "{name}");
        for j in lines.iter().filter(|j| j["direction"] == "response") {
            assert!(
                j["api_key"].is_number() && j["body"].is_object(),
                "{name}: {j}"
            );
        }
        let (code, tree, err) = cli(&["decode", "--pcap", &path], None);
        assert_eq!(code, 0, "{name}: {err}");
        insta::assert_snapshot!(format!("pcap-{name}-tree"), tree);
        insta::assert_snapshot!(format!("pcap-{name}-json-records"), json);
    }
}

/// The produce captures hold records "key-<i>" → "<client>-<codec>-<i>" (the capture script's
/// contract): `--records` must show exactly those, decompressed, for every codec and format.
#[test]
fn records_expand_to_what_the_clients_sent() {
    let files: Vec<PathBuf> = sorted_files(&root().join("fixtures/captures/produce"), ".bin")
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("-Produce-"))
        .collect();
    assert!(files.len() >= 15, "{} produce captures", files.len());
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let prefix = name.split("-0").next().unwrap().to_string();
        let (code, out, err) = cli(&["decode", "--json", "--records", &rel(&file)], None);
        assert_eq!(code, 0, "{name}: {err}");
        let j = &json_lines(&out)[0];
        let mut seen = 0;
        for topic in j["body"]["topic_data"].as_array().unwrap() {
            for part in topic["partition_data"].as_array().unwrap() {
                for entry in part["records"].as_array().unwrap() {
                    // v2 batches hold "records"; legacy message sets are flat messages.
                    let recs = entry
                        .get("records")
                        .and_then(Json::as_array)
                        .cloned()
                        .unwrap_or_else(|| vec![entry.clone()]);
                    for r in recs {
                        let key = r["key"].as_str().unwrap();
                        let i = key.strip_prefix("key-").unwrap();
                        assert_eq!(r["value"], format!("{prefix}-{i}"), "{name}");
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen > 0, "{name}: no records");
    }
}

#[test]
fn pasted_formats_from_real_tools_decode_like_the_raw_bytes() {
    let raw = "fixtures/captures/produce/kcat-lz4-002-Produce-v7.bin";
    let (code, want, err) = cli(&["decode", "--json", "--records", raw], None);
    assert_eq!(code, 0, "{err}");
    assert!(!want.is_empty());
    let text = root().join("fixtures/captures/text");
    for ext in ["xxd", "hexdump", "hex"] {
        let path = format!("fixtures/captures/text/kcat-lz4-produce.{ext}");
        let (_, from_file, _) = cli(&["decode", "--json", "--records", &path], None);
        assert_eq!(from_file, want, "{ext} file");
        let data = std::fs::read(text.join(format!("kcat-lz4-produce.{ext}"))).unwrap();
        let (_, from_stdin, _) = cli(&["decode", "--json", "--records"], Some(&data));
        assert_eq!(from_stdin, want, "{ext} on stdin");
    }
    let bytes = std::fs::read(root().join(raw)).unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let (_, from_arg, _) = cli(&["decode", "--json", "--records", "--hex", &hex], None);
    assert_eq!(from_arg, want, "--hex");
    // With its 4-byte size prefix, as it travels on the wire.
    let mut framed = (bytes.len() as u32).to_be_bytes().to_vec();
    framed.extend_from_slice(&bytes);
    let (_, from_framed, _) = cli(&["decode", "--json", "--records"], Some(&framed));
    assert_eq!(from_framed, want, "size-prefixed binary");
}

#[test]
fn a_tshark_x_paste_decodes_like_the_pcap_it_came_from() {
    let pcap = "fixtures/captures/pcap/kafkajs-admin.pcapng";
    let (code, from_pcap, err) = cli(&["decode", "--json", "--pcap", pcap], None);
    assert_eq!(code, 0, "{err}");
    let paste = "fixtures/captures/text/kafkajs-admin.tshark-x.txt";
    let (code, from_paste, err) = cli(&["decode", "--json", paste], None);
    assert_eq!(code, 0, "{err}");
    let strip = |s: &str| -> Vec<Json> {
        json_lines(s)
            .into_iter()
            .map(|mut j| {
                j.as_object_mut().unwrap().remove("ts_us");
                j
            })
            .collect()
    };
    let (a, b) = (strip(&from_pcap), strip(&from_paste));
    assert!(a.len() >= 20);
    assert_eq!(a, b);
}

#[test]
fn errors_name_the_byte_offset_and_the_field() {
    let full = std::fs::read(root().join("fixtures/wire/3-Metadata/v12-request.bin")).unwrap();
    // Request header v2: api_key(2) api_version(2) correlation_id(4) client_id(2 + n) tags(1);
    // the body of Metadata v12 starts with its topics array.
    let client_id_len = usize::from(u16::from_be_bytes([full[8], full[9]]));
    let body_start = 8 + 2 + client_id_len + 1;
    let cut = &full[..body_start + 20];
    let hex: String = cut.iter().map(|b| format!("{b:02x}")).collect();
    let (code, out, _) = cli(&["decode", "--request", "--hex", &hex], None);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("at byte {body_start} of the frame"))
            && out.contains("MetadataRequest.topics"),
        "{out}"
    );
    let (code, out, _) = cli(&["decode", "--json", "--request", "--hex", &hex], None);
    assert_eq!(code, 1);
    let j = &json_lines(&out)[0];
    assert_eq!(j["api_key"], 3);
    assert!(j["body"].is_null());
    assert!(j["error"]
        .as_str()
        .unwrap()
        .contains("MetadataRequest.topics"));
}

#[test]
fn a_lone_response_needs_its_api_and_version() {
    let resp = "fixtures/wire/18-ApiVersions/v3-response.bin";
    let (code, out, _) = cli(&["decode", "--response", resp], None);
    assert_eq!(code, 1);
    assert!(out.contains("--api-key"), "{out}");
    let (code, out, err) = cli(
        &[
            "decode",
            "--response",
            "--api-key",
            "18",
            "--api-version",
            "3",
            resp,
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("response ApiVersions v3"), "{out}");
}

/// Deterministic xorshift, so a failure replays.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn hostile_input_never_crashes_decode() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let tmp = tempfile::tempdir().unwrap();
    let pcap = std::fs::read(root().join("fixtures/captures/pcap/confluent-group.pcapng")).unwrap();
    let frame = std::fs::read(root().join("fixtures/wire/1-Fetch/v12-response.bin")).unwrap();
    for case in 0..40 {
        let mut p = pcap.clone();
        let mut f = frame.clone();
        for _ in 0..1 + rng.next() % 8 {
            let i = (rng.next() as usize) % p.len();
            p[i] = rng.next() as u8;
            let j = (rng.next() as usize) % f.len();
            f[j] = rng.next() as u8;
        }
        p.truncate(p.len() - (rng.next() as usize % 64));
        let path = tmp.path().join("x.pcapng");
        std::fs::write(&path, &p).unwrap();
        let (code, _, err) = cli(
            &[
                "decode",
                "--json",
                "--records",
                "--pcap",
                path.to_str().unwrap(),
            ],
            None,
        );
        assert!(
            code == 0 || code == 1,
            "case {case}: pcap exit {code}: {err}"
        );
        let (code, _, err) = cli(
            &[
                "decode",
                "--records",
                "--response",
                "--api-key",
                "1",
                "--api-version",
                "12",
            ],
            Some(&f),
        );
        assert!(
            code == 0 || code == 1,
            "case {case}: frame exit {code}: {err}"
        );
    }
}
