//! The first three bytes pick an API and version; the rest is a response frame. Invariant as
//! for requests: decode → encode → decode is the identity.
#![no_main]

use bytes::Bytes;
use kafka_wire::frame::Response;
use kafka_wire::ApiKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, v, rest @ ..] = data else { return };
    let api = ApiKey::ALL[*a as usize % ApiKey::ALL.len()];
    let (lo, hi) = api.codec_versions();
    let version = lo + (*v as i16 % (hi - lo + 1));
    let frame = Bytes::copy_from_slice(rest);
    if let Ok(resp) = Response::decode(&frame, api, version) {
        let again = resp.to_bytes(version).expect("a decoded response must re-encode");
        assert_eq!(again.len(), resp.size(version));
        let back = Response::decode(&again, api, version).expect("a re-encoded response must decode");
        assert_eq!(back, resp);
    }
});
