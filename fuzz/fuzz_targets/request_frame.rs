//! Any bytes as a request frame (header + body). Invariant: whatever decodes re-encodes, and
//! the re-encoding decodes to the same request.
#![no_main]

use bytes::Bytes;
use kafka_wire::frame::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let frame = Bytes::copy_from_slice(data);
    if let Ok(req) = Request::decode(&frame) {
        let again = req.to_bytes().expect("a decoded request must re-encode");
        let back = Request::decode(&again).expect("a re-encoded request must decode");
        assert_eq!(back, req);
    }
});
