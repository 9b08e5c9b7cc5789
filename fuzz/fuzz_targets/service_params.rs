//! `service_params` and the other encoders: whatever the strings, encoding then decoding gives them
//! back (with `urlencoding::decode` and with the crate's own `percent_decode`), the encoded forms
//! hold only the characters they may, and the JSON parses back to the same fields.
//! `percent_decode` never panics on arbitrary text and leaves text without `%` as it is (but for
//! `+`, with `plus`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingcloud_useradd::encoding::{
    encode_service_params, form_urlencode, percent_decode, python_json_dumps_sorted, quote,
    quote_keep_slash, quote_plus, service_params_json,
};
use serde_json::{Map, Value};

fn decode(text: &str) -> String {
    urlencoding::decode(text)
        .expect("an encoded string decodes to UTF-8")
        .into_owned()
}

fuzz_target!(|input: (String, String, String, Vec<(String, String)>)| {
    let (networks, password, name, pairs) = input;

    let encoded = encode_service_params(&networks, &password, &name);
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)),
        "{encoded}"
    );
    let json = decode(&encoded);
    assert_eq!(json, service_params_json(&networks, &password, &name));
    let parsed: Map<String, Value> = serde_json::from_str(&json).expect("service_params is JSON");
    assert_eq!(parsed.len(), 3);
    assert_eq!(parsed["user_networks"].as_str(), Some(networks.as_str()));
    assert_eq!(parsed["user_password"].as_str(), Some(password.as_str()));
    assert_eq!(parsed["user_name"].as_str(), Some(name.as_str()));

    for text in [&networks, &password, &name] {
        assert_eq!(decode(&quote(text)), *text);
        assert_eq!(decode(&quote_keep_slash(text)), *text);
        assert_eq!(decode(&quote_plus(text).replace('+', " ")), *text);
        // The crate's own decoder, which the preview trusts to undo these encoders.
        assert_eq!(percent_decode(&quote(text), false), *text);
        assert_eq!(percent_decode(&quote_plus(text), true), *text);
        // On arbitrary text: no panic, and nothing but escapes (and `+`) changes.
        let decoded = percent_decode(text, true);
        if !text.contains('%') {
            assert_eq!(percent_decode(text, false), *text);
            assert_eq!(decoded, text.replace('+', " "));
        }
    }

    // The EHPC body: Python's json.dumps(sort_keys=True), pure ASCII, the same fields back.
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = python_json_dumps_sorted(&borrowed);
    assert!(body.is_ascii(), "{body}");
    let parsed: Map<String, Value> = serde_json::from_str(&body).expect("the body is JSON");
    let mut keys: Vec<&str> = borrowed.iter().map(|(k, _)| *k).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(parsed.len(), keys.len());
    if keys.len() == borrowed.len() {
        for (key, value) in &borrowed {
            assert_eq!(parsed[*key].as_str(), Some(*value));
        }
    }

    // A form body splits back into its pairs, in order.
    if !pairs.is_empty() {
        let form = form_urlencode(&pairs);
        let decoded: Vec<(String, String)> = form
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').expect("key=value");
                (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")))
            })
            .collect();
        assert_eq!(decoded, pairs);
    }
});
