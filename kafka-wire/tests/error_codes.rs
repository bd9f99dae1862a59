//! `ResponseBody::error_codes` (generated, walks the structs) finds exactly the `error_code`
//! fields the readable tree (generated separately, walks per version) shows, for every API and
//! version, over samples whose every field is non-default.

use kafka_wire::value::Value;
use kafka_wire::{ApiKey, ResponseBody};

fn from_tree(v: &Value, out: &mut Vec<i16>) {
    match v {
        Value::Struct(fields) => {
            for (name, field) in fields {
                match (name, field) {
                    (&"error_code", Value::Int(c)) => out.push(*c as i16),
                    _ => from_tree(field, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| from_tree(i, out)),
        _ => {}
    }
}

#[test]
fn error_codes_match_the_tree_for_every_response() {
    let mut checked = 0;
    for &api in ApiKey::ALL {
        let (lo, hi) = api.codec_versions();
        for v in lo..=hi {
            let body = ResponseBody::sample(api, v);
            let mut tree = Vec::new();
            from_tree(&body.value(v), &mut tree);
            let mut walked = Vec::new();
            body.error_codes(&mut |c| walked.push(c));
            // Fields a version does not carry hold their default (0) in the sample.
            walked.retain(|&c| c != 0);
            tree.retain(|&c| c != 0);
            assert_eq!(walked, tree, "{api:?} v{v}");
            checked += usize::from(!tree.is_empty());
        }
    }
    assert!(
        checked > 150,
        "only {checked} responses carried error codes"
    );
}
