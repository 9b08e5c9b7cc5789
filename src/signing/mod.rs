//! Request signatures, one module per API. Each step (canonical form, string to sign, signature) is a
//! small pure function so that a client and a server (the sandbox) compute them the same way, and so
//! that each can be tested against the official SDKs' output. The clock is not read here: timestamps
//! arrive as parameters.

pub mod ehpc;
pub mod iaas;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Both APIs name the algorithm in the `signature_method` parameter.
pub const SIGNATURE_METHOD: &str = "HmacSHA256";
/// Both APIs sign with version 1 of their scheme and call API version 1.
pub const SIGNATURE_VERSION: &str = "1";
pub const API_VERSION: &str = "1";

/// Base64 of HMAC-SHA256 of `string_to_sign` under `secret_access_key`.
pub fn hmac_sha256_base64(secret_access_key: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_access_key.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
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
    fn signatures_match_only_when_equal() {
        assert!(signatures_match("abc=", "abc="));
        assert!(!signatures_match("abc=", "abd="));
        assert!(!signatures_match("abc=", "abc"));
    }
}
