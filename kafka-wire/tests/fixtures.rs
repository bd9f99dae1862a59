//! Snapshot tests over the committed golden fixtures (`fixtures/wire`): every frame decodes,
//! consumes every byte, re-encodes to the same bytes, and its readable tree is reviewed in a
//! snapshot (one per API and direction, every version in it).

use std::path::{Path, PathBuf};

use bytes::Bytes;
use kafka_wire::frame::{Request, Response};
use kafka_wire::golden::{api_dir, correlation_id, CLIENT_ID};
use kafka_wire::ApiKey;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn read(path: &Path) -> Bytes {
    Bytes::from(std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn every_fixture_decodes_reencodes_and_matches_its_snapshot() {
    let mut frames = 0;
    for &api in ApiKey::ALL {
        let (lo, hi) = api.codec_versions();
        let (mut req_tree, mut resp_tree) = (String::new(), String::new());
        for v in lo..=hi {
            let dir = root().join(api_dir(api));
            let bytes = read(&dir.join(format!("v{v}-request.bin")));
            let req =
                Request::decode(&bytes).unwrap_or_else(|e| panic!("{api:?} v{v} request: {e}"));
            assert_eq!(req.header.correlation_id, correlation_id(api, v));
            assert_eq!(req.header.client_id.as_deref(), Some(CLIENT_ID));
            assert_eq!(
                req.to_bytes().unwrap(),
                bytes,
                "{api:?} v{v} request re-encode"
            );
            req_tree += &format!(
                "## v{v} request\nheader:\n{}body:\n{}\n",
                indent(&req.header.value().to_tree()),
                indent(&req.body.value(v).to_tree())
            );

            let bytes = read(&dir.join(format!("v{v}-response.bin")));
            let resp = Response::decode(&bytes, api, v)
                .unwrap_or_else(|e| panic!("{api:?} v{v} response: {e}"));
            assert_eq!(resp.header.correlation_id, correlation_id(api, v));
            assert_eq!(
                resp.to_bytes(v).unwrap(),
                bytes,
                "{api:?} v{v} response re-encode"
            );
            resp_tree += &format!(
                "## v{v} response\ncorrelation_id: {}\nbody:\n{}\n",
                resp.header.correlation_id,
                indent(&resp.body.value(v).to_tree())
            );
            frames += 2;
        }
        let name = format!("{:02}-{}", api as i16, api.name());
        insta::assert_snapshot!(format!("{name}-request"), req_tree);
        insta::assert_snapshot!(format!("{name}-response"), resp_tree);
    }
    assert_eq!(frames, 418);
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}\n")).collect()
}
