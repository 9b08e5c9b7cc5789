//! Previews of arbitrary requests: whatever the URL, headers and body, `preview` does not panic,
//! and
//! - every query or form parameter that names a signature or a password shows only `REDACTED`;
//! - a JSON body that serde_json reads as an object is still JSON afterwards, member for member:
//!   the value of a secret key (or of a key written with an escape) is the string `REDACTED`,
//!   every other value is the input's; a JSON body that is not an object shows only `REDACTED`;
//! - previewing the preview changes neither its URL nor its body. The JSON scanner keeps what it
//!   does not mask byte for byte and is lenient about literals, so this is what checks the bodies
//!   serde_json refuses: a secret left in a first preview would be masked by the second.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use qingcloud_useradd::preview::{preview, REDACTED};
use qingcloud_useradd::request::{HttpRequest, Method};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;

#[derive(Arbitrary, Debug)]
struct Input {
    post: bool,
    url: String,
    headers: Vec<(String, String)>,
    form: bool,
    body: Option<Body>,
}

#[derive(Arbitrary, Debug)]
enum Body {
    Raw(String),
    /// A JSON object written member by member (duplicate keys too): random text seldom is one.
    Object {
        members: Vec<(Key, Member)>,
        spaced: bool,
    },
}

#[derive(Arbitrary, Debug)]
struct Key {
    text: String,
    /// Every character as `\uXXXX`, which may spell `password` without the scanner seeing it.
    escaped: bool,
}

#[derive(Arbitrary, Debug)]
enum Member {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<String>),
    Record(Vec<(String, String)>),
}

impl Body {
    fn text(self) -> String {
        let (members, spaced) = match self {
            Body::Raw(text) => return text,
            Body::Object { members, spaced } => (members, spaced),
        };
        let (space, colon) = if spaced { ("\n\t ", " : ") } else { ("", ":") };
        let members: Vec<String> = members
            .into_iter()
            .map(|(key, member)| {
                let value = match member {
                    Member::Null => Value::Null,
                    Member::Bool(b) => Value::Bool(b),
                    Member::Number(n) => Value::from(n),
                    Member::Text(text) => Value::String(text),
                    Member::List(items) => Value::from(items),
                    Member::Record(pairs) => Value::Object(
                        pairs
                            .into_iter()
                            .map(|(k, v)| (k, Value::String(v)))
                            .collect(),
                    ),
                };
                let key = if key.escaped {
                    let units: String = key
                        .text
                        .encode_utf16()
                        .map(|unit| format!("\\u{unit:04x}"))
                        .collect();
                    format!("\"{units}\"")
                } else {
                    Value::String(key.text).to_string()
                };
                format!("{space}{key}{colon}{value}")
            })
            .collect();
        format!("{{{}{space}}}", members.join(","))
    }
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
        body: input.body.map(Body::text),
    };
    let shown = preview(&request);
    assert_eq!(shown.method, request.method.as_str());
    assert_eq!(shown.headers, request.headers);
    assert!(shown
        .curl
        .starts_with(&format!("curl -X {} '", shown.method)));
    assert_eq!(shown.body.is_some(), request.body.is_some());
    if let Some((_, query)) = shown.url.split_once('?') {
        assert_redacted(query, false);
    }
    match (&shown.body, &request.body, input.form) {
        (Some(body), _, true) => assert_redacted(body, true),
        (Some(body), Some(original), false) => assert_json_redacted(original, body),
        _ => {}
    }

    // What a preview shows is already safe to show: a second preview finds nothing more to mask.
    let again = preview(&HttpRequest {
        method: request.method,
        url: shown.url.clone(),
        headers: shown.headers.clone(),
        body: shown.body.clone(),
    });
    assert_eq!(again.url, shown.url);
    assert_eq!(again.body, shown.body);
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

/// A JSON body serde_json reads as an object keeps every member, in order, and masks exactly the
/// secret ones. Bodies serde_json refuses may be shown or not: the scanner is lenient about
/// literals such as `{"a": nonsense}`, and the idempotence check covers them.
fn assert_json_redacted(original: &str, shown: &str) {
    match serde_json::from_str::<Members>(original) {
        Ok(Members(members)) => {
            let Members(shown_members) =
                serde_json::from_str(shown).expect("a JSON object stays a JSON object");
            assert_eq!(members.len(), shown_members.len(), "{shown}");
            let redacted = Value::String(REDACTED.into());
            for ((key, escaped, value), (shown_key, shown_escaped, shown_value)) in
                members.iter().zip(&shown_members)
            {
                assert_eq!((key, escaped), (shown_key, shown_escaped), "{shown}");
                let expected = if is_secret(key) || *escaped {
                    &redacted
                } else {
                    value
                };
                assert_eq!(shown_value, expected, "{key:?} in {shown}");
            }
        }
        // JSON, but an array, a string, a number or a literal: not one object, none of it shown.
        Err(_) if serde_json::from_str::<Value>(original).is_ok() => assert_eq!(shown, REDACTED),
        Err(_) => {}
    }
}

/// The members of a JSON object in order, duplicates included, each key with whether it was
/// written with an escape: serde_json lends a key's text only when it had nothing to unescape.
struct Members(Vec<(String, bool, Value)>);

struct RawKey(String, bool);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Members, M::Error> {
                let mut members = Vec::new();
                while let Some((RawKey(key, escaped), value)) = map.next_entry()? {
                    members.push((key, escaped, value));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<RawKey, E> {
                Ok(RawKey(key.into(), false))
            }
            fn visit_str<E>(self, key: &str) -> Result<RawKey, E> {
                Ok(RawKey(key.into(), true))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}
