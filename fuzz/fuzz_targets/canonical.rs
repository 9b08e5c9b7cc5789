//! The signers' canonical forms over arbitrary parameters, methods, paths and bodies: no panic,
//! the shapes the APIs sign, independence from the order of distinct keys, and signatures that
//! follow the canonical form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingcloud_useradd::signing::{ehpc, hmac_sha256_base64, iaas, signatures_match};

fuzz_target!(
    |input: (Vec<(String, String)>, String, String, Vec<u8>, String)| {
        let (params, method, path, body, secret) = input;

        let query = iaas::canonical_query(&params);
        if !params.is_empty() {
            assert_eq!(query.matches('&').count(), params.len() - 1);
            assert_eq!(query.matches('=').count(), params.len());
        }
        let to_sign = iaas::string_to_sign(&method, iaas::PATH, &query);
        let signature = iaas::signature(&secret, &method, &params);
        assert_eq!(signature, hmac_sha256_base64(&secret, &to_sign));
        assert!(signatures_match(&signature, &signature.clone()));

        let uri = ehpc::canonical_uri(&path);
        assert!(uri.ends_with('/'), "{uri}");
        assert!(!uri.contains(['\n', ' ', '?', '#']), "{uri}");
        let ehpc_query = ehpc::canonical_query(&params);
        let kept = params.iter().filter(|(_, v)| !v.is_empty()).count();
        assert_eq!(ehpc_query.matches('=').count(), kept);
        assert!(!ehpc_query.contains('\n'));
        let ehpc_to_sign = ehpc::string_to_sign(&method, &path, &params, &body);
        assert!(ehpc_to_sign.ends_with(&ehpc::body_digest(&body)));
        assert_eq!(ehpc::body_digest(&body).len(), 32);
        assert_eq!(
            ehpc::signature(&secret, &method, &path, &params, &body),
            hmac_sha256_base64(&secret, &ehpc_to_sign)
        );

        // With distinct keys, the given order does not matter to either signer.
        let mut keys: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        if keys.len() == params.len() {
            let reversed: Vec<(String, String)> = params.iter().rev().cloned().collect();
            assert_eq!(iaas::canonical_query(&reversed), query);
            assert_eq!(ehpc::canonical_query(&reversed), ehpc_query);
        }
    }
);
