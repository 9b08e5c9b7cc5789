//! Request signatures, one module per API. Each step (canonical form, string to sign, signature) is a
//! small pure function so that a client and a server (the sandbox) compute them the same way, and so
//! that each can be tested against the official SDKs' output. The clock is not read here: timestamps
//! arrive as parameters. The cryptography is RustCrypto's (`hmac`, `sha2`, `md-5`, `subtle`).

pub mod ehpc;
pub mod iaas;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Both APIs name the algorithm in the `signature_method` parameter.
pub const SIGNATURE_METHOD: &str = "HmacSHA256";
/// Both APIs sign with version 1 of their scheme and call API version 1.
pub const SIGNATURE_VERSION: &str = "1";
pub const API_VERSION: &str = "1";

/// Standard base64 (with `=` padding) of HMAC-SHA256 of `string_to_sign` under
/// `secret_access_key`.
pub fn hmac_sha256_base64(secret_access_key: &str, string_to_sign: &str) -> String {
    STANDARD.encode(hmac_sha256(
        secret_access_key.as_bytes(),
        string_to_sign.as_bytes(),
    ))
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length (a long one is hashed first), so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Compares a received signature with the expected one in constant time, so that a server cannot
/// be probed for a valid signature byte by byte.
pub fn signatures_match(expected: &str, received: &str) -> bool {
    expected.as_bytes().ct_eq(received.as_bytes()).into()
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
    fn signatures_match_only_when_equal() {
        assert!(signatures_match("abc=", "abc="));
        assert!(!signatures_match("abc=", "abd="));
        assert!(!signatures_match("abc=", "abc"));
        assert!(!signatures_match("", "a"));
        assert!(signatures_match("", ""));
    }
}
