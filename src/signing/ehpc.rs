//! EHPC signatures, as `qingcloud-hpc` computes them for `hpc.api.qingcloud.com`.
//!
//! String to sign: `METHOD\nPATH/\nsorted_query\nmd5hex(body)`. The signed path always ends in `/`
//! though the request path does not; query values are encoded with `/` left as it is; the MD5 is of
//! the exact body bytes.

use super::hmac_sha256_base64;
use crate::encoding::{join_pairs, quote_keep_slash, Quoting};
use md5::{Digest, Md5};

/// `process_canonical_uri`: each path segment re-encoded, and a trailing `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = crate::encoding::percent_decode(path, false)
        .split('/')
        .map(quote_keep_slash)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// `process_canonical_query_string` over decoded parameters (which must not include `signature`).
/// Like the `parse_qs` the SDK calls first, it drops parameters whose value is empty; keys are
/// sorted and, for a repeated key, so are its values.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    crate::order::sort_pairs(&mut pairs, true);
    join_pairs(&pairs, Quoting::QuoteKeepSlash)
}

/// Lowercase hex MD5 of the body; an absent body is the empty string.
pub fn body_digest(body: &[u8]) -> String {
    format!("{:x}", Md5::digest(body))
}

pub fn string_to_sign<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    path: &str,
    params: &[(K, V)],
    body: &[u8],
) -> String {
    [
        &method.to_ascii_uppercase(),
        "\n",
        &canonical_uri(path),
        "\n",
        &canonical_query(params),
        "\n",
        &body_digest(body),
    ]
    .concat()
}

/// The base64 signature, before the SDK's two rounds of URL-encoding.
pub fn signature<K: AsRef<str>, V: AsRef<str>>(
    secret_access_key: &str,
    method: &str,
    path: &str,
    params: &[(K, V)],
    body: &[u8],
) -> String {
    hmac_sha256_base64(
        secret_access_key,
        &string_to_sign(method, path, params, body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_gets_a_trailing_slash() {
        assert_eq!(canonical_uri("/api/user/addUser"), "/api/user/addUser/");
        assert_eq!(canonical_uri("/api/user/"), "/api/user/");
        assert_eq!(canonical_uri("/a%20b/c d"), "/a%20b/c%20d/");
    }

    #[test]
    fn canonical_query_sorts_keeps_slash_and_drops_empty_values() {
        let params = [
            ("timestamp", "2026-11-23T08:31:00Z"),
            ("access_key_id", "AK"),
            ("empty", ""),
            ("path", "a/b c"),
        ];
        assert_eq!(
            canonical_query(&params),
            "access_key_id=AK&path=a/b%20c&timestamp=2026-11-23T08%3A31%3A00Z"
        );
    }

    #[test]
    fn digest_of_empty_body() {
        assert_eq!(body_digest(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn digest_is_lowercase_hex_md5_of_the_bytes() {
        // RFC 1321's test suite.
        assert_eq!(
            body_digest(b"message digest"),
            "f96b697d7cb7938d525a2f31aaf161d0"
        );
    }

    #[test]
    fn string_to_sign_has_four_lines() {
        let sts = string_to_sign("post", "/api/user/addUser", &[("version", "1")], b"");
        assert_eq!(
            sts,
            "POST\n/api/user/addUser/\nversion=1\nd41d8cd98f00b204e9800998ecf8427e"
        );
    }
}
