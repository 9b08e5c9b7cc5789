// Shared by tests/web.rs (a page) and tests/worker.rs (a dedicated Web Worker): the JS API driven
// through its wasm-bindgen exports, in Chromium, with a real fetch to the sandbox whose URL
// scripts/test.sh passes in SANDBOX_URL at build time.

use js_sys::{Reflect, JSON};
use qingcloud_useradd::wasm::exports as bindings;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("an object")
}

// `option_env!` rather than `env!`, so that the tests still compile without a sandbox (for clippy)
// and fail at run time with a clear message.
#[allow(clippy::option_env_unwrap)]
fn sandbox_url() -> &'static str {
    option_env!("SANDBOX_URL").expect("SANDBOX_URL must name a running sandbox: scripts/test.sh starts one")
}

const DEMO_CREDENTIALS: &str = r#"{"accessKeyId":"SANDBOXACCESSKEYID01","secretAccessKey":"sandbox-secret-access-key"}"#;

#[wasm_bindgen_test]
fn validation_reports_every_error() {
    let report = bindings::validate_clickhouse_user(
        js(r#"{"cluster":"cl-yxgxofd3","zone":"pek3","userName":"1a","userPassword":"Test123","userNetworks":"bad"}"#),
        None,
    )
    .expect("a report");
    assert_eq!(field(&report, "ok"), JsValue::FALSE);
    let errors: js_sys::Array = field(&report, "errors").unchecked_into();
    assert_eq!(errors.length(), 2);
}

#[wasm_bindgen_test]
fn signing_matches_the_official_sdk() {
    // Case 0 of tests/oracle/cases.json, and what qingcloud-sdk produced for it.
    let expected: serde_json::Value = serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/expected.json"))).expect("vectors");
    let request = bindings::build_clickhouse_add_users_request(
        js(r#"{"cluster":"cl-yxgxofd3","zone":"pek3","userName":"testuser","userPassword":"Test123","userNetworks":"::/0"}"#),
        js(r#"{"accessKeyId":"QYACCESSKEYIDEXAMPLE","secretAccessKey":"SECRETACCESSKEY"}"#),
        Some(js(r#"{"timestamp":"2026-11-23T08:31:00Z","reqId":"0123456789abcdef0123456789abcdef"}"#).unchecked_into()),
    )
    .expect("a request");
    assert_eq!(field(&request, "url").as_string(), expected[0]["url"].as_str().map(String::from));
}

fn random_name(prefix: &str) -> String {
    format!("{prefix}{:06}", (js_sys::Math::random() * 1e6) as u32)
}

#[wasm_bindgen_test]
async fn adds_a_clickhouse_user_and_follows_the_job_through_the_sandbox() {
    let url = sandbox_url();
    let input = format!(
        r#"{{"cluster":"cl-sandbox1","zone":"pek3","userName":"{}","userPassword":"Browser-pass1","userNetworks":"10.0.0.0/8"}}"#,
        random_name("web_")
    );
    let options = format!(r#"{{"endpoint":"{url}","method":"POST"}}"#);
    let added = JsFuture::from(bindings::add_clickhouse_user(js(&input), js(DEMO_CREDENTIALS), Some(js(&options).unchecked_into())))
        .await
        .expect("the sandbox accepts the user");
    let job_id = field(&added, "jobId").as_string().expect("a job id");
    let wait = js(&format!(r#"{{"endpoint":"{url}","zone":"pek3","intervalMs":100,"timeoutMs":20000}}"#));
    Reflect::set(&wait, &"credentials".into(), &js(DEMO_CREDENTIALS)).expect("set");
    let job = JsFuture::from(bindings::wait_for_job(job_id, wait)).await.expect("the job succeeds");
    assert_eq!(field(&job, "status").as_string().as_deref(), Some("successful"));
}

#[wasm_bindgen_test]
async fn a_wrong_secret_is_refused_by_the_sandbox() {
    let options = format!(r#"{{"endpoint":"{}"}}"#, sandbox_url());
    let input = r#"{"clusterId":"ehpc-sandbox1","zone":"pek3","username":"nobody","password":"kUISjs@kkkkkk!"}"#;
    let error = JsFuture::from(bindings::add_ehpc_user(
        js(input),
        js(r#"{"accessKeyId":"SANDBOXACCESSKEYID01","secretAccessKey":"wrong"}"#),
        Some(js(&options).unchecked_into()),
    ))
    .await
    .expect_err("refused");
    assert!(bindings::is_qingcloud_error(error.clone()));
    assert_eq!(field(&error, "retCode").as_f64(), Some(1200.0));
}

/// The entry of the latest `endless` answer in the sandbox's log: the bytes it sent so far.
async fn endless_bytes_sent() -> u64 {
    let log = gloo_net::http::Request::get(&format!("{}/_sandbox/requests", sandbox_url()))
        .send()
        .await
        .expect("the sandbox's log")
        .text()
        .await
        .expect("its text");
    let log: serde_json::Value = serde_json::from_str(&log).expect("JSON");
    let entries = log.as_array().expect("a list");
    let entry = entries.iter().rev().find(|e| e["result"] == "fault:endless").expect("the endless answer is logged");
    entry["sent_bytes"].as_u64().expect("its bytes sent")
}

#[wasm_bindgen_test]
async fn an_endless_answer_is_given_up_at_4_mib_and_no_more_of_it_is_received() {
    let url = sandbox_url();
    let add = |endpoint: String| {
        let input = format!(r#"{{"clusterId":"ehpc-sandbox1","zone":"pek3","username":"{}","password":"kUISjs@kkkkkk!"}}"#, random_name("e"));
        let options = js(&format!(r#"{{"endpoint":"{endpoint}"}}"#));
        JsFuture::from(bindings::add_ehpc_user(js(&input), js(DEMO_CREDENTIALS), Some(options.unchecked_into())))
    };
    let error = add(format!("{url}/_fault/endless")).await.expect_err("an answer without end");
    assert_eq!(field(&error, "code").as_string().as_deref(), Some("bad_response"));
    let message = field(&error, "message").as_string().unwrap_or_default();
    assert!(message.contains("longer than 4 MiB"), "{message}");
    // Chromium closed the connection: the count stops growing, a few MiB past the bound.
    let mut sent = endless_bytes_sent().await;
    for _ in 0..50 {
        gloo_timers::future::TimeoutFuture::new(50).await;
        let now = endless_bytes_sent().await;
        if now == sent {
            break;
        }
        sent = now;
    }
    assert!((4 << 20..32 << 20).contains(&sent), "{sent} bytes were sent before the client gave up");
    // The module goes on working: the same add through the plain endpoint is answered.
    let added = add(url.to_string()).await.expect("the module still sends and reads answers");
    assert!(field(&added, "jobId").is_string());
}
