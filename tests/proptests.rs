//! Property tests over the crate's public API: the encoders follow Python's rule and round-trip,
//! validation never panics, keeps its own invariants and deduplicates networks as a plain pairwise
//! scan would, and signing is deterministic yet changes with every parameter. Case counts are
//! kept small enough for the whole file to run in a few seconds.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use qingcloud_useradd::encoding::{
    encode_service_params, form_urlencode, percent_decode, python_json_dumps_sorted, quote,
    quote_keep_slash, quote_plus, service_params_json,
};
use qingcloud_useradd::messages::Lang;
use qingcloud_useradd::request::{self, Credentials, HttpRequest, Method, Stamp};
use qingcloud_useradd::signing::{ehpc, iaas};
use qingcloud_useradd::validation::{
    join_networks, validate_clickhouse_user, validate_ehpc_user, ClickHouseUser, EhpcUser, Report,
    ValidClickHouseUser, ValidEhpcUser,
};
use serde_json::Value;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Shrinking a failure may take many more runs; keep it bounded too.
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    }
}

/// Any string, biased towards what breaks encoders and validators: quotes, backslashes, `%`,
/// `+`, `&`, `=`, `;`, `/`, control characters, non-ASCII and astral characters.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\"\\\\%+&=;/:. \t\r\n\u{0}\u{7f}é中😀a-zA-Z0-9]{0,24}",
        "[0-9a-fA-F:./]{0,40}",
    ]
}

/// Strings of printable ASCII: secrets without NUL bytes. HMAC pads short keys with zeros, so
/// `k` and `k\0` are the same key by design; that is not a property of this crate.
fn secret() -> impl Strategy<Value = String> {
    "[!-~]{1,40}"
}

fn urldecode(text: &str) -> String {
    urlencoding::decode(text)
        .expect("percent-decoding gives UTF-8 back")
        .into_owned()
}

fn form_decode(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').expect("every pair has an =");
            (
                urldecode(&k.replace('+', " ")),
                urldecode(&v.replace('+', " ")),
            )
        })
        .collect()
}

/// Python's `quote` byte by byte: ASCII letters, digits, `_.-~` and the `safe` bytes kept, a
/// space as `+` for `quote_plus`, every other byte `%XX` in uppercase.
fn python_quote(text: &str, safe: &[u8], plus: bool) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) || safe.contains(&b) {
                char::from(b).to_string()
            } else if plus && b == b' ' {
                "+".to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `user_networks` entries from a small alphabet whose validity is plain: addresses are valid,
/// `x…` entries are not, and separators and blanks make empty entries.
fn network_chunk() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof!["10\\.0\\.0\\.[0-3]", "::[0-3]", "x[0-1]", " ?", ""],
        0..6,
    )
    .prop_flat_map(|entries| {
        let separators = proptest::collection::vec("[;\n\r]", entries.len());
        (Just(entries), separators)
    })
    .prop_map(|(entries, separators)| {
        entries
            .iter()
            .zip(separators)
            .map(|(entry, separator)| format!("{entry}{separator}"))
            .collect()
    })
}

proptest! {
    #![proptest_config(config(512))]

    /// The three encoders are Python's `quote`, `quote(safe="/")` and `quote_plus`, and the
    /// decoder (`unquote`, `unquote_plus`) undoes them.
    #[test]
    fn encoders_follow_pythons_rule(text in tricky()) {
        prop_assert_eq!(quote(&text), python_quote(&text, b"", false));
        prop_assert_eq!(quote_keep_slash(&text), python_quote(&text, b"/", false));
        prop_assert_eq!(quote_plus(&text), python_quote(&text, b"", true));
        prop_assert_eq!(percent_decode(&quote(&text), false), text.clone());
        prop_assert_eq!(percent_decode(&quote_keep_slash(&text), false), text.clone());
        prop_assert_eq!(percent_decode(&quote_plus(&text), true), text);
    }

    /// Networks are split, trimmed and deduplicated as a pairwise scan over the entries would:
    /// the first of each valid entry kept in order, a warning at each later repeat of one, an
    /// error at each invalid entry.
    #[test]
    fn networks_are_deduplicated_as_a_pairwise_scan_would(
        chunks in proptest::collection::vec(network_chunk(), 0..5),
    ) {
        let entries: Vec<&str> = chunks
            .iter()
            .flat_map(|chunk| chunk.split([';', '\n', '\r']))
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .collect();
        let mut kept: Vec<&str> = Vec::new();
        let (mut repeats, mut invalid) = (0, 0);
        for entry in &entries {
            if kept.contains(entry) {
                repeats += 1;
            } else if entry.starts_with('x') {
                invalid += 1;
            } else {
                kept.push(entry);
            }
        }
        let user = ClickHouseUser {
            cluster: "cl-yxgxofd3".into(),
            zone: "pek3".into(),
            user_name: "u".into(),
            user_password: "password".into(),
            user_networks: chunks.clone(),
        };
        let report = validate_clickhouse_user(&user, Lang::En);
        let warned = report.report.warnings.iter().filter(|w| w.code == "duplicate_network").count();
        prop_assert_eq!(warned, repeats);
        let refused = report.report.errors.iter().filter(|e| e.field == "user_networks").count();
        prop_assert_eq!(refused, if invalid == 0 && kept.is_empty() { 1 } else { invalid });
        if report.report.ok {
            prop_assert_eq!(report.value.map(|v| v.user_networks), Some(kept.join(";")));
        }
        let mut distinct: Vec<&str> = Vec::new();
        for entry in entries {
            if !distinct.contains(&entry) {
                distinct.push(entry);
            }
        }
        prop_assert_eq!(join_networks(&chunks), distinct.join(";"));
    }

    /// Encoding then decoding `service_params` gives back the three strings, in the documented
    /// key order, and the encoded form holds only unreserved characters and `%XX`.
    #[test]
    fn service_params_round_trip(networks in tricky(), password in tricky(), name in tricky()) {
        let encoded = encode_service_params(&networks, &password, &name);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)), "{}", encoded);
        let json = urldecode(&encoded);
        prop_assert_eq!(&json, &service_params_json(&networks, &password, &name));
        let parsed: serde_json::Map<String, Value> = serde_json::from_str(&json).expect("valid JSON");
        let keys: Vec<&str> = parsed.keys().map(String::as_str).collect();
        // serde_json's map is sorted; check the order on the text instead.
        prop_assert_eq!(keys.len(), 3);
        let at = |key: &str| json.find(&format!("\"{key}\":")).expect("key present");
        prop_assert!(at("user_networks") < at("user_password") && at("user_password") < at("user_name"));
        prop_assert_eq!(parsed["user_networks"].as_str(), Some(networks.as_str()));
        prop_assert_eq!(parsed["user_password"].as_str(), Some(password.as_str()));
        prop_assert_eq!(parsed["user_name"].as_str(), Some(name.as_str()));
    }

    /// The EHPC body (Python's `json.dumps(sort_keys=True)`) is pure ASCII and parses back to the
    /// same fields.
    #[test]
    fn python_json_round_trip(values in proptest::collection::vec(tricky(), 4)) {
        let keys = ["zone", "username", "password", "cluster_id"];
        let pairs: Vec<(&str, &str)> = keys.iter().copied().zip(values.iter().map(String::as_str)).collect();
        let text = python_json_dumps_sorted(&pairs);
        prop_assert!(text.is_ascii());
        let parsed: serde_json::Map<String, Value> = serde_json::from_str(&text).expect("valid JSON");
        for (key, value) in &pairs {
            prop_assert_eq!(parsed[*key].as_str(), Some(*value));
        }
    }

    /// A form body decodes back to its pairs, in order.
    #[test]
    fn form_body_round_trip(pairs in proptest::collection::vec((tricky(), tricky()), 1..6)) {
        prop_assert_eq!(form_decode(&form_urlencode(&pairs)), pairs);
    }

    /// Validation never panics on any strings, in either language, and its report is coherent:
    /// `ok` exactly when there is no error, a value exactly when ok, every issue named and worded.
    #[test]
    fn validation_never_panics(
        cluster in tricky(), zone in tricky(), name in tricky(), password in tricky(),
        networks in proptest::collection::vec(tricky(), 0..4), mode in tricky(), zh in any::<bool>(),
    ) {
        let lang = if zh { Lang::Zh } else { Lang::En };
        let user = ClickHouseUser {
            cluster: cluster.clone(), zone: zone.clone(), user_name: name.clone(),
            user_password: password.clone(), user_networks: networks,
        };
        let validated = validate_clickhouse_user(&user, lang);
        check_report(&validated.report)?;
        prop_assert_eq!(validated.value.is_some(), validated.report.ok);
        if let Some(valid) = validated.value {
            // What validation accepted is accepted again, unchanged, once normalised.
            prop_assert!(!valid.user_networks.split(';').any(str::is_empty));
            let again = validate_clickhouse_user(&ClickHouseUser {
                user_networks: vec![valid.user_networks.clone()], ..user
            }, lang);
            prop_assert_eq!(again.value.map(|v| v.user_networks), Some(valid.user_networks));
        }
        let user = EhpcUser { cluster_id: cluster, zone, username: name, password, mode };
        let validated = validate_ehpc_user(&user, lang);
        check_report(&validated.report)?;
        prop_assert_eq!(validated.value.is_some(), validated.report.ok);
    }

    /// The same inputs sign the same request; changing any one of them changes the signature.
    #[test]
    fn clickhouse_signing_is_deterministic_and_sensitive(
        fields in proptest::collection::vec(tricky(), 5),
        access_key_id in tricky(), secret in secret(), time_stamp in tricky(), req_id in tricky(),
        post in any::<bool>(), which in 0usize..10, change in tricky(),
    ) {
        let user = ValidClickHouseUser {
            cluster: fields[0].clone(), zone: fields[1].clone(), user_name: fields[2].clone(),
            user_password: fields[3].clone(), user_networks: fields[4].clone(),
        };
        let credentials = Credentials { access_key_id, secret_access_key: secret };
        let stamp = Stamp { time_stamp, req_id };
        let method = if post { Method::Post } else { Method::Get };
        let build = |user: &ValidClickHouseUser, credentials: &Credentials, stamp: &Stamp, method| {
            request::clickhouse_add_users(user, credentials, request::DEFAULT_IAAS_ENDPOINT, method, stamp)
        };
        let first = build(&user, &credentials, &stamp, method);
        prop_assert_eq!(&build(&user, &credentials, &stamp, method), &first);
        let (mut user2, mut credentials2, mut stamp2, mut method2) =
            (user.clone(), credentials.clone(), stamp.clone(), method);
        let suffix = if change.is_empty() { "x".to_string() } else { change };
        match which {
            0 => user2.cluster.push_str(&suffix),
            1 => user2.zone.push_str(&suffix),
            2 => user2.user_name.push_str(&suffix),
            3 => user2.user_password.push_str(&suffix),
            4 => user2.user_networks.push_str(&suffix),
            5 => credentials2.access_key_id.push_str(&suffix),
            6 => credentials2.secret_access_key.push('!'),
            7 => stamp2.time_stamp.push_str(&suffix),
            8 => stamp2.req_id.push_str(&suffix),
            _ => method2 = if post { Method::Get } else { Method::Post },
        }
        let second = build(&user2, &credentials2, &stamp2, method2);
        prop_assert_ne!(signature_of(&first), signature_of(&second), "parameter {} changed", which);
    }

    #[test]
    fn ehpc_signing_is_deterministic_and_sensitive(
        fields in proptest::collection::vec(tricky(), 4), mode in proptest::option::of(tricky()),
        access_key_id in "[!-~]{1,24}", secret in secret(), time_stamp in "[!-~]{1,24}",
        which in 0usize..8, change in tricky(),
    ) {
        let user = ValidEhpcUser {
            cluster_id: fields[0].clone(), zone: fields[1].clone(), username: fields[2].clone(),
            password: fields[3].clone(), mode,
        };
        let credentials = Credentials { access_key_id, secret_access_key: secret };
        let first = request::ehpc_add_user(&user, &credentials, request::DEFAULT_EHPC_ENDPOINT, &time_stamp);
        prop_assert_eq!(
            &request::ehpc_add_user(&user, &credentials, request::DEFAULT_EHPC_ENDPOINT, &time_stamp),
            &first
        );
        let (mut user2, mut credentials2, mut time_stamp2) = (user.clone(), credentials.clone(), time_stamp.clone());
        let suffix = if change.is_empty() { "x".to_string() } else { change };
        match which {
            0 => user2.cluster_id.push_str(&suffix),
            1 => user2.zone.push_str(&suffix),
            2 => user2.username.push_str(&suffix),
            3 => user2.password.push_str(&suffix),
            4 => user2.mode = match user2.mode { Some(m) => Some(format!("{m}{suffix}")), None => Some(suffix) },
            5 => credentials2.access_key_id.push_str(&suffix),
            6 => credentials2.secret_access_key.push('!'),
            _ => time_stamp2.push_str(&suffix),
        }
        let second = request::ehpc_add_user(&user2, &credentials2, request::DEFAULT_EHPC_ENDPOINT, &time_stamp2);
        prop_assert_ne!(signature_of(&first), signature_of(&second), "parameter {} changed", which);
    }

    /// The signers themselves over arbitrary parameter lists: canonical forms do not depend on the
    /// order parameters are given in (distinct keys), and every value is covered by the signature.
    #[test]
    fn canonical_forms_ignore_order_and_cover_every_value(
        pairs in proptest::collection::btree_map(tricky(), tricky(), 1..8),
        secret in secret(), pick in any::<proptest::sample::Index>(),
    ) {
        let forward: Vec<(String, String)> = pairs.into_iter().collect();
        let backward: Vec<(String, String)> = forward.iter().rev().cloned().collect();
        prop_assert_eq!(iaas::canonical_query(&forward), iaas::canonical_query(&backward));
        prop_assert_eq!(ehpc::canonical_query(&forward), ehpc::canonical_query(&backward));
        let i = pick.index(forward.len());
        let mut changed = forward.clone();
        changed[i].1.push('x');
        prop_assert_ne!(
            iaas::signature(&secret, "GET", &forward),
            iaas::signature(&secret, "GET", &changed)
        );
        prop_assert_ne!(
            ehpc::signature(&secret, "POST", "/api/user/addUser", &forward, b"{}"),
            ehpc::signature(&secret, "POST", "/api/user/addUser", &changed, b"{}")
        );
    }
}

fn check_report(report: &Report) -> Result<(), TestCaseError> {
    prop_assert_eq!(report.ok, report.errors.is_empty());
    for issue in report.errors.iter().chain(&report.warnings) {
        prop_assert!(!issue.field.is_empty() && !issue.code.is_empty());
        prop_assert!(!issue.message.trim().is_empty());
    }
    Ok(())
}

/// The signature a request carries, in the URL (GET, EHPC) or the form body (IaaS POST).
fn signature_of(request: &HttpRequest) -> String {
    let carrier = match &request.body {
        Some(body) if request.url.ends_with("/iaas/") => body,
        _ => &request.url,
    };
    carrier
        .rsplit_once("&signature=")
        .map(|(_, signature)| signature.to_string())
        .expect("a signature")
}
