//! Hostile input: several hundred thousand random and mutated frames through every decoder.
//! Nothing may panic, and no decode may allocate more than a small multiple of its input —
//! measured with a counting global allocator, not assumed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use bytes::Bytes;
use kafka_wire::frame::{Request, Response};
use kafka_wire::header::RequestHeader;
use kafka_wire::records::{self, BatchSpec, Compression, Record};
use kafka_wire::{ApiKey, RequestBody, ResponseBody};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        if new > layout.size() {
            let live = LIVE.fetch_add(new - layout.size(), Relaxed) + new - layout.size();
            PEAK.fetch_max(live, Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new, Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new) }
    }
}

/// The allocation counters are process-wide: the tests here take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[global_allocator]
static ALLOC: Counting = Counting;

/// Cap on inflated batch size used here.
const CAP: usize = 1 << 20;

/// splitmix64: deterministic, so a failure reproduces.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(b.len());
        match rng.below(7) {
            0 if !b.is_empty() => b[at] ^= 1 << rng.below(8),
            1 if !b.is_empty() => b[at] = rng.next() as u8,
            2 => {
                let magic: [u8; 4] = match rng.below(4) {
                    0 => 0x7fff_ffffu32.to_be_bytes(),
                    1 => 0xffff_ffffu32.to_be_bytes(),
                    2 => 0x8000_0000u32.to_be_bytes(),
                    _ => 0x00ff_ffffu32.to_be_bytes(),
                };
                for (k, m) in magic.iter().enumerate() {
                    if let Some(x) = b.get_mut(at + k) {
                        *x = *m;
                    }
                }
            }
            3 => b.truncate(at),
            4 => b.insert(at.min(b.len()), rng.next() as u8),
            5 if !b.is_empty() => b[at] = [0x80, 0xff, 0x7f, 0x00][rng.below(4)],
            _ => {
                let n = rng.below(64);
                b = (0..n).map(|_| rng.next() as u8).collect();
            }
        }
    }
    b
}

/// Run `f` and return the most memory it held at once beyond what was live before.
fn peak_of(f: impl FnOnce()) -> usize {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    f();
    PEAK.load(Relaxed).saturating_sub(base)
}

fn corpus() -> Vec<(ApiKey, i16, bool, Bytes)> {
    let mut out = Vec::new();
    for &api in ApiKey::ALL {
        let (lo, hi) = api.codec_versions();
        for v in lo..=hi {
            let header = RequestHeader {
                api_version: v,
                correlation_id: 7,
                client_id: Some("c".into()),
                ..Default::default()
            };
            let req = Request {
                header,
                body: RequestBody::sample(api, v),
            };
            out.push((api, v, false, req.to_bytes().unwrap()));
            let resp = Response {
                header: Default::default(),
                body: ResponseBody::sample(api, v),
            };
            out.push((api, v, true, resp.to_bytes(v).unwrap()));
        }
    }
    out
}

fn batch_corpus() -> Vec<Bytes> {
    let recs: Vec<Record> = (0..20)
        .map(|n| Record {
            offset_delta: n,
            value: Some(Bytes::from(vec![b'x'; 200])),
            ..Default::default()
        })
        .collect();
    [
        Compression::None,
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ]
    .iter()
    .map(|&c| {
        records::build_batch(
            &BatchSpec {
                compression: c,
                ..Default::default()
            },
            &recs,
        )
        .unwrap()
    })
    .collect()
}

#[test]
fn mutated_and_random_frames_never_panic_and_allocate_boundedly() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let frames = corpus();
    let batches = batch_corpus();
    let mut rng = Rng(0x5eed);
    let rounds = 300_000;
    let (mut decoded_ok, mut worst_ratio) = (0usize, 0f64);
    for n in 0..rounds {
        if n % 10 == 0 {
            let pick = rng.below(batches.len());
            let input = Bytes::from(mutate(&mut rng, &batches[pick]));
            let peak = peak_of(|| {
                for b in records::batches(&input).flatten() {
                    let _ = b.verify_crc();
                    let _ = b.records(CAP);
                }
                let _ = records::decode_message_set(&input, CAP);
            });
            assert!(
                peak <= 4 * CAP + 64 * input.len() + 65536,
                "records: {peak} bytes for {} input bytes",
                input.len()
            );
            continue;
        }
        let (api, v, is_response, frame) = &frames[rng.below(frames.len())];
        let input = Bytes::from(mutate(&mut rng, frame));
        let peak = peak_of(|| {
            let ok = if *is_response {
                Response::decode(&input, *api, *v).is_ok()
            } else {
                Request::decode(&input).is_ok()
            };
            // Also feed the raw bytes to a body decoder of another API.
            let other = ApiKey::ALL[rng.below(ApiKey::ALL.len())];
            let _ = RequestBody::decode(other, *v, &input);
            let _ = ResponseBody::decode(other, *v, &input);
            decoded_ok += usize::from(ok);
        });
        let ratio = peak as f64 / (input.len() as f64 + 1.0);
        worst_ratio = worst_ratio.max(ratio);
        assert!(
            peak <= 128 * input.len() + 65536,
            "{api:?} v{v}: {peak} bytes allocated for {} input bytes",
            input.len()
        );
    }
    println!("hostile frames: {rounds}, still decodable after mutation: {decoded_ok}, worst allocation ratio {worst_ratio:.1}x");
}

#[test]
fn huge_counts_in_tiny_inputs_are_refused_before_allocating() {
    // An array count of 2^31-1 in an 8-byte body must not reserve anything proportional to it.
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut body = 0x7fff_ffffu32.to_be_bytes().to_vec();
    body.extend_from_slice(&[0, 1, b'a', 0]);
    let input = Bytes::from(body);
    let peak = peak_of(|| {
        let e = RequestBody::decode(ApiKey::Metadata, 0, &input).unwrap_err();
        assert!(e.to_string().contains("count"), "{e}");
    });
    assert!(peak < 4096, "{peak}");
}
