//! Helpers for the integration tests: an in-process sandbox on 127.0.0.1:0, a small HTTP client,
//! and requests signed by the crate's own builders (which produce SDK-identical requests).

#![allow(dead_code)]

pub mod tls;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::HeaderMap;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use qingcloud_sandbox::{start, Config, Options, Running};
use qingcloud_useradd::encoding::{quote_keep_slash, quote_plus};
use qingcloud_useradd::request::{self, Credentials, HttpRequest, Method, Stamp};
use qingcloud_useradd::signing;
use qingcloud_useradd::timestamp::format_timestamp;
use qingcloud_useradd::validation::{ValidClickHouseUser, ValidEhpcUser};
use serde_json::Value;
use std::time::Duration;

pub const AK: &str = "SANDBOXACCESSKEYID01";
pub const SK: &str = "sandbox-secret-access-key";
pub const ZONE: &str = "pek3";
pub const CH: &str = "cl-sandbox1";
pub const EHPC: &str = "ehpc-sandbox1";

pub fn demo_with_delay(job_delay_ms: u64) -> Config {
    let mut config = Config::demo();
    config.job_delay_ms = job_delay_ms;
    config
}

pub async fn sandbox(config: Config) -> Running {
    sandbox_with(Options {
        config,
        ..Options::default()
    })
    .await
}

pub async fn sandbox_with(options: Options) -> Running {
    start(options, 0).await.expect("sandbox starts")
}

pub fn credentials(secret: &str) -> Credentials {
    Credentials {
        access_key_id: AK.into(),
        secret_access_key: secret.into(),
    }
}

pub fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn stamp_at(unix_s: i64) -> Stamp {
    Stamp {
        time_stamp: format_timestamp(unix_s),
        req_id: format!("{:032x}", unix_s as u128 * 7919 + 17),
    }
}

pub fn stamp() -> Stamp {
    stamp_at(now_s())
}

pub fn ch_user(name: &str) -> ValidClickHouseUser {
    ValidClickHouseUser {
        cluster: CH.into(),
        zone: ZONE.into(),
        user_name: name.into(),
        user_password: "Passw0rd!x".into(),
        user_networks: "10.0.0.0/8;::/0".into(),
    }
}

pub fn ehpc_user(name: &str) -> ValidEhpcUser {
    ValidEhpcUser {
        cluster_id: EHPC.into(),
        zone: ZONE.into(),
        username: name.into(),
        password: "kUISjs@kkkkkk!".into(),
        mode: Some("700".into()),
    }
}

pub fn add_ch(base: &str, name: &str, method: Method) -> HttpRequest {
    request::clickhouse_add_users(&ch_user(name), &credentials(SK), base, method, &stamp())
}

pub fn jobs_request(base: &str, jobs: &[String], limit: Option<u32>) -> HttpRequest {
    request::describe_jobs(
        ZONE,
        jobs,
        limit,
        &credentials(SK),
        base,
        Method::Get,
        &stamp(),
    )
}

/// DescribeJobs signed with a secret that is not the account's.
pub fn wrong_secret_jobs_request(base: &str) -> HttpRequest {
    request::describe_jobs(
        ZONE,
        &[],
        None,
        &credentials("bad"),
        base,
        Method::Get,
        &stamp(),
    )
}

/// The parameters of any IaaS action: `extra`, then those the SDK adds (the signature aside).
pub fn iaas_params(action: &str, extra: Vec<(String, String)>) -> Vec<(String, String)> {
    let stamp = stamp();
    let mut params = extra;
    for (k, v) in [
        ("action", action),
        ("zone", ZONE),
        ("req_id", stamp.req_id.as_str()),
        ("access_key_id", AK),
        ("signature_version", "1"),
        ("version", "1"),
        ("time_stamp", stamp.time_stamp.as_str()),
        ("signature_method", "HmacSHA256"),
    ] {
        params.push((k.to_string(), v.to_string()));
    }
    params
}

/// Any IaaS action with extra parameters, signed as the SDK signs (GET).
pub fn iaas_get(base: &str, action: &str, extra: &[(&str, &str)], secret: &str) -> String {
    let extra = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = iaas_params(action, extra);
    let query = signing::iaas::canonical_query(&params);
    let signature = signing::iaas::signature(secret, "GET", &params);
    format!("{base}/iaas/?{query}&signature={}", quote_plus(&signature))
}

/// An EHPC request signed as `qingcloud-hpc` signs it: the action's own query parameters, then
/// the common ones, the signature quote_plus'd and URL-encoded again.
pub fn ehpc_signed(
    base: &str,
    method: &str,
    path: &str,
    own: &[(&str, &str)],
    body: &str,
    secret: &str,
    unix_s: i64,
) -> HttpRequest {
    let time_stamp = format_timestamp(unix_s);
    let mut params: Vec<(String, String)> = own
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in [
        ("timestamp", time_stamp.as_str()),
        ("version", "1"),
        ("signature_version", "1"),
        ("signature_method", "HmacSHA256"),
        ("access_key_id", AK),
    ] {
        params.push((k.to_string(), v.to_string()));
    }
    let signature = signing::ehpc::signature(secret, method, path, &params, body.as_bytes());
    let mut query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", quote_keep_slash(v)))
        .collect();
    query.push(format!("signature={}", quote_plus(&quote_plus(&signature))));
    HttpRequest {
        method: if method == "GET" {
            Method::Get
        } else {
            Method::Post
        },
        url: format!("{base}{path}?{}", query.join("&")),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: (!body.is_empty()).then(|| body.to_string()),
    }
}

pub fn ehpc_add(base: &str, name: &str) -> HttpRequest {
    request::ehpc_add_user(
        &ehpc_user(name),
        &credentials(SK),
        base,
        &format_timestamp(now_s()),
    )
}

pub fn ehpc_list(base: &str, cluster: &str) -> HttpRequest {
    ehpc_signed(
        base,
        "GET",
        "/api/user",
        &[("cluster_id", cluster), ("zone", ZONE)],
        "",
        SK,
        now_s(),
    )
}

pub fn ehpc_delete(base: &str, name: &str) -> HttpRequest {
    let body = format!(r#"{{"cluster_id": "{EHPC}", "username": "{name}", "zone": "{ZONE}"}}"#);
    ehpc_signed(
        base,
        "POST",
        "/api/user/deleteUser",
        &[],
        &body,
        SK,
        now_s(),
    )
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn content_type(&self) -> String {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

fn client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new())
}

pub async fn send_raw(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Answer, String> {
    let mut builder = hyper::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let request = builder
        .body(Full::new(Bytes::from(body.unwrap_or_default().to_string())))
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(Duration::from_secs(20), client().request(request))
        .await
        .map_err(|_| "timeout".to_string())?
        .map_err(|e| format!("request failed: {e}"))?;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| format!("body failed: {e}"))?
        .to_bytes();
    Ok(Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    })
}

pub async fn send(request: &HttpRequest) -> Answer {
    send_with(request, &[]).await.expect("an answer")
}

pub async fn send_with(request: &HttpRequest, extra: &[(&str, &str)]) -> Result<Answer, String> {
    let mut headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    headers.extend_from_slice(extra);
    send_raw(
        request.method.as_str(),
        &request.url,
        &headers,
        request.body.as_deref(),
    )
    .await
}

pub async fn get(url: &str) -> Answer {
    send_raw("GET", url, &[], None).await.expect("an answer")
}

pub async fn post_json(url: &str, body: &str) -> Answer {
    send_raw(
        "POST",
        url,
        &[("content-type", "application/json")],
        Some(body),
    )
    .await
    .expect("an answer")
}

/// Polls DescribeJobs until the job is final; returns every status seen and the final entry.
pub async fn follow_job(base: &str, job_id: &str) -> (Vec<String>, Value) {
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..500 {
        let answer = send(&jobs_request(base, &[job_id.to_string()], None)).await;
        let body = answer.json();
        assert_eq!(body["ret_code"], 0, "{body}");
        let job = body["job_set"][0].clone();
        let status = job["status"].as_str().unwrap_or_default().to_string();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "successful" || status == "failed" {
            return (seen, job);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {job_id} never finished: {seen:?}");
}

/// Sends `request` as is on a new connection and returns everything read until the server closes
/// it (or 5 s pass), so that no client normalises anything.
pub async fn raw(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let _ = stream.write_all(request).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Asserts that a raw answer to `path` refuses it and shows nothing of `secret`.
pub fn assert_refused(path: &str, answer: &str, secret: &str) {
    assert!(
        answer.starts_with("HTTP/1.1 404") || answer.starts_with("HTTP/1.1 400"),
        "{path}: {answer}"
    );
    assert!(!answer.contains(secret), "{path} shows {secret}");
}

/// `GET path` on a new connection, raw.
pub async fn raw_get(addr: std::net::SocketAddr, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    raw(addr, request.as_bytes()).await
}

pub fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "qingcloud-sandbox-test-{name}-{}-{}",
        std::process::id(),
        now_s()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
