//! The sandbox end to end, in-process on 127.0.0.1:0, with requests built by the crate.

mod common;

use bytes::Bytes;
use common::tls::tls_upstream;
use common::*;
use qingcloud_sandbox::{Config, Options};
use qingcloud_useradd::request::{self, Method};
use serde_json::Value;
use std::time::{Duration, Instant};

fn job_id(answer: &Answer) -> String {
    let body = answer.json();
    assert_eq!(body["ret_code"], 0, "{body}");
    body["job_id"].as_str().expect("job_id").to_string()
}

#[tokio::test]
async fn add_user_by_get_and_post_and_follow_the_job() {
    let sandbox = sandbox(demo_with_delay(600)).await;
    let base = sandbox.url();
    for (name, method) in [("alice", Method::Get), ("bob", Method::Post)] {
        let answer = send(&add_ch(&base, name, method)).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.content_type(), "application/json");
        let body = answer.json();
        assert_eq!(body["action"], "RunClusterCustomServiceResponse");
        assert_eq!(body["cluster_id"], CH);
        assert_eq!(body["service"], "add_users");
        let id = job_id(&answer);
        assert!(
            id.starts_with("j-") && (10..=14).contains(&id.len()),
            "{id}"
        );
        assert!(id[2..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        let (seen, job) = follow_job(&base, &id).await;
        // In order, ending successful, with at least one state before it (on a loaded machine a
        // poll may miss a state; the exact timing is unit-tested in state.rs).
        let order = ["pending", "working", "successful"];
        let positions: Vec<usize> = seen
            .iter()
            .map(|s| order.iter().position(|o| o == s).expect("known status"))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "{name}: {seen:?}"
        );
        assert_eq!(
            seen.last().map(String::as_str),
            Some("successful"),
            "{name}"
        );
        assert!(seen.len() >= 2, "{name}: {seen:?}");
        assert_eq!(job["job_action"], "RunClusterCustomService");
        for key in ["create_time", "status_time"] {
            let t = job[key].as_str().expect("time");
            assert!(
                qingcloud_useradd::timestamp::parse_timestamp(t).is_some(),
                "{t}"
            );
        }
        assert!(job.get("error_code").is_none());
    }
    let users = get(&format!("{base}/_sandbox/users")).await.json();
    let text = users.to_string();
    assert!(text.contains("alice") && text.contains("bob"));
    assert!(!text.contains("Passw0rd"), "no password in {text}");
    sandbox.stop().await;
}

#[tokio::test]
async fn a_duplicate_user_ends_failed_with_a_reason() {
    let sandbox = sandbox(demo_with_delay(0)).await;
    let base = sandbox.url();
    let first = job_id(&send(&add_ch(&base, "carol", Method::Get)).await);
    let second = job_id(&send(&add_ch(&base, "carol", Method::Post)).await);
    let existing = job_id(&send(&add_ch(&base, "default", Method::Get)).await);
    assert_eq!(follow_job(&base, &first).await.1["status"], "successful");
    for id in [second, existing] {
        let (_, job) = follow_job(&base, &id).await;
        assert_eq!(job["status"], "failed");
        assert_eq!(job["error_code"], 2110);
        assert!(job["error_message"]
            .as_str()
            .unwrap_or_default()
            .contains("already exists on cl-sandbox1"));
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn authentication_is_checked_as_the_real_api_does() {
    let sandbox = sandbox(demo_with_delay(0)).await;
    let base = sandbox.url();
    let code = |answer: Answer| answer.json()["ret_code"].as_i64().expect("ret_code");

    // Wrong secret, GET and POST.
    for method in [Method::Get, Method::Post] {
        let wrong = request::clickhouse_add_users(
            &ch_user("dave"),
            &credentials("not-the-secret"),
            &base,
            method,
            &stamp(),
        );
        let answer = send(&wrong).await;
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.json(),
            serde_json::json!({"message": "AuthFailure, signature not matched", "ret_code": 1200})
        );
    }
    // A parameter changed after signing.
    let good = add_ch(&base, "dave", Method::Get);
    let mut tampered = good.clone();
    tampered.url = good.url.replace("%22dave%22", "%22mallory%22");
    assert_ne!(tampered.url, good.url);
    assert_eq!(code(send(&tampered).await), 1200);
    let mut post = add_ch(&base, "dave", Method::Post);
    post.body = post
        .body
        .map(|b| b.replace("zone=pek3", "zone=pek3&extra=1"));
    assert_eq!(code(send(&post).await), 1200);
    // The verb is signed: a GET signature does not work for POST.
    let mut as_post = good.clone();
    let (url, query) = good.url.split_once('?').expect("query");
    as_post.url = url.to_string();
    as_post.method = Method::Post;
    as_post.body = Some(query.to_string());
    as_post.headers = vec![(
        "Content-Type".into(),
        "application/x-www-form-urlencoded".into(),
    )];
    assert_eq!(code(send(&as_post).await), 1200);
    // Unknown access key.
    let unknown = request::clickhouse_add_users(
        &ch_user("dave"),
        &qingcloud_useradd::request::Credentials {
            access_key_id: "NOSUCHKEY".into(),
            secret_access_key: SK.into(),
        },
        &base,
        Method::Get,
        &stamp(),
    );
    let answer = send(&unknown).await.json();
    assert_eq!(answer["ret_code"], 1200);
    assert!(answer["message"]
        .as_str()
        .unwrap_or_default()
        .contains("NOSUCHKEY"));
    // Missing common parameters.
    let (url, query) = good.url.split_once('?').expect("query");
    for missing in [
        "time_stamp",
        "access_key_id",
        "signature",
        "signature_method",
        "version",
    ] {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.starts_with(&format!("{missing}=")))
            .collect();
        let url = format!("{url}?{}", kept.join("&"));
        let answer = send_raw("GET", &url, &[], None)
            .await
            .expect("answer")
            .json();
        assert_eq!(answer["ret_code"], 1100, "{missing}: {answer}");
        assert!(answer["message"]
            .as_str()
            .unwrap_or_default()
            .contains(missing));
    }
    // Time stamps too far from the clock, either way; a malformed one.
    for offset in [-3600, 3600] {
        let old = request::clickhouse_add_users(
            &ch_user("dave"),
            &credentials(SK),
            &base,
            Method::Get,
            &stamp_at(now_s() + offset),
        );
        assert_eq!(code(send(&old).await), 1300);
    }
    let skewed_but_fine = request::clickhouse_add_users(
        &ch_user("dave"),
        &credentials(SK),
        &base,
        Method::Get,
        &stamp_at(now_s() - 600),
    );
    assert_eq!(code(send(&skewed_but_fine).await), 0);
    // Unknown action.
    let url = iaas_get(&base, "DescribeInstances", &[], SK);
    let answer = send_raw("GET", &url, &[], None)
        .await
        .expect("answer")
        .json();
    assert_eq!(answer["ret_code"], 1101);
    sandbox.stop().await;
}

#[tokio::test]
async fn clock_skew_limit_is_configurable() {
    let mut config = demo_with_delay(0);
    config.max_clock_skew_s = 60;
    let sandbox = sandbox(config).await;
    let request = request::describe_jobs(
        ZONE,
        &[],
        None,
        &credentials(SK),
        &sandbox.url(),
        Method::Get,
        &stamp_at(now_s() - 120),
    );
    assert_eq!(send(&request).await.json()["ret_code"], 1300);
    sandbox.stop().await;
}

#[tokio::test]
async fn service_params_are_decoded_and_validated_with_the_crates_rules() {
    let sandbox = sandbox(demo_with_delay(0)).await;
    let base = sandbox.url();
    let send_params = |params: &str, cluster: &str, service: &str| {
        let url = iaas_get(
            &base,
            "RunClusterCustomService",
            &[
                ("cluster", cluster),
                ("service", service),
                ("service_params", params),
            ],
            SK,
        );
        async move {
            send_raw("GET", &url, &[], None)
                .await
                .expect("answer")
                .json()
        }
    };
    let valid = r#"{"user_networks":"::/0","user_password":"Test123","user_name":"testuser"}"#;
    let ok = send_params(valid, CH, "add_users").await;
    assert_eq!(ok["ret_code"], 0, "{ok}");
    for (params, needle) in [
        (
            r#"{"user_networks":"::/0","user_password":"Test123","user_name":"1abc"}"#,
            "user_name",
        ),
        (
            r#"{"user_networks":"::/0","user_password":"1Test","user_name":"abc"}"#,
            "user_password",
        ),
        (
            r#"{"user_networks":"300.1.1.1","user_password":"Test123","user_name":"abc"}"#,
            "300.1.1.1",
        ),
        (
            r#"{"user_networks":"::/0","user_password":"Test123"}"#,
            "user_name",
        ),
        (
            r#"{"user_networks":"::/0","user_password":7,"user_name":"abc"}"#,
            "user_password",
        ),
        ("not json", "JSON"),
        ("[1]", "JSON"),
    ] {
        let answer = send_params(params, CH, "add_users").await;
        assert_eq!(answer["ret_code"], 1100, "{params}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{params}: {message}");
        assert!(!message.contains("Test123"), "a password echoed: {message}");
    }
    let answer = send_params(valid, CH, "delete_users").await;
    assert_eq!(answer["ret_code"], 1100);
    let answer = send_params(valid, "cl-nothere1", "add_users").await;
    assert_eq!(answer["ret_code"], 2100);
    let answer = send_params(valid, "cl-x", "add_users").await;
    assert_eq!(answer["ret_code"], 1100, "cluster format: {answer}");
    sandbox.stop().await;
}

#[tokio::test]
async fn describe_jobs_pages_filters_and_hides_other_keys_jobs() {
    let mut config = demo_with_delay(0);
    config.accounts.push(
        Config::from_json(
            r#"{"accounts":[{"access_key_id":"OTHERKEY","secret_access_key":"other","zones":["pek3"]}]}"#,
        )
        .expect("config")
        .accounts
        .remove(0),
    );
    let sandbox = sandbox(config).await;
    let base = sandbox.url();
    let mut ids = Vec::new();
    for name in ["u1", "u2", "u3", "u4", "u5"] {
        ids.push(job_id(&send(&add_ch(&base, name, Method::Get)).await));
    }
    ids.push(job_id(&send(&add_ch(&base, "u1", Method::Get)).await));
    tokio::time::sleep(Duration::from_millis(20)).await;

    let all = send(&jobs_request(&base, &[], None)).await.json();
    assert_eq!(all["action"], "DescribeJobsResponse");
    assert_eq!(all["total_count"], 6);
    let listed: Vec<&str> = all["job_set"]
        .as_array()
        .expect("job_set")
        .iter()
        .map(|j| j["job_id"].as_str().unwrap_or_default())
        .collect();
    let mut newest_first: Vec<&str> = ids.iter().map(String::as_str).collect();
    newest_first.reverse();
    assert_eq!(listed, newest_first);

    let url = iaas_get(
        &base,
        "DescribeJobs",
        &[("offset", "2"), ("limit", "3")],
        SK,
    );
    let page = send_raw("GET", &url, &[], None)
        .await
        .expect("answer")
        .json();
    assert_eq!(page["total_count"], 6);
    assert_eq!(page["job_set"].as_array().map(Vec::len), Some(3));
    assert_eq!(page["job_set"][0]["job_id"], newest_first[2]);

    let url = iaas_get(&base, "DescribeJobs", &[("status.1", "failed")], SK);
    let failed = send_raw("GET", &url, &[], None)
        .await
        .expect("answer")
        .json();
    assert_eq!(failed["total_count"], 1);
    assert_eq!(failed["job_set"][0]["job_id"], ids[5].as_str());

    let url = iaas_get(
        &base,
        "DescribeJobs",
        &[
            ("status.1", "failed"),
            ("status.2", "successful"),
            ("limit", "100"),
        ],
        SK,
    );
    let both = send_raw("GET", &url, &[], None)
        .await
        .expect("answer")
        .json();
    assert_eq!(both["total_count"], 6);

    let two = send(&jobs_request(&base, &ids[..2], Some(1))).await.json();
    assert_eq!(two["total_count"], 2);
    assert_eq!(two["job_set"].as_array().map(Vec::len), Some(1));

    for (key, value) in [("status.1", "done"), ("limit", "x"), ("offset", "-1")] {
        let url = iaas_get(&base, "DescribeJobs", &[(key, value)], SK);
        let answer = send_raw("GET", &url, &[], None)
            .await
            .expect("answer")
            .json();
        assert_eq!(answer["ret_code"], 1100, "{key}={value}");
    }
    let answer = send(&jobs_request(&base, &["j-doesnotexist".into()], None))
        .await
        .json();
    assert_eq!(answer["ret_code"], 2100);

    // Another key sees none of these jobs, and cannot name them.
    let other = qingcloud_useradd::request::Credentials {
        access_key_id: "OTHERKEY".into(),
        secret_access_key: "other".into(),
    };
    let theirs = request::describe_jobs(ZONE, &[], None, &other, &base, Method::Get, &stamp());
    let theirs = send(&theirs).await.json();
    assert_eq!(theirs["ret_code"], 0);
    assert_eq!(theirs["total_count"], 0);
    let named = request::describe_jobs(ZONE, &ids[..1], None, &other, &base, Method::Get, &stamp());
    assert_eq!(send(&named).await.json()["ret_code"], 2100);
    // Nor use the demo account's cluster.
    let mine = request::clickhouse_add_users(&ch_user("z"), &other, &base, Method::Get, &stamp());
    assert_eq!(send(&mine).await.json()["ret_code"], 1400);
    // A zone the key may not use.
    let elsewhere = request::describe_jobs(
        "gd2",
        &[],
        None,
        &credentials(SK),
        &base,
        Method::Get,
        &stamp(),
    );
    assert_eq!(send(&elsewhere).await.json()["ret_code"], 1400);
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_parallel_requests_for_one_new_user_create_it_once() {
    let sandbox = sandbox(demo_with_delay(0)).await;
    let base = sandbox.url();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let base = base.clone();
        tasks.spawn(async move {
            let method = if i % 2 == 0 {
                Method::Get
            } else {
                Method::Post
            };
            job_id(&send(&add_ch(&base, "racer", method)).await)
        });
    }
    let mut ids = Vec::new();
    while let Some(id) = tasks.join_next().await {
        ids.push(id.expect("task"));
    }
    assert_eq!(ids.len(), 50);
    let mut successful = 0;
    for id in &ids {
        let (_, job) = follow_job(&base, id).await;
        match job["status"].as_str() {
            Some("successful") => successful += 1,
            Some("failed") => assert_eq!(job["error_code"], 2110),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(successful, 1);

    // EHPC: one job, 49 immediate refusals.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let base = base.clone();
        tasks.spawn(async move { send(&ehpc_add(&base, "racer")).await.json() });
    }
    let mut codes = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        codes.push(answer.expect("task")["ret_code"].as_i64().unwrap_or(-1));
    }
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 1);
    assert_eq!(codes.iter().filter(|c| **c == 2110).count(), 49);
    sandbox.stop().await;
}

#[tokio::test]
async fn ehpc_add_list_delete() {
    let sandbox = sandbox(demo_with_delay(100)).await;
    let base = sandbox.url();
    let answer = send(&ehpc_add(&base, "isabel")).await;
    assert_eq!(answer.content_type(), "application/json");
    let body = answer.json();
    assert_eq!(body["action"], "HpcUserAddUserResponse");
    let id = job_id(&answer);
    // Not listed while its job runs; listed after.
    let listed = |body: &Value| -> Vec<String> {
        body["users_set"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u["username"].as_str().map(str::to_string))
            .collect()
    };
    let list = send(&ehpc_list(&base, EHPC)).await.json();
    assert_eq!(list["action"], "HpcUserListUsersResponse");
    assert_eq!(listed(&list), ["admin"]);
    let (seen, job) = follow_job(&base, &id).await;
    assert_eq!(seen.last().map(String::as_str), Some("successful"));
    assert_eq!(job["job_action"], "HpcUserAddUser");
    let list = send(&ehpc_list(&base, EHPC)).await.json();
    assert_eq!(list["total_count"], 2);
    assert_eq!(listed(&list), ["admin", "isabel"]);
    let isabel = &list["users_set"][1];
    assert_eq!(isabel["mod"], "700");
    assert_eq!(isabel["cluster_id"], EHPC);

    // An existing name: 2110 at once, no job.
    let again = send(&ehpc_add(&base, "isabel")).await.json();
    assert_eq!(again["ret_code"], 2110);
    assert!(again.get("job_id").is_none());

    // Validation with the crate's rules.
    let mut weak = ehpc_user("ok");
    weak.password = "short".into();
    let request = request::ehpc_add_user(
        &weak,
        &credentials(SK),
        &base,
        &qingcloud_useradd::timestamp::format_timestamp(now_s()),
    );
    let answer = send(&request).await.json();
    assert_eq!(answer["ret_code"], 1100);
    assert!(answer["message"]
        .as_str()
        .unwrap_or_default()
        .contains("password"));
    let mut long = ehpc_user("waytoolongname");
    long.mode = None;
    let request = request::ehpc_add_user(
        &long,
        &credentials(SK),
        &base,
        &qingcloud_useradd::timestamp::format_timestamp(now_s()),
    );
    assert_eq!(send(&request).await.json()["ret_code"], 1100);

    // Signature: wrong secret, tampered body, signature sent only once encoded.
    let wrong = ehpc_signed(
        &base,
        "POST",
        "/api/user/addUser",
        &[],
        r#"{"a": "b"}"#,
        "nope",
        now_s(),
    );
    assert_eq!(send(&wrong).await.json()["ret_code"], 1200);
    let mut tampered = ehpc_add(&base, "eve");
    tampered.body = tampered.body.map(|b| b.replace("eve", "evil"));
    assert_eq!(send(&tampered).await.json()["ret_code"], 1200);
    let mut once = ehpc_add(&base, "eve");
    once.url = once.url.replace("%25", "%");
    assert_eq!(send(&once).await.json()["ret_code"], 1200);
    let stale = ehpc_signed(
        &base,
        "GET",
        "/api/user",
        &[("zone", ZONE)],
        "",
        SK,
        now_s() - 7200,
    );
    assert_eq!(send(&stale).await.json()["ret_code"], 1300);
    let nowhere = ehpc_signed(
        &base,
        "POST",
        "/api/user/modifyUser",
        &[],
        "{}",
        SK,
        now_s(),
    );
    assert_eq!(send(&nowhere).await.json()["ret_code"], 1101);

    // Delete: the user, then not again; the admin never.
    let deleted = send(&ehpc_delete(&base, "isabel")).await;
    assert_eq!(deleted.json()["action"], "HpcUserDeleteUserResponse");
    let delete_job = job_id(&deleted);
    assert_eq!(
        follow_job(&base, &delete_job).await.1["job_action"],
        "HpcUserDeleteUser"
    );
    assert_eq!(
        listed(&send(&ehpc_list(&base, EHPC)).await.json()),
        ["admin"]
    );
    assert_eq!(
        send(&ehpc_delete(&base, "isabel")).await.json()["ret_code"],
        2100
    );
    assert_eq!(
        send(&ehpc_delete(&base, "admin")).await.json()["ret_code"],
        1400
    );
    // Unknown cluster.
    assert_eq!(
        send(&ehpc_list(&base, "ehpc-nothere")).await.json()["ret_code"],
        2100
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn a_restart_with_a_state_file_keeps_users_and_jobs() {
    let dir = tempdir("state");
    let state = dir.join("state.json");
    let options = || Options {
        config: demo_with_delay(0),
        state_file: Some(state.clone()),
        ..Options::default()
    };
    let first = sandbox_with(options()).await;
    let base = first.url();
    let ch_job = job_id(&send(&add_ch(&base, "keeper", Method::Post)).await);
    let ehpc_job = job_id(&send(&ehpc_add(&base, "keeper")).await);
    // Written before the answers went out: a crash now would lose nothing.
    let written = std::fs::read_to_string(&state).expect("state file");
    assert!(written.contains(&ch_job) && written.contains(&ehpc_job));
    first.stop().await;
    let saved = std::fs::read_to_string(&state).expect("state file");
    assert!(saved.contains("keeper"));
    assert!(
        !saved.contains("Passw0rd") && !saved.contains("kUISjs"),
        "no password persisted"
    );
    assert!(!saved.contains(SK), "no secret persisted");

    let second = sandbox_with(options()).await;
    let base = second.url();
    let jobs = send(&jobs_request(
        &base,
        &[ch_job.clone(), ehpc_job.clone()],
        None,
    ))
    .await
    .json();
    assert_eq!(jobs["total_count"], 2, "{jobs}");
    let (_, job) = follow_job(&base, &ch_job).await;
    assert_eq!(job["status"], "successful");
    let duplicate = job_id(&send(&add_ch(&base, "keeper", Method::Get)).await);
    assert_eq!(follow_job(&base, &duplicate).await.1["status"], "failed");
    assert_eq!(
        send(&ehpc_add(&base, "keeper")).await.json()["ret_code"],
        2110
    );
    second.stop().await;

    // A state file that is not one is refused rather than overwritten.
    std::fs::write(&state, "garbage").expect("write");
    assert!(qingcloud_sandbox::start(options(), 0).await.is_err());
    assert_eq!(std::fs::read_to_string(&state).expect("read"), "garbage");
}

#[tokio::test]
async fn faults_named_in_the_path_and_an_endless_answer_that_stops_when_the_client_closes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sandbox = sandbox(demo_with_delay(0)).await;
    let base = sandbox.url();
    // For clients that cannot set headers: the endpoint names the faults, the path is the API's.
    let at = |faults: &str| format!("{base}/_fault/{faults}");
    let busy = send(&jobs_request(&at("busy"), &[], None)).await;
    assert_eq!(busy.json()["ret_code"], 5100);
    let slow = send(&add_ch(&at("latency=100"), "pathfault", Method::Post)).await;
    assert_eq!(
        slow.json()["ret_code"],
        0,
        "signed for /iaas/, and answered as such"
    );
    assert_eq!(
        send(&jobs_request(&at("explode"), &[], None)).await.status,
        400
    );
    // Outside the API the path is left as it is: nothing is served there.
    assert_eq!(get(&format!("{}/index.html", at("busy"))).await.status, 404);
    // Pages of other websites may not name faults (this sandbox allows no other origin).
    let own_origin = format!("http://{}", sandbox.addr);
    let request = jobs_request(&at("busy"), &[], None);
    for (header, value, honoured) in [
        ("origin", own_origin.as_str(), true),
        ("sec-fetch-site", "same-origin", true),
        ("origin", "http://elsewhere.example", false),
        ("sec-fetch-site", "cross-site", false),
        ("sec-fetch-site", "same-site", false),
    ] {
        let answer = send_with(&request, &[(header, value)])
            .await
            .expect("answer");
        assert_eq!(answer.status == 200, honoured, "{header}: {value}");
        if honoured {
            assert_eq!(answer.json()["ret_code"], 5100);
        }
    }

    // An endless answer: read 1 MiB of it, then close.
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr)
        .await
        .expect("connect");
    let head = "POST /_fault/endless/api/user/addUser HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut received = vec![0u8; 1 << 20];
    stream
        .read_exact(&mut received)
        .await
        .expect("1 MiB of the answer");
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{}", &text[..200]);
    assert!(text.contains("content-type: application/json\r\n"));
    drop(stream);
    let sent = || async {
        let log = get(&format!("{base}/_sandbox/requests")).await.json();
        let entry = log
            .as_array()
            .and_then(|entries| entries.iter().find(|e| e["result"] == "fault:endless"))
            .cloned()
            .expect("the endless answer is logged");
        assert_eq!(entry["path"], "/api/user/addUser");
        entry["sent_bytes"].as_u64().expect("its bytes sent")
    };
    let mut before = sent().await;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = sent().await;
        if now == before {
            break;
        }
        before = now;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = sent().await;
    assert_eq!(after, before, "the answer stopped when the client closed");
    assert!((1 << 20..32 << 20).contains(&after), "{after} bytes sent");
    // The sandbox goes on answering.
    assert_eq!(
        send(&jobs_request(&base, &[], None)).await.json()["ret_code"],
        0
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn faults_per_request_and_from_the_config() {
    let sandbox = sandbox(demo_with_delay(0)).await;
    let base = sandbox.url();
    let request = jobs_request(&base, &[], None);
    let with = |fault: &'static str| {
        let request = request.clone();
        async move { send_with(&request, &[("X-Sandbox-Fault", fault)]).await }
    };
    let busy = with("busy").await.expect("answer");
    assert_eq!(
        (busy.status, busy.json()["ret_code"].as_i64()),
        (200, Some(5100))
    );
    let internal = with("internal").await.expect("answer");
    assert_eq!(internal.json()["ret_code"], 5000);
    for (fault, status) in [("http500", 500), ("http502", 502), ("http503", 503)] {
        let answer = with(fault).await.expect("answer");
        assert_eq!(answer.status, status);
        assert!(serde_json::from_slice::<Value>(&answer.body).is_err());
    }
    let malformed = with("malformed").await.expect("answer");
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_slice::<Value>(&malformed.body).is_err());
    assert!(
        with("truncated").await.is_err(),
        "a truncated answer is an error"
    );
    assert!(
        with("drop").await.is_err(),
        "a dropped connection is an error"
    );
    // A dropped request was not acted on; a truncated one was.
    let dropped = send_with(
        &add_ch(&base, "dropped", Method::Post),
        &[("X-Sandbox-Fault", "drop")],
    )
    .await;
    let truncated = send_with(
        &add_ch(&base, "truncated", Method::Post),
        &[("X-Sandbox-Fault", "truncated")],
    )
    .await;
    assert!(dropped.is_err() && truncated.is_err());
    let users = get(&format!("{base}/_sandbox/users")).await.text();
    assert!(
        !users.contains("\"dropped\"") && users.contains("\"truncated\""),
        "{users}"
    );
    let started = Instant::now();
    let slow = with("latency=250").await.expect("answer");
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(slow.json()["ret_code"], 0);
    let bad = with("explode").await.expect("answer");
    assert_eq!(bad.status, 400);

    // Faults apply to the API only.
    let health = send_raw(
        "GET",
        &format!("{base}/_sandbox/health"),
        &[("X-Sandbox-Fault", "drop")],
        None,
    )
    .await
    .expect("answer");
    assert_eq!(health.status, 200);

    // Config-level faults at run time, reproducible with a seed.
    let set = post_json(&format!("{base}/_sandbox/faults"), r#"{"busy_ratio": 1.0}"#).await;
    assert_eq!(set.json()["busy_ratio"], 1.0);
    assert_eq!(send(&request).await.json()["ret_code"], 5100);
    post_json(
        &format!("{base}/_sandbox/faults"),
        r#"{"busy_ratio": 0.5, "seed": 42}"#,
    )
    .await;
    let mut first = Vec::new();
    for _ in 0..20 {
        first.push(send(&request).await.json()["ret_code"].as_i64());
    }
    post_json(
        &format!("{base}/_sandbox/faults"),
        r#"{"busy_ratio": 0.5, "seed": 42}"#,
    )
    .await;
    let mut second = Vec::new();
    for _ in 0..20 {
        second.push(send(&request).await.json()["ret_code"].as_i64());
    }
    assert_eq!(first, second);
    assert!(first.contains(&Some(0)) && first.contains(&Some(5100)));
    post_json(&format!("{base}/_sandbox/faults"), r#"{"drop_ratio": 1.0}"#).await;
    assert!(send_with(&request, &[]).await.is_err());
    post_json(
        &format!("{base}/_sandbox/faults"),
        r#"{"error_5xx_ratio": 1.0}"#,
    )
    .await;
    assert!(send(&request).await.status >= 500);
    post_json(&format!("{base}/_sandbox/faults"), "{}").await;
    assert_eq!(send(&request).await.json()["ret_code"], 0);
    let invalid = post_json(&format!("{base}/_sandbox/faults"), r#"{"busy": 1}"#).await;
    assert_eq!(invalid.status, 400);

    // Faults from the config file.
    let mut config = demo_with_delay(0);
    config.faults.malformed_ratio = 1.0;
    let faulty = sandbox_with(Options {
        config,
        ..Options::default()
    })
    .await;
    let answer = send(&jobs_request(&faulty.url(), &[], None)).await;
    assert!(serde_json::from_slice::<Value>(&answer.body).is_err());
    faulty.stop().await;

    // The request log saw them, with the fault named.
    let log = get(&format!("{base}/_sandbox/requests")).await.json();
    let results: Vec<&str> = log
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["result"].as_str())
        .collect();
    for expected in [
        "fault:busy",
        "fault:internal",
        "fault:http502",
        "fault:malformed",
        "fault:truncated",
        "dropped",
    ] {
        assert!(results.contains(&expected), "{expected} in {results:?}");
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn the_request_log_never_holds_secrets() {
    let sandbox = sandbox(demo_with_delay(0)).await;
    let base = sandbox.url();
    let get_request = add_ch(&base, "logged", Method::Get);
    let signature = get_request
        .url
        .rsplit("signature=")
        .next()
        .unwrap_or_default()
        .to_string();
    send(&get_request).await;
    send(&add_ch(&base, "logged2", Method::Post)).await;
    send(&ehpc_add(&base, "logged")).await;
    let log = get(&format!("{base}/_sandbox/requests")).await;
    let text = log.text();
    let entries = log.json();
    assert_eq!(entries.as_array().map(Vec::len), Some(3));
    assert_eq!(entries[0]["action"], "RunClusterCustomService");
    assert_eq!(entries[0]["access_key_id"], AK);
    assert_eq!(entries[0]["ret_code"], 0);
    assert_eq!(entries[2]["action"], "HpcUserAddUser");
    for secret in [
        SK,
        "Passw0rd",
        "kUISjs",
        "service_params",
        signature.as_str(),
        "signature=",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let reset = send_raw(
        "POST",
        &format!("{base}/_sandbox/reset"),
        &[("content-type", "application/json")],
        None,
    )
    .await
    .expect("answer");
    assert_eq!(reset.status, 200);
    assert_eq!(
        get(&format!("{base}/_sandbox/requests")).await.json(),
        serde_json::json!([])
    );
    // A full reset forgets users and jobs.
    post_json(&format!("{base}/_sandbox/reset"), r#"{"state": true}"#).await;
    assert_eq!(
        send(&jobs_request(&base, &[], None)).await.json()["total_count"],
        0
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn static_files_and_path_traversal() {
    let dir = tempdir("static");
    let www = dir.join("www");
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(www.join("sub")).expect("dirs");
    std::fs::create_dir_all(&pkg).expect("dirs");
    std::fs::write(www.join("index.html"), "<!doctype html><title>page</title>").expect("write");
    std::fs::write(www.join("app.mjs"), "export {};").expect("write");
    std::fs::write(www.join("sub/index.html"), "sub").expect("write");
    std::fs::write(pkg.join("qingcloud_useradd_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    std::fs::write(pkg.join("qingcloud_useradd.js"), "export default 1;").expect("write");
    let sandbox = sandbox_with(Options {
        config: demo_with_delay(0),
        www: www.clone(),
        pkg: pkg.clone(),
        ..Options::default()
    })
    .await;
    let base = sandbox.url();
    let page = get(&format!("{base}/")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type(), "text/html; charset=utf-8");
    assert!(page.text().contains("<title>page</title>"));
    assert_eq!(get(&format!("{base}/index.html")).await.status, 200);
    assert_eq!(get(&format!("{base}/sub/")).await.text(), "sub");
    // A directory without its slash is redirected, so that its page's relative links work.
    let redirect = get(&format!("{base}/sub")).await;
    assert_eq!(redirect.status, 307);
    assert_eq!(redirect.headers["location"], "/sub/");
    assert_eq!(
        get(&format!("{base}/app.mjs")).await.content_type(),
        "text/javascript; charset=utf-8"
    );
    let wasm = get(&format!("{base}/pkg/qingcloud_useradd_bg.wasm")).await;
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.content_type(), "application/wasm");
    assert_eq!(
        get(&format!("{base}/pkg/qingcloud_useradd.js"))
            .await
            .content_type(),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(get(&format!("{base}/missing.js")).await.status, 404);
    let head = send_raw("HEAD", &format!("{base}/"), &[], None)
        .await
        .expect("answer");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        send_raw("DELETE", &format!("{base}/"), &[], None)
            .await
            .expect("answer")
            .status,
        405
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn hostile_input_gets_answers_not_panics() {
    let sandbox = sandbox(demo_with_delay(0)).await;
    let base = sandbox.url();
    for query in [
        "", "&&&", "=", "%", "%zz=%", "a=%FF%FE", "action=DescribeJobs&signature=%ZZ",
        "access_key_id=SANDBOXACCESSKEYID01&signature=x&signature_method=HmacSHA256&signature_version=1&version=1&time_stamp=9999-99-99T99:99:99Z&action=DescribeJobs",
        "access_key_id=SANDBOXACCESSKEYID01&signature=x&signature_method=HmacSHA1&signature_version=1&version=1&time_stamp=2020-01-01T00:00:00Z",
    ] {
        let answer = raw_get(sandbox.addr, &format!("/iaas/?{query}")).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{query}: {answer}");
        assert!(answer.contains("\"ret_code\":1"), "{query}: {answer}");
    }
    let big = "a".repeat(2 << 20);
    let answer = send_raw("POST", &format!("{base}/iaas/"), &[], Some(&big)).await;
    assert!(answer.map(|a| a.status == 413).unwrap_or(true));
    for body in ["", "{", "[]", "null", "{\"cluster_id\": 5}", "\u{0}"] {
        let request = ehpc_signed(&base, "POST", "/api/user/addUser", &[], body, SK, now_s());
        let answer = send(&request).await.json();
        assert_eq!(answer["ret_code"], 1100, "{body:?}: {answer}");
    }
    let answer = send_raw("PUT", &format!("{base}/iaas/"), &[], None)
        .await
        .expect("answer");
    assert_eq!(answer.json()["ret_code"], 1101);
    // Only requests addressed to the loopback are answered (no DNS rebinding).
    let answer = send_raw(
        "GET",
        &format!("{base}/_sandbox/health"),
        &[("host", "evil.example:8080")],
        None,
    )
    .await
    .expect("answer");
    assert_eq!(answer.status, 403);
    // Still alive.
    assert_eq!(
        send(&jobs_request(&base, &[], None)).await.json()["ret_code"],
        0
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn proxy_mode_forwards_unchanged() {
    // The upstream is a second sandbox: it verifies every signature, so a request that arrives
    // changed in any signed part is refused.
    let upstream = sandbox(demo_with_delay(0)).await;
    let front = sandbox_with(Options {
        config: demo_with_delay(0),
        upstream_iaas: Some(upstream.url()),
        upstream_ehpc: Some(format!("{}/", upstream.url())),
        ..Options::default()
    })
    .await;
    let base = front.url();
    for method in [Method::Get, Method::Post] {
        let answer = send(&add_ch(
            &base,
            &format!("p{}", method.as_str().to_lowercase()),
            method,
        ))
        .await;
        let id = job_id(&answer);
        // The job lives upstream only.
        assert_eq!(
            send(&jobs_request(
                &upstream.url(),
                std::slice::from_ref(&id),
                None
            ))
            .await
            .json()["total_count"],
            1
        );
    }
    let answer = send(&ehpc_add(&base, "proxied")).await;
    assert_eq!(answer.content_type(), "application/json");
    job_id(&answer);
    assert_eq!(send(&ehpc_list(&base, EHPC)).await.json()["ret_code"], 0);
    // Errors come back unchanged too.
    let wrong = wrong_secret_jobs_request(&base);
    assert_eq!(send(&wrong).await.json()["ret_code"], 1200);
    // Fault headers act on the front and are not forwarded.
    let busy = send_with(
        &jobs_request(&base, &[], None),
        &[("X-Sandbox-Fault", "busy")],
    )
    .await
    .expect("answer");
    assert_eq!(busy.json()["ret_code"], 5100);
    let front_log = get(&format!("{base}/_sandbox/requests")).await.json();
    let up_log = get(&format!("{}/_sandbox/requests", upstream.url()))
        .await
        .json();
    assert!(front_log
        .as_array()
        .expect("list")
        .iter()
        .any(|e| e["result"] == "proxied"));
    // 2 add_users, 2 DescribeJobs sent to it directly, addUser, list, the wrong secret; not the
    // busy one.
    assert_eq!(up_log.as_array().map(Vec::len), Some(7));
    // The front's own state is untouched.
    assert_eq!(
        get(&format!("{base}/_sandbox/users")).await.json()["clusters"][0]["users"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    upstream.stop().await;
    // An unreachable upstream is a 502 with a QingCloud-shaped body.
    let answer = send(&jobs_request(&base, &[], None)).await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.json()["ret_code"], 5000);
    front.stop().await;
}

#[tokio::test]
async fn cross_origin_calls_only_when_allowed() {
    let origin = "http://127.0.0.1:9999";
    let preflight_headers = [
        ("origin", origin),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "content-type,x-sandbox-fault",
        ),
    ];
    // By default, like the real endpoints: no CORS headers, preflights refused.
    let closed = sandbox(demo_with_delay(0)).await;
    let answer = send_raw(
        "OPTIONS",
        &format!("{}/iaas/", closed.url()),
        &preflight_headers,
        None,
    )
    .await
    .expect("answer");
    assert_eq!(answer.status, 403);
    assert!(answer.headers.get("access-control-allow-origin").is_none());
    let request = jobs_request(&closed.url(), &[], None);
    let answer = send_with(&request, &[("origin", origin)])
        .await
        .expect("answer");
    assert!(answer.headers.get("access-control-allow-origin").is_none());
    closed.stop().await;

    for (allowed, expected) in [("*", "*"), (origin, origin)] {
        let open = sandbox_with(Options {
            config: demo_with_delay(0),
            allow_origins: vec![allowed.to_string()],
            ..Options::default()
        })
        .await;
        let answer = send_raw(
            "OPTIONS",
            &format!("{}/api/user/addUser", open.url()),
            &preflight_headers,
            None,
        )
        .await
        .expect("answer");
        assert_eq!(answer.status, 200);
        assert_eq!(answer.headers["access-control-allow-origin"], expected);
        assert_eq!(
            answer.headers["access-control-allow-headers"],
            "content-type,x-sandbox-fault"
        );
        let request = jobs_request(&open.url(), &[], None);
        let answer = send_with(&request, &[("origin", origin)])
            .await
            .expect("answer");
        assert_eq!(answer.json()["ret_code"], 0);
        assert_eq!(answer.headers["access-control-allow-origin"], expected);
        // Injected faults carry the header too, so that a page can see them.
        let busy = send_with(&request, &[("origin", origin), ("x-sandbox-fault", "busy")])
            .await
            .expect("answer");
        assert_eq!(busy.headers["access-control-allow-origin"], expected);
        let other = send_with(&request, &[("origin", "http://elsewhere.example")])
            .await
            .expect("answer");
        assert_eq!(
            other.headers.get("access-control-allow-origin").is_some(),
            allowed == "*"
        );
        open.stop().await;
    }
}

/// An upstream that records every request it receives and answers with headers a proxy must not
/// relay (cookies, CORS, hop-by-hop ones).
async fn recording_upstream() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<hyper::Request<()>>>>,
) {
    use hyper::service::service_fn;
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<hyper::Request<()>>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let recorder = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let recorder = recorder.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let recorder = recorder.clone();
                    async move {
                        recorder.lock().expect("lock").push(request.map(|_| ()));
                        hyper::Response::builder()
                            .header("content-type", "application/json")
                            .header("set-cookie", "session=upstream")
                            .header("access-control-allow-origin", "*")
                            .header("access-control-allow-credentials", "true")
                            .header("connection", "x-hop")
                            .header("x-hop", "1")
                            .header("x-upstream", "kept")
                            .body(http_body_util::Full::new(Bytes::from_static(
                                b"{\"ret_code\":0}",
                            )))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, seen)
}

#[tokio::test]
async fn proxy_mode_forwards_only_what_the_api_needs() {
    let (upstream, seen) = recording_upstream().await;
    let front = sandbox_with(Options {
        config: demo_with_delay(0),
        upstream_iaas: Some(format!("http://{upstream}")),
        upstream_ehpc: Some(format!("http://{upstream}")),
        ..Options::default()
    })
    .await;
    let request = "GET /iaas/?action=DescribeJobs&zone=pek3&signature=a%2Bb HTTP/1.1\r\n\
        Host: 127.0.0.1\r\n\
        Cookie: other-app=secret\r\n\
        Authorization: Bearer local\r\n\
        Proxy-Authorization: Basic eA==\r\n\
        Forwarded: for=10.0.0.1\r\n\
        X-Forwarded-For: 10.0.0.1\r\n\
        X-Forwarded-Host: evil.example\r\n\
        Origin: http://127.0.0.1:1\r\n\
        Connection: close, user-agent\r\n\
        User-Agent: named-in-connection\r\n\
        Keep-Alive: timeout=5\r\n\
        X-Private: 1\r\n\
        Accept: application/json\r\n\
        Content-Type: application/x-www-form-urlencoded\r\n\
        X-Sandbox-Fault: latency=1\r\n\r\n";
    let answer = raw(front.addr, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let head = answer.to_ascii_lowercase();
    let names: Vec<&str> = head
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split(':').next())
        .collect();
    for absent in ["set-cookie", "access-control-", "x-hop"] {
        assert!(
            !names.iter().any(|n| n.starts_with(absent)),
            "{absent} relayed: {answer}"
        );
    }
    assert!(head.contains("x-upstream: kept"), "{answer}");
    assert!(answer.ends_with("{\"ret_code\":0}"), "{answer}");
    {
        let seen = seen.lock().expect("lock");
        assert_eq!(seen.len(), 1);
        let received = &seen[0];
        assert_eq!(
            received.uri().to_string(),
            "/iaas/?action=DescribeJobs&zone=pek3&signature=a%2Bb"
        );
        let names: Vec<&str> = received.headers().keys().map(|k| k.as_str()).collect();
        let mut names = names.clone();
        names.sort_unstable();
        assert_eq!(names, ["accept", "content-type", "host"], "{received:?}");
        assert_eq!(received.headers()["host"], upstream.to_string());
    }
    // Paths an upstream could resolve otherwise never leave.
    for path in [
        "/iaas/../admin",
        "/iaas/%2e%2e/admin",
        "/api/./user",
        "/api/user%2FaddUser",
        "/api/user%5caddUser",
    ] {
        let answer = raw_get(front.addr, path).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{path}: {answer}");
    }
    // Neither does anything outside /iaas/ and /api/.
    assert_eq!(get(&format!("{}/admin", front.url())).await.status, 404);
    assert_eq!(seen.lock().expect("lock").len(), 1);
    front.stop().await;
}

#[tokio::test]
async fn https_upstream_end_to_end() {
    let upstream = tls_upstream("localhost", sandbox(demo_with_delay(0)).await).await;
    let dir = tempdir("tls");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &upstream.ca_pem).expect("write");
    let proxied = |url: &str, ca: Option<std::path::PathBuf>| Options {
        config: demo_with_delay(0),
        upstream_iaas: Some(url.to_string()),
        upstream_ehpc: Some(url.to_string()),
        upstream_ca: ca,
        ..Options::default()
    };
    let front = sandbox_with(proxied(&upstream.url, Some(ca.clone()))).await;
    let base = front.url();
    // The crate's requests, as the package sends them; the upstream verifies every signature.
    for method in [Method::Get, Method::Post] {
        let name = format!("tls{}", method.as_str().to_lowercase());
        let id = job_id(&send(&add_ch(&base, &name, method)).await);
        let upstream_jobs = send(&jobs_request(&upstream.inner.url(), &[id], None)).await;
        assert_eq!(upstream_jobs.json()["total_count"], 1);
    }
    job_id(&send(&ehpc_add(&base, "tlsuser")).await);
    let wrong = wrong_secret_jobs_request(&base);
    assert_eq!(send(&wrong).await.json()["ret_code"], 1200);
    front.stop().await;

    // Without --upstream-ca the test CA is not trusted: verification is on by default.
    let untrusting = sandbox_with(proxied(&upstream.url, None)).await;
    let answer = send(&jobs_request(&untrusting.url(), &[], None)).await;
    assert_eq!(answer.status, 502);
    let message = answer.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("UnknownIssuer"), "{message}");
    untrusting.stop().await;

    // A trusted certificate for another name is refused too, and the answer says why.
    let elsewhere = tls_upstream("elsewhere.example", sandbox(demo_with_delay(0)).await).await;
    let other_ca = dir.join("other-ca.pem");
    std::fs::write(&other_ca, &elsewhere.ca_pem).expect("write");
    let mismatched = sandbox_with(proxied(&elsewhere.url, Some(other_ca))).await;
    let answer = send(&jobs_request(&mismatched.url(), &[], None)).await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.json()["ret_code"], 5000);
    let message = answer.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("not valid for name"), "{message}");
    assert!(message.contains("elsewhere.example"), "{message}");
    mismatched.stop().await;
    elsewhere.stop().await;

    // A CA file that is not one stops the start.
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").expect("write");
    assert!(
        qingcloud_sandbox::start(proxied(&upstream.url, Some(garbage)), 0)
            .await
            .is_err()
    );
    // Nor is a CA without an upstream to use it for.
    let lone_ca = Options {
        upstream_ca: Some(ca),
        ..Options::default()
    };
    assert!(qingcloud_sandbox::start(lone_ca, 0).await.is_err());
    upstream.stop().await;
}

#[tokio::test]
async fn static_responses_cannot_be_framed_or_sniffed_and_dotfiles_are_hidden() {
    let dir = tempdir("headers");
    std::fs::create_dir_all(dir.join(".git")).expect("dirs");
    std::fs::write(dir.join("index.html"), "page").expect("write");
    std::fs::write(dir.join(".env"), "SECRET=1").expect("write");
    std::fs::write(dir.join(".git/config"), "secret").expect("write");
    let sandbox = sandbox_with(Options {
        www: dir.clone(),
        ..Options::default()
    })
    .await;
    let page = get(&format!("{}/", sandbox.url())).await;
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    // The header says what the page's meta CSP says, and what only a header can: no framing.
    let html = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../www/index.html"))
        .expect("www/index.html");
    let meta = html
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page has a meta CSP");
    assert_eq!(
        page.headers["content-security-policy"],
        format!("{meta}; frame-ancestors 'none'").as_str()
    );
    let missing = get(&format!("{}/missing", sandbox.url())).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.headers["x-content-type-options"], "nosniff");
    for path in ["/.env", "/.git/config", "/%2eenv", "/.git/", "/pkg/.env"] {
        let answer = raw_get(sandbox.addr, path).await;
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
        assert!(
            !answer.contains("SECRET") && !answer.contains("secret"),
            "{path}"
        );
    }
    sandbox.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_state_file_is_private_and_written_through_a_random_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir("state-private");
    let state = dir.join("state.json");
    // The old, predictable temporary name, planted as a link to a file of someone else's.
    let victim = dir.join("victim");
    std::fs::write(&victim, "untouched").expect("write");
    let planted = dir.join(format!(".state.json.{}.tmp", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).expect("symlink");
    let sandbox = sandbox_with(Options {
        config: demo_with_delay(0),
        state_file: Some(state.clone()),
        ..Options::default()
    })
    .await;
    job_id(&send(&add_ch(&sandbox.url(), "private", Method::Get)).await);
    sandbox.stop().await;
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "untouched");
    assert!(std::fs::read_to_string(&state)
        .expect("state")
        .contains("private"));
    let mode = std::fs::metadata(&state)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let planted_name = planted
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    assert_eq!(
        names,
        [
            planted_name.unwrap_or_default(),
            "state.json".into(),
            "victim".into()
        ],
        "no temporary file is left"
    );
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_one() {
    let sandbox = sandbox_with(Options {
        config: demo_with_delay(0),
        max_connections: 3,
        ..Options::default()
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(
            tokio::net::TcpStream::connect(sandbox.addr)
                .await
                .expect("connect"),
        );
    }
    let addr = sandbox.addr;
    let waiting = tokio::spawn(async move { raw_get(addr, "/_sandbox/health").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "a fourth connection is not served");
    idle.pop();
    let answer = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("served once one closes")
        .expect("task");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    sandbox.stop().await;
}

#[cfg(target_os = "linux")]
#[test]
fn the_binary_raises_its_soft_file_limit_to_the_hard_one() {
    use std::io::BufRead;
    let binary = env!("CARGO_BIN_EXE_qingcloud-sandbox");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -S -n 256 && exec '{binary}' --port 0 --quiet"
        ))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).expect("limits");
    let _ = child.kill();
    let _ = child.wait();
    let open_files: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .map(|l| l.split_whitespace().skip(3).take(2).collect())
        .expect("Max open files");
    assert_eq!(open_files[0], open_files[1], "{limits}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_capacity_the_sandbox_answers_busy_at_once() {
    let mut config = demo_with_delay(0);
    config.faults.capacity = Some(2);
    config.faults.latency_ms = 600;
    let sandbox = sandbox(config).await;
    let base = sandbox.url();

    // Five adds at once: two are admitted and wait out the latency; three are refused at once.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..5 {
        let base = base.clone();
        tasks.spawn(async move {
            let started = Instant::now();
            let answer = send(&add_ch(&base, &format!("cap{i}"), Method::Post)).await;
            (i, answer.json(), started.elapsed())
        });
    }
    let mut admitted = Vec::new();
    let mut refused = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        let (i, body, elapsed) = outcome.expect("task");
        match body["ret_code"].as_i64() {
            Some(0) => {
                assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
                admitted.push(format!("cap{i}"));
            }
            Some(5100) => {
                assert!(
                    elapsed < Duration::from_millis(400),
                    "not at once: {elapsed:?}"
                );
                refused.push(format!("cap{i}"));
            }
            _ => panic!("unexpected answer {body}"),
        }
    }
    assert_eq!((admitted.len(), refused.len()), (2, 3));
    assert_eq!(sandbox.app.in_flight.count(), 0);

    // Refused adds created nothing; admitted ones did.
    let users = get(&format!("{base}/_sandbox/users")).await.text();
    for name in &admitted {
        assert!(users.contains(&format!("\"{name}\"")), "{name} in {users}");
    }
    for name in &refused {
        assert!(!users.contains(&format!("\"{name}\"")), "{name} in {users}");
    }

    // Once they ended, requests are admitted again, up to the capacity.
    let jobs = jobs_request(&base, &[], None);
    let (first, second) = tokio::join!(send(&jobs), send(&jobs));
    assert_eq!(
        (
            first.json()["ret_code"].as_i64(),
            second.json()["ret_code"].as_i64()
        ),
        (Some(0), Some(0))
    );

    // The log names the refusals apart from the `busy` fault.
    let log = get(&format!("{base}/_sandbox/requests")).await.json();
    let refusals: Vec<&Value> = log
        .as_array()
        .expect("list")
        .iter()
        .filter(|e| e["result"] == "fault:capacity")
        .collect();
    assert_eq!(refusals.len(), 3, "{log}");
    for entry in refusals {
        assert_eq!(entry["ret_code"], 5100);
        assert_eq!(entry["action"], "RunClusterCustomService");
    }
    assert!(log
        .as_array()
        .expect("list")
        .iter()
        .all(|e| e["started_ms"].as_i64().is_some()));

    // A client that goes away gives its place back: with capacity 1, a request left waiting
    // for 10 s is abandoned, and the next one is admitted at once.
    let set = post_json(&format!("{base}/_sandbox/faults"), r#"{"capacity": 1}"#).await;
    assert_eq!(set.json()["capacity"], 1);
    let probe = jobs_request(&base, &[], None);
    let path = probe.url.trim_start_matches(&base).to_string();
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr)
        .await
        .expect("connect");
    let head =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Sandbox-Fault: latency=10000\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes())
        .await
        .expect("write");
    let mut waited = 0;
    while sandbox.app.in_flight.count() == 0 && waited < 100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    assert_eq!(sandbox.app.in_flight.count(), 1);
    assert_eq!(send(&probe).await.json()["ret_code"], 5100);
    drop(stream);
    let mut waited = 0;
    while sandbox.app.in_flight.count() > 0 && waited < 100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    assert_eq!(sandbox.app.in_flight.count(), 0);
    assert_eq!(send(&probe).await.json()["ret_code"], 0);
    sandbox.stop().await;
}

#[tokio::test]
async fn capacity_counts_only_the_api() {
    let mut config = demo_with_delay(0);
    config.faults.capacity = Some(0);
    let sandbox = sandbox_with(Options {
        config,
        www: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www"),
        ..Options::default()
    })
    .await;
    let base = sandbox.url();
    assert_eq!(
        send(&jobs_request(&base, &[], None)).await.json()["ret_code"],
        5100
    );
    assert_eq!(send(&ehpc_list(&base, EHPC)).await.json()["ret_code"], 5100);
    assert_eq!(get(&format!("{base}/_sandbox/health")).await.status, 200);
    assert_eq!(get(&format!("{base}/")).await.status, 200);
    // Lifted at run time.
    post_json(&format!("{base}/_sandbox/faults"), "{}").await;
    assert_eq!(
        send(&jobs_request(&base, &[], None)).await.json()["ret_code"],
        0
    );
    sandbox.stop().await;
}
