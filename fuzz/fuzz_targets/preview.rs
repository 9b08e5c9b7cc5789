//! Previews of arbitrary requests: whatever the URL, headers and body, `preview` does not panic
//! and every parameter or JSON field that names a signature or a password shows only `REDACTED`.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use qingcloud_useradd::preview::{preview, REDACTED};
use qingcloud_useradd::request::{HttpRequest, Method};
use serde_json::Value;

#[derive(Arbitrary, Debug)]
struct Input {
    post: bool,
    url: String,
    headers: Vec<(String, String)>,
    form: bool,
    body: Option<String>,
}

fuzz_target!(|input: Input| {
    let mut headers = input.headers;
    if input.form {
        headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    let request = HttpRequest {
        method: if input.post {
            Method::Post
        } else {
            Method::Get
        },
        url: input.url,
        headers,
        body: input.body,
    };
    let shown = preview(&request);
    assert_eq!(shown.method, request.method.as_str());
    assert!(shown
        .curl
        .starts_with(&format!("curl -X {} '", shown.method)));
    assert_eq!(shown.body.is_some(), request.body.is_some());
    if let Some((_, query)) = shown.url.split_once('?') {
        assert_redacted(query, false);
    }
    match (&shown.body, input.form) {
        (Some(body), true) => assert_redacted(body, true),
        (Some(body), false) => {
            if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(body) {
                for (key, value) in object {
                    if is_secret(&key) {
                        assert_eq!(value.as_str(), Some(REDACTED), "{key}");
                    }
                }
            } else {
                assert_eq!(body, REDACTED);
            }
        }
        (None, _) => {}
    }
});

fn is_secret(key: &str) -> bool {
    key == "signature" || key.contains("passw")
}

/// Every pair of a redacted query or form body whose key names a secret shows only `REDACTED`.
fn assert_redacted(pairs: &str, plus_is_space: bool) {
    for pair in pairs.split('&') {
        let (key, value) = pair.split_once('=').expect("preview writes key=value");
        let key = if plus_is_space {
            key.replace('+', " ")
        } else {
            key.to_string()
        };
        let key = urlencoding::decode(&key).expect("preview encodes keys");
        if is_secret(&key) {
            assert_eq!(value, REDACTED, "{pairs}");
        }
    }
}
