//! Any bytes as record data: v2 batches (CRC, records, every codec with a 1 MiB cap) and legacy
//! message sets. Invariant: records that decode, rebuilt into a batch, decode to the same records.
#![no_main]

use bytes::Bytes;
use kafka_wire::records::{self, Batch, BatchSpec};
use libfuzzer_sys::fuzz_target;

const CAP: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let data = Bytes::copy_from_slice(data);
    for batch in records::batches(&data).flatten() {
        let _ = batch.verify_crc();
        if let Ok(recs) = batch.records(CAP) {
            let spec = BatchSpec { compression: batch.header.attributes.compression().unwrap_or_default(), ..BatchSpec::default() };
            let rebuilt = records::build_batch(&spec, &recs).expect("decoded records must re-encode");
            let (again, rest) = Batch::parse(&rebuilt).expect("a rebuilt batch must parse");
            assert!(rest.is_empty());
            again.verify_crc().expect("a rebuilt batch has a valid CRC");
            assert_eq!(again.records(usize::MAX).expect("rebuilt records decode"), recs);
        }
    }
    let _ = records::decode_message_set(&data, CAP);
    let _ = records::up_convert(&data, CAP);
});
