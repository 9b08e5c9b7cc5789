//! A request made safe to show: the signature and every password masked, plus a curl command.
//! Previews are for people; what is sent is the unredacted [`HttpRequest`].

use crate::encoding::{percent_decode, quote, quote_plus};
use crate::request::HttpRequest;

/// What stands in for the signature and for passwords.
pub const REDACTED: &str = "REDACTED";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub curl: String,
}

fn is_secret_key(key: &str) -> bool {
    key == "signature" || key.contains("passw")
}

/// Masks the password fields of a JSON object (top level), such as `service_params` or an EHPC
/// body, and keeps every other byte as it was. `None` when `text` is not one object, and then the
/// caller shows none of it. A key with an escape in it is masked too: it may spell a password.
fn redact_json(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = skip_space(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_space(bytes, i + 1);
    if bytes.get(i) == Some(&b'}') {
        return (skip_space(bytes, i + 1) == bytes.len()).then(|| text.to_string());
    }
    loop {
        let key_end = string_end(bytes, i)?;
        let key = &text[i + 1..key_end - 1];
        i = skip_space(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let value_start = skip_space(bytes, i + 1);
        let value_end = value_end(bytes, value_start)?;
        if is_secret_key(key) || key.contains('\\') {
            out.push_str(&text[copied..value_start]);
            out.push('"');
            out.push_str(REDACTED);
            out.push('"');
            copied = value_end;
        }
        i = skip_space(bytes, value_end);
        match bytes.get(i)? {
            b',' => i = skip_space(bytes, i + 1),
            b'}' if skip_space(bytes, i + 1) == bytes.len() => {
                out.push_str(&text[copied..]);
                return Some(out);
            }
            _ => return None,
        }
    }
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| b" \t\r\n".contains(b)) {
        i += 1;
    }
    i
}

/// Where the JSON string starting at `i` ends (after its closing quote).
fn string_end(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        match bytes.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
}

/// Where the value starting at `start` ends: after a string, or at the `,` or `}` that closes a
/// number, literal, array or object.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    if bytes.get(start) == Some(&b'"') {
        return string_end(bytes, start);
    }
    let mut depth = 0usize;
    let mut j = start;
    loop {
        match bytes.get(j)? {
            b'"' => {
                j = string_end(bytes, j)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' | b',' if depth == 0 => return (j > start).then_some(j),
            b'}' | b']' => depth -= 1,
            _ => {}
        }
        j += 1;
    }
}

/// Redacts one decoded parameter.
fn redact_value(key: &str, value: &str) -> String {
    if is_secret_key(key) {
        REDACTED.to_string()
    } else if key == "service_params" {
        // Unparseable JSON might still hold a password: show none of it.
        redact_json(value).unwrap_or_else(|| REDACTED.to_string())
    } else {
        value.to_string()
    }
}

/// Rewrites a `k=v&k=v` string, redacting each pair and re-encoding it with `encode`.
fn redact_pairs(query: &str, plus_is_space: bool, encode: fn(&str) -> String) -> String {
    query
        .split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (key, value) = (
                percent_decode(key, plus_is_space),
                percent_decode(value, plus_is_space),
            );
            // The EHPC signature arrives encoded twice; any form of it is masked all the same.
            format!("{}={}", encode(&key), encode(&redact_value(&key, &value)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Single-quotes `text` for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

pub fn preview(request: &HttpRequest) -> Preview {
    let url = match request.url.split_once('?') {
        Some((base, query)) => format!("{base}?{}", redact_pairs(query, false, quote)),
        None => request.url.clone(),
    };
    let is_form = request
        .headers
        .iter()
        .any(|(_, v)| v == "application/x-www-form-urlencoded");
    let body = request.body.as_deref().map(|body| {
        if is_form {
            redact_pairs(body, true, quote_plus)
        } else {
            redact_json(body).unwrap_or_else(|| REDACTED.to_string())
        }
    });
    let mut curl = format!("curl -X {} {}", request.method.as_str(), shell_quote(&url));
    for (name, value) in &request.headers {
        curl.push_str(&format!(" -H {}", shell_quote(&format!("{name}: {value}"))));
    }
    if let Some(body) = &body {
        curl.push_str(&format!(" --data-raw {}", shell_quote(body)));
    }
    Preview {
        method: request.method.as_str(),
        url,
        headers: request.headers.clone(),
        body,
        curl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{self, Credentials, Method, Stamp};
    use crate::validation::{ValidClickHouseUser, ValidEhpcUser};

    const PASSWORD: &str = "Pa'ss\"w0rd+/=";

    fn credentials() -> Credentials {
        Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: "SECRET-KEY".into(),
        }
    }

    fn stamp() -> Stamp {
        Stamp {
            time_stamp: "2026-11-23T08:31:00Z".into(),
            req_id: "0".repeat(32),
        }
    }

    fn clickhouse(method: Method) -> HttpRequest {
        let user = ValidClickHouseUser {
            cluster: "cl-yxgxofd3".into(),
            zone: "pek3".into(),
            user_name: "testuser".into(),
            user_password: PASSWORD.into(),
            user_networks: "::/0".into(),
        };
        request::clickhouse_add_users(
            &user,
            &credentials(),
            "https://api.qingcloud.com",
            method,
            &stamp(),
        )
    }

    fn assert_no_secret(preview: &Preview, signature: &str) {
        let all = format!("{} {:?} {}", preview.url, preview.body, preview.curl);
        for secret in [
            PASSWORD,
            "SECRET-KEY",
            signature,
            &quote(signature),
            &quote_plus(signature),
        ] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
        assert!(all.contains(REDACTED));
    }

    fn signature_of(text: &str) -> String {
        let raw = text.rsplit("signature=").next().unwrap_or_default();
        percent_decode(&percent_decode(raw, true), true)
    }

    #[test]
    fn get_preview_masks_signature_and_password_but_keeps_the_rest() {
        let request = clickhouse(Method::Get);
        let preview = preview(&request);
        assert_no_secret(&preview, &signature_of(&request.url));
        assert!(preview.url.contains("action=RunClusterCustomService"));
        assert!(preview.url.contains("user_name%22%3A%22testuser"));
        assert!(preview
            .curl
            .starts_with("curl -X GET 'https://api.qingcloud.com/iaas/?"));
    }

    #[test]
    fn post_preview_masks_the_form_body() {
        let request = clickhouse(Method::Post);
        let preview = preview(&request);
        assert_no_secret(
            &preview,
            &signature_of(request.body.as_deref().unwrap_or_default()),
        );
        assert!(preview
            .curl
            .contains("-H 'Content-Type: application/x-www-form-urlencoded'"));
        assert!(preview.curl.contains("--data-raw 'cluster=cl-yxgxofd3&"));
    }

    #[test]
    fn ehpc_preview_masks_json_password_and_double_encoded_signature() {
        let user = ValidEhpcUser {
            cluster_id: "ehpc-8jqdq0mz".into(),
            zone: "jn1a".into(),
            username: "isabel".into(),
            password: "kUISjs@kkkkkk!".into(),
            mode: None,
        };
        let request = request::ehpc_add_user(
            &user,
            &credentials(),
            "https://hpc.api.qingcloud.com",
            "2026-11-23T08:31:00Z",
        );
        let preview = preview(&request);
        let signature = signature_of(&request.url);
        let all = format!("{} {:?} {}", preview.url, preview.body, preview.curl);
        assert!(
            !all.contains("kUISjs") && !all.contains(&signature) && !all.contains("SECRET-KEY")
        );
        assert!(preview
            .body
            .unwrap_or_default()
            .contains(r#""username": "isabel""#));
    }

    #[test]
    fn json_redaction_keeps_the_rest_as_it_was() {
        let redact = |text: &str| redact_json(text);
        assert_eq!(
            redact(r#" { "a" : [1, {"b": "}"}], "user_password":"x\"y" , "n": null } "#).as_deref(),
            Some(r#" { "a" : [1, {"b": "}"}], "user_password":"REDACTED" , "n": null } "#)
        );
        assert_eq!(redact("{}").as_deref(), Some("{}"));
        assert_eq!(
            redact(r#"{"pass\u0077ord": "x"}"#).as_deref(),
            Some(r#"{"pass\u0077ord": "REDACTED"}"#)
        );
        assert_eq!(
            redact(r#"{"password": {"nested": "x"}}"#).as_deref(),
            Some(r#"{"password": "REDACTED"}"#)
        );
        for broken in [
            "",
            "[]",
            r#"{"password": "x""#,
            r#"{"password": "x" junk}"#,
            r#"{"password": }"#,
            r#"{"a": 1} {"password": "x"}"#,
            r#"{"a" 1}"#,
            r#"{"a": 1,}"#,
        ] {
            assert_eq!(redact(broken), None, "{broken}");
        }
    }

    #[test]
    fn shell_quoting_survives_single_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
