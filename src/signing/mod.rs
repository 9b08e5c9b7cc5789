//! Request signatures, one module per API. Each step (canonical form, string to sign, signature) is a
//! small pure function so that a client and a server (the sandbox) compute them the same way, and so
//! that each can be tested against the official SDKs' output. The clock is not read here: timestamps
//! arrive as parameters.

pub mod ehpc;
mod hash;
pub mod iaas;

pub(crate) use hash::md5;
use hash::{sha256, Sha256};

/// Both APIs name the algorithm in the `signature_method` parameter.
pub const SIGNATURE_METHOD: &str = "HmacSHA256";
/// Both APIs sign with version 1 of their scheme and call API version 1.
pub const SIGNATURE_VERSION: &str = "1";
pub const API_VERSION: &str = "1";

/// Base64 of HMAC-SHA256 of `string_to_sign` under `secret_access_key`.
pub fn hmac_sha256_base64(secret_access_key: &str, string_to_sign: &str) -> String {
    base64(&hmac_sha256(
        secret_access_key.as_bytes(),
        string_to_sign.as_bytes(),
    ))
}

/// HMAC (RFC 2104) over SHA-256, written out: it is a dozen lines, and the generic `hmac` crate
/// costs the wasm module more than that.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&sha256(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block_key.map(|k| k ^ byte);
    let mut inner = Sha256::new();
    inner.update(&pad(0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(&pad(0x5c));
    outer.update(&inner.finish());
    outer.finish()
}

/// Standard base64 with `=` padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(group >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Compares a received signature with the expected one in constant time, so that a server cannot
/// be probed for a valid signature byte by byte.
pub fn signatures_match(expected: &str, received: &str) -> bool {
    let (a, b) = (expected.as_bytes(), received.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            hmac_sha256_base64("Jefe", "what do ya want for nothing?"),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
    }

    #[test]
    fn hmac_matches_rfc4231_case_6_with_a_long_key() {
        // RFC 4231 test case 6: a 131-byte key is hashed first.
        let key = [0xaa; 131];
        let mac = hmac_sha256(
            &key,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            crate::encoding::lower_hex(&mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn base64_pads_like_the_standard() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn signatures_match_only_when_equal() {
        assert!(signatures_match("abc=", "abc="));
        assert!(!signatures_match("abc=", "abd="));
        assert!(!signatures_match("abc=", "abc"));
    }
}
