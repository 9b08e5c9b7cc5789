//! IaaS signature version 1, as `qingcloud-sdk`'s `QuerySignatureAuthHandler` computes it.
//!
//! String to sign: `VERB + "\n" + "/iaas/" + "\n" + query`, the query being every parameter but the
//! signature, sorted by key, keys and values percent-encoded with only ASCII letters, digits and
//! `-_.~` left as they are.

use super::hmac_sha256_base64;
use crate::encoding::{join_pairs, Quoting};

/// The path every IaaS action is sent to and signed with.
pub const PATH: &str = "/iaas/";

/// The sorted, encoded query the signature covers. With GET it is also the query string sent.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut sorted: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    // A stable sort keeps repeated keys in their given order, as Python's does.
    crate::order::sort_pairs(&mut sorted, false);
    join_pairs(&sorted, Quoting::Quote)
}

pub fn string_to_sign(method: &str, path: &str, canonical_query: &str) -> String {
    [method, "\n", path, "\n", canonical_query].concat()
}

/// The base64 signature of `params` (which must not include `signature`).
pub fn signature<K: AsRef<str>, V: AsRef<str>>(
    secret_access_key: &str,
    method: &str,
    params: &[(K, V)],
) -> String {
    let query = canonical_query(params);
    hmac_sha256_base64(secret_access_key, &string_to_sign(method, PATH, &query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_query_sorts_and_encodes_keys_and_values() {
        let params = [("zone", "pek3"), ("b.1", "a b"), ("action", "X+/=~")];
        assert_eq!(
            canonical_query(&params),
            "action=X%2B%2F%3D~&b.1=a%20b&zone=pek3"
        );
    }

    #[test]
    fn empty_values_are_signed_as_key_equals() {
        assert_eq!(canonical_query(&[("b", ""), ("a", "1")]), "a=1&b=");
    }

    #[test]
    fn string_to_sign_joins_with_newlines() {
        assert_eq!(string_to_sign("GET", PATH, "a=1"), "GET\n/iaas/\na=1");
    }

    /// The worked example of QingCloud's signature documentation.
    #[test]
    fn documented_signature_example() {
        let params = [
            ("count", "1"),
            ("vxnets.1", "vxnet-0"),
            ("zone", "pek3a"),
            ("instance_type", "small_b"),
            ("signature_version", "1"),
            ("signature_method", "HmacSHA256"),
            ("instance_name", "demo"),
            ("image_id", "centos64x86a"),
            ("login_mode", "passwd"),
            ("login_passwd", "QingCloud20130712"),
            ("version", "1"),
            ("access_key_id", "QYACCESSKEYIDEXAMPLE"),
            ("action", "RunInstances"),
            ("time_stamp", "2013-08-27T14:30:10Z"),
        ];
        assert_eq!(
            canonical_query(&params),
            "access_key_id=QYACCESSKEYIDEXAMPLE&action=RunInstances&count=1&image_id=centos64x86a&instance_name=demo&instance_type=small_b&login_mode=passwd&login_passwd=QingCloud20130712&signature_method=HmacSHA256&signature_version=1&time_stamp=2013-08-27T14%3A30%3A10Z&version=1&vxnets.1=vxnet-0&zone=pek3a"
        );
        assert_eq!(
            signature("SECRETACCESSKEY", "GET", &params),
            "byjccvWIvAftaq+oublemagH3bYAlDWxxLFAzAsyslw="
        );
    }
}
