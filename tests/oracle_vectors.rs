//! The crate's requests against what the official SDKs produced for the same inputs
//! (`tests/oracle/expected.json`, made by `tests/oracle/sdk_sign.py` from `cases.json`; the node
//! oracle test re-runs the SDKs live and checks that file is current).

use qingcloud_useradd::request::{self, Credentials, HttpRequest, Method, Stamp};
use qingcloud_useradd::validation::{ValidClickHouseUser, ValidEhpcUser};
use serde_json::Value;

fn text(case: &Value, key: &str) -> String {
    case[key].as_str().unwrap_or_default().to_string()
}

fn build(case: &Value) -> HttpRequest {
    let credentials = Credentials {
        access_key_id: text(case, "access_key_id"),
        secret_access_key: text(case, "secret_access_key"),
    };
    let stamp = Stamp {
        time_stamp: text(case, "time_stamp"),
        req_id: text(case, "req_id"),
    };
    let method = if case["method"] == "POST" {
        Method::Post
    } else {
        Method::Get
    };
    match case["kind"].as_str() {
        Some("clickhouse") => request::clickhouse_add_users(
            &ValidClickHouseUser {
                cluster: text(case, "cluster"),
                zone: text(case, "zone"),
                user_name: text(case, "user_name"),
                user_password: text(case, "user_password"),
                user_networks: text(case, "user_networks"),
            },
            &credentials,
            request::DEFAULT_IAAS_ENDPOINT,
            method,
            &stamp,
        ),
        Some("describe_jobs") => {
            let jobs: Vec<String> = case["jobs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|j| j.as_str().map(String::from))
                .collect();
            let limit = case["limit"].as_u64().map(|l| l as u32);
            request::describe_jobs(
                &text(case, "zone"),
                &jobs,
                limit,
                &credentials,
                request::DEFAULT_IAAS_ENDPOINT,
                method,
                &stamp,
            )
        }
        _ => {
            let mode = text(case, "mod");
            request::ehpc_add_user(
                &ValidEhpcUser {
                    cluster_id: text(case, "cluster_id"),
                    zone: text(case, "zone"),
                    username: text(case, "username"),
                    password: text(case, "password"),
                    mode: (!mode.is_empty()).then_some(mode),
                },
                &credentials,
                request::DEFAULT_EHPC_ENDPOINT,
                &stamp.time_stamp,
            )
        }
    }
}

#[test]
fn requests_are_byte_identical_to_the_official_sdks() {
    let read = |name: &str| -> Value {
        let path = format!("{}/tests/oracle/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let (cases, expected) = (read("cases.json"), read("expected.json"));
    let (cases, expected) = (
        cases.as_array().expect("a list"),
        expected.as_array().expect("a list"),
    );
    assert!(cases.len() >= 20);
    assert_eq!(cases.len(), expected.len());
    for (i, (case, sdk)) in cases.iter().zip(expected).enumerate() {
        let ours = build(case);
        assert_eq!(ours.method.as_str(), sdk["method"], "case {i}: method");
        assert_eq!(ours.url, sdk["url"], "case {i}: url");
        assert_eq!(ours.body.as_deref(), sdk["body"].as_str(), "case {i}: body");
        let content_type = ours
            .headers
            .iter()
            .find(|(k, _)| k == "Content-Type")
            .map(|(_, v)| v.as_str());
        assert_eq!(
            content_type,
            sdk["content_type"].as_str(),
            "case {i}: content type"
        );
    }
}
