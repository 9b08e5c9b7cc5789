//! A request made safe to show: the signature and every password masked, plus a curl command.
//! Previews are for people; what is sent is the unredacted [`HttpRequest`].

use crate::encoding::{quote, quote_plus};
use crate::request::HttpRequest;
use serde::Serialize;
use serde_json::Value;

/// What stands in for the signature and for passwords.
pub const REDACTED: &str = "REDACTED";

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Preview {
    pub method: &'static str,
    pub url: String,
    #[serde(serialize_with = "crate::encoding::serialize_pairs_as_map")]
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub curl: String,
}

fn is_secret_key(key: &str) -> bool {
    key == "signature" || key.contains("passw")
}

/// Masks password fields of a JSON object (top level), such as `service_params` or an EHPC body.
fn redact_json(text: &str) -> Option<String> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    let object = value.as_object_mut()?;
    for (key, field) in object.iter_mut() {
        if is_secret_key(key) {
            *field = Value::String(REDACTED.into());
        }
    }
    serde_json::to_string(&value).ok()
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

fn decode(text: &str, plus_is_space: bool) -> String {
    let text = if plus_is_space {
        text.replace('+', " ")
    } else {
        text.to_string()
    };
    urlencoding::decode(&text)
        .map(|d| d.into_owned())
        .unwrap_or(text)
}

/// Rewrites a `k=v&k=v` string, redacting each pair and re-encoding it with `encode`.
fn redact_pairs(query: &str, plus_is_space: bool, encode: fn(&str) -> String) -> String {
    query
        .split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (key, value) = (decode(key, plus_is_space), decode(value, plus_is_space));
            // The EHPC signature arrives encoded twice; any form of it is masked all the same.
            format!("{}={}", encode(&key), encode(&redact_value(&key, &value)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn quote_owned(text: &str) -> String {
    quote(text).into_owned()
}

/// Single-quotes `text` for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

pub fn preview(request: &HttpRequest) -> Preview {
    let url = match request.url.split_once('?') {
        Some((base, query)) => format!("{base}?{}", redact_pairs(query, false, quote_owned)),
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
        decode(&decode(raw, true), true)
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
            .contains(r#""username":"isabel""#));
    }

    #[test]
    fn shell_quoting_survives_single_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
