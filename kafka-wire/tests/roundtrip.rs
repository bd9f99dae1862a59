//! Property tests: primitives and every message of every version round-trip, consuming every
//! byte, with `size` equal to what `encode` wrote.

use bytes::Bytes;
use kafka_wire::primitives::varint;
use kafka_wire::sample::Seed;
use kafka_wire::{ApiKey, Cx, Nullable, RequestBody, ResponseBody, Wire, Writer};
use proptest::prelude::*;

fn roundtrip<T: Wire + PartialEq + std::fmt::Debug>(v: &T, flexible: bool) {
    let cx = Cx::new(0, flexible);
    let mut w = Writer::new();
    v.encode(&mut w, &cx).expect("encode");
    let bytes = w.into_bytes();
    assert_eq!(bytes.len(), v.size(&cx), "size of {v:?}");
    let dcx = Cx::with_src(0, flexible, &bytes);
    let (rest, back) = T::decode(&bytes, &dcx).expect("decode");
    assert!(rest.is_empty(), "{} bytes left after {v:?}", rest.len());
    assert_eq!(&back, v);
}

proptest! {
    #[test]
    fn fixed_ints(a: i8, b: i16, c: i32, d: i64, e: u16, f: u32, g: bool) {
        roundtrip(&a, false);
        roundtrip(&b, false);
        roundtrip(&c, true);
        roundtrip(&d, true);
        roundtrip(&e, false);
        roundtrip(&f, false);
        roundtrip(&g, false);
    }

    #[test]
    fn float64(x in proptest::num::f64::NORMAL | proptest::num::f64::ZERO) {
        roundtrip(&x, false);
    }

    #[test]
    fn varints(u: u32, s: i32, l: i64) {
        let mut b = bytes::BytesMut::new();
        varint::put_uvarint(&mut b, u);
        varint::put_varint(&mut b, s);
        varint::put_varlong(&mut b, l);
        prop_assert_eq!(b.len(), varint::uvarint_size(u) + varint::varint_size(s) + varint::varlong_size(l));
        let (i, u2) = varint::decode_uvarint(&b).unwrap();
        let (i, s2) = varint::decode_varint(i).unwrap();
        let (i, l2) = varint::decode_varlong(i).unwrap();
        prop_assert!(i.is_empty());
        prop_assert_eq!((u, s, l), (u2, s2, l2));
    }

    #[test]
    fn strings_and_bytes(s in ".{0,300}", ns in proptest::option::of(".{0,40}"), b in proptest::collection::vec(any::<u8>(), 0..300), flexible: bool) {
        roundtrip(&s, flexible);
        roundtrip(&ns, flexible);
        roundtrip(&Bytes::from(b.clone()), flexible);
        roundtrip(&Some(Bytes::from(b)), flexible);
    }

    #[test]
    fn arrays(v in proptest::collection::vec(any::<i32>(), 0..200), n in proptest::option::of(proptest::collection::vec(".{0,5}", 0..20)), flexible: bool) {
        roundtrip(&v, flexible);
        roundtrip(&n, flexible);
    }

    #[test]
    fn uuids(b: [u8; 16]) {
        roundtrip(&kafka_wire::primitives::Uuid(b), false);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn messages(key_ix in 0..ApiKey::ALL.len(), version_pick: u16, seed: u64, response: bool) {
        let api = ApiKey::ALL[key_ix];
        let (lo, hi) = api.codec_versions();
        let v = lo + (version_pick % (hi - lo + 1) as u16) as i16;
        let mut w = Writer::new();
        let s = &mut Seed::random(seed);
        if response {
            let m = ResponseBody::sample_from(api, v, s);
            m.encode(&mut w, v).unwrap();
            let bytes = w.into_bytes();
            prop_assert_eq!(bytes.len(), m.size(v));
            prop_assert_eq!(ResponseBody::decode(api, v, &bytes).unwrap(), m);
        } else {
            let m = RequestBody::sample_from(api, v, s);
            m.encode(&mut w, v).unwrap();
            let bytes = w.into_bytes();
            prop_assert_eq!(bytes.len(), m.size(v));
            prop_assert_eq!(RequestBody::decode(api, v, &bytes).unwrap(), m);
        }
    }
}

#[test]
fn null_markers_follow_the_version_encoding() {
    let mut w = Writer::new();
    <String as Nullable>::encode_opt(None, &mut w, &Cx::new(0, false)).unwrap();
    <String as Nullable>::encode_opt(None, &mut w, &Cx::new(0, true)).unwrap();
    <Bytes as Nullable>::encode_opt(None, &mut w, &Cx::new(0, false)).unwrap();
    assert_eq!(
        &w.into_bytes()[..],
        &[0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff]
    );
}

#[test]
fn a_null_where_the_version_forbids_it_is_an_error() {
    // A classic string with the null length (-1), where the type is not nullable.
    let null_string = [0xffu8, 0xff];
    let src = Bytes::copy_from_slice(&null_string);
    let err = String::decode(&src, &Cx::with_src(3, false, &src)).unwrap_err();
    assert!(format!("{err:?}").contains("NullNotAllowed"), "{err:?}");
}

#[test]
fn a_field_the_version_cannot_carry_is_refused_on_encode() {
    use kafka_wire::messages::ProduceRequest;
    use kafka_wire::Message;
    let m = ProduceRequest {
        transactional_id: Some("txn".into()),
        ..Default::default()
    };
    let err = m.to_bytes(2).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ProduceRequest.transactional_id: a non-default value cannot be encoded in version 2"
    );
    assert!(m.to_bytes(3).is_ok());
}

#[test]
fn a_body_filled_for_the_newest_version_fits_and_encodes_at_every_older_one() {
    for &api in ApiKey::ALL {
        let (lo, hi) = api.codec_versions();
        for v in lo..=hi {
            let mut req = RequestBody::sample(api, hi);
            let mut resp = ResponseBody::sample(api, hi);
            req.fit_version(v);
            resp.fit_version(v);
            let mut w = Writer::new();
            req.encode(&mut w, v)
                .unwrap_or_else(|e| panic!("{api:?} v{v} request: {e}"));
            resp.encode(&mut w, v)
                .unwrap_or_else(|e| panic!("{api:?} v{v} response: {e}"));
        }
    }
}
