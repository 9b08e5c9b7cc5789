//! The sandbox under hostile input: every case is answered (or the connection closed) in bounded
//! time and memory, and `/_sandbox/health` answers after each. Loopback only, bounded counts.

mod common;

use common::*;
use qingcloud_sandbox::{Options, Running};
use qingcloud_useradd::signing;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bounds a case: far above what it takes, far below what a quadratic or hanging server takes.
const CASE_LIMIT: Duration = Duration::from_secs(20);

async fn bounded<T>(case: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(CASE_LIMIT, case)
        .await
        .expect("answered in bounded time")
}

async fn healthy(sandbox: &Running) {
    let answer = bounded(raw_get(sandbox.addr, "/_sandbox/health")).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("{\"ok\":true}"), "{answer}");
}

async fn hostile_sandbox() -> Running {
    sandbox_with(Options {
        config: demo_with_delay(0),
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn path_traversal_variants() {
    let dir = tempdir("traversal");
    let www = dir.join("www");
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(www.join("sub")).expect("dirs");
    std::fs::create_dir_all(&pkg).expect("dirs");
    std::fs::write(www.join("index.html"), "page").expect("write");
    std::fs::write(www.join(".env"), "top secret").expect("write");
    std::fs::write(dir.join("secret.txt"), "top secret").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("secret.txt"), www.join("link.txt")).expect("symlink");
    let sandbox = sandbox_with(Options {
        www,
        pkg,
        ..Options::default()
    })
    .await;
    // Sent raw, so that no client normalises the path.
    for path in [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/%252e%252e/secret.txt",
        "/.%2e/.%2e/secret.txt",
        "/sub/../../secret.txt",
        "/pkg/../../secret.txt",
        "/pkg/%2e%2e/%2e%2e/secret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%00/../secret.txt",
        "//../secret.txt",
        "/./././../secret.txt",
        "/~/secret.txt",
        "/C:/secret.txt",
        "/link.txt",
        "/.env",
        "/%2eenv",
        "/../../../../../../etc/passwd",
        "//etc/passwd",
        "/%2f%2fetc%2fpasswd",
        "/%00",
    ] {
        let answer = raw_get(sandbox.addr, path).await;
        assert_refused(path, &answer, "top secret");
        assert!(!answer.contains("root:"), "{path}");
        healthy(&sandbox).await;
    }
    sandbox.stop().await;
}

/// Streams up to `total` bytes of body after `head`, stopping when the server answers or closes.
async fn stream_body(addr: SocketAddr, head: &str, total: usize, chunked: bool) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        let chunk = vec![b'a'; 1 << 20];
        let mut sent = 0;
        while sent < total {
            let written = if chunked {
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                writer.write_all(&framed).await
            } else {
                writer.write_all(&chunk).await
            };
            if written.is_err() {
                break;
            }
            sent += chunk.len();
        }
        sent
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(CASE_LIMIT, reader.read_to_end(&mut answer)).await;
    writing.abort();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_100_mb_body() {
    let sandbox = hostile_sandbox().await;
    const SIZE: usize = 100 << 20;
    for path in ["/iaas/", "/api/user/addUser", "/_sandbox/faults"] {
        let declared = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {SIZE}\r\n\r\n"
        );
        let answer = stream_body(sandbox.addr, &declared, SIZE, false).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        healthy(&sandbox).await;
        let chunked = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let answer = stream_body(sandbox.addr, &chunked, SIZE, true).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        healthy(&sandbox).await;
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn ten_thousand_headers() {
    let sandbox = hostile_sandbox().await;
    let mut request = String::from("GET /_sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for i in 0..10_000 {
        request.push_str(&format!("X-Header-{i}: {i}\r\n"));
    }
    request.push_str("\r\n");
    let answer = raw(sandbox.addr, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    healthy(&sandbox).await;
    // One header of a megabyte.
    let huge = format!(
        "GET /_sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
        "b".repeat(1 << 20)
    );
    let answer = raw(sandbox.addr, huge.as_bytes()).await;
    assert!(
        answer.starts_with("HTTP/1.1 431") || answer.is_empty(),
        "{answer}"
    );
    healthy(&sandbox).await;
    sandbox.stop().await;
}

#[tokio::test]
async fn five_hundred_slow_connections() {
    let sandbox = hostile_sandbox().await;
    let mut slow = Vec::new();
    for _ in 0..500 {
        let mut stream = TcpStream::connect(sandbox.addr).await.expect("connect");
        // Headers that never end, and a body that never comes.
        stream
            .write_all(b"POST /iaas/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .expect("write");
        slow.push(stream);
    }
    healthy(&sandbox).await;
    // A body that stalls is answered 408 once it has paused for the body timeout (1 s here).
    let stalled = tokio::spawn(raw(
        sandbox.addr,
        b"POST /iaas/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nab",
    ));
    healthy(&sandbox).await;
    let answer = bounded(stalled).await.expect("task");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // And a keep-alive connection left idle after its request.
    let mut idle = TcpStream::connect(sandbox.addr).await.expect("connect");
    idle.write_all(b"GET /_sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("write");
    slow.push(idle);
    // The header timeout (1 s here) closes every one of them.
    bounded(async {
        for stream in &mut slow {
            let mut buffer = [0u8; 256];
            while stream.read(&mut buffer).await.unwrap_or(0) > 0 {}
        }
    })
    .await;
    healthy(&sandbox).await;
    sandbox.stop().await;
}

#[tokio::test]
async fn malformed_percent_encoding_and_invalid_utf8() {
    let sandbox = hostile_sandbox().await;
    for query in [
        "%",
        "%%",
        "%zz=%1",
        "a=%FF%FE%FD",
        "%C0%AF=%ED%A0%80",
        "access_key_id=%FF",
    ] {
        for path in ["/iaas/", "/api/user"] {
            let answer = raw_get(sandbox.addr, &format!("{path}?{query}")).await;
            assert!(
                answer.starts_with("HTTP/1.1 200"),
                "{path}?{query}: {answer}"
            );
            assert!(
                answer.contains("\"ret_code\":1"),
                "{path}?{query}: {answer}"
            );
            healthy(&sandbox).await;
        }
    }
    for path in ["/%FF%FE", "/%", "/%zz", "/pkg/%C0%AF", "/_sandbox/%FF"] {
        let answer = raw_get(sandbox.addr, path).await;
        assert!(answer.starts_with("HTTP/1.1 4"), "{path}: {answer}");
        healthy(&sandbox).await;
    }
    // Raw bytes that are not UTF-8 in the request line, a header and a body.
    let raw_cases: [&[u8]; 3] = [
        b"GET /\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /iaas/?a=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Bad: \xff\xfe\r\nConnection: close\r\n\r\n",
        b"POST /iaas/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 19\r\nConnection: close\r\n\r\naction=\xff\xfe%FF&zone=\xc0",
    ];
    for request in raw_cases {
        let answer = raw(sandbox.addr, request).await;
        assert!(
            answer.starts_with("HTTP/1.1 "),
            "{:?}: {answer}",
            String::from_utf8_lossy(request)
        );
        healthy(&sandbox).await;
    }
    sandbox.stop().await;
}

/// `n` (at most 36⁴) distinct four-letter keys that sort in the reverse of the order given.
fn descending_keys(n: usize) -> Vec<String> {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..n)
        .rev()
        .map(|i| {
            [36 * 36 * 36, 36 * 36, 36, 1]
                .iter()
                .map(|place| DIGITS[i / place % 36] as char)
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn one_hundred_twenty_thousand_descending_parameters() {
    let sandbox = hostile_sandbox().await;
    let keys = descending_keys(120_000);
    let params = iaas_params(
        "DescribeJobs",
        keys.into_iter().map(|k| (k, String::new())).collect(),
    );
    let form = signing::iaas::canonical_query(&params);
    let signature = signing::iaas::signature(SK, "POST", &params);
    let body = format!(
        "{form}&signature={}",
        qingcloud_useradd::encoding::quote_plus(&signature)
    );
    assert!(
        body.len() < 1 << 20,
        "{} bytes fit the body limit",
        body.len()
    );
    let answer = bounded(send_raw(
        "POST",
        &format!("{}/iaas/", sandbox.url()),
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(&body),
    ))
    .await
    .expect("answer");
    // Signed and verified over all of them: the signature check sorted 120,007 parameters.
    assert_eq!(answer.json()["ret_code"], 0, "{}", answer.text());
    healthy(&sandbox).await;
    sandbox.stop().await;
}

#[tokio::test]
async fn deeply_nested_json_to_the_ehpc_api() {
    let sandbox = hostile_sandbox().await;
    let depth = 100_000;
    for body in [
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)),
        "[".repeat(depth * 2),
    ] {
        let request = ehpc_signed(
            &sandbox.url(),
            "POST",
            "/api/user/addUser",
            &[],
            &body,
            SK,
            now_s(),
        );
        let answer = bounded(send(&request)).await;
        assert_eq!(answer.json()["ret_code"], 1100, "{}", answer.text());
        healthy(&sandbox).await;
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn cross_site_control_requests_change_nothing() {
    let sandbox = hostile_sandbox().await;
    let base = sandbox.url();
    job_id_of(
        &send(&add_ch(
            &base,
            "kept",
            qingcloud_useradd::request::Method::Get,
        ))
        .await,
    );
    let users_before = get(&format!("{base}/_sandbox/users")).await.text();
    let log_before = get(&format!("{base}/_sandbox/requests")).await.text();
    let evil = "https://evil.example";
    for (path, body) in [
        ("/_sandbox/faults", r#"{"drop_ratio":1}"#),
        ("/_sandbox/reset", r#"{"state":true}"#),
    ] {
        for headers in [
            vec![("origin", evil), ("content-type", "text/plain")],
            vec![("origin", evil), ("content-type", "application/json")],
            vec![("origin", "null"), ("content-type", "application/json")],
            vec![
                ("origin", "http://127.0.0.1:1"),
                ("content-type", "application/json"),
            ],
            vec![("content-type", "text/plain")],
            vec![("content-type", "application/x-www-form-urlencoded")],
            vec![("content-type", "multipart/form-data; boundary=x")],
            vec![],
        ] {
            let answer = send_raw("POST", &format!("{base}{path}"), &headers, Some(body))
                .await
                .expect("answer");
            assert_eq!(answer.status, 403, "{path} {headers:?}");
            assert!(answer.json()["error"].is_string());
        }
        // Nor is a preflight allowed.
        let preflight = send_raw(
            "OPTIONS",
            &format!("{base}{path}"),
            &[
                ("origin", evil),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "content-type"),
            ],
            None,
        )
        .await
        .expect("answer");
        assert_eq!(preflight.status, 403);
        assert!(preflight
            .headers
            .get("access-control-allow-origin")
            .is_none());
    }
    assert_eq!(
        get(&format!("{base}/_sandbox/faults")).await.json()["drop_ratio"],
        0.0
    );
    assert_eq!(
        get(&format!("{base}/_sandbox/users")).await.text(),
        users_before
    );
    assert_eq!(
        get(&format!("{base}/_sandbox/requests")).await.text(),
        log_before
    );
    assert_eq!(
        send(&jobs_request(&base, &[], None)).await.json()["ret_code"],
        0
    );
    // The sandbox's own page, and no page at all, may.
    let own = format!("http://{}", sandbox.addr);
    let answer = send_raw(
        "POST",
        &format!("{base}/_sandbox/faults"),
        &[
            ("origin", own.as_str()),
            ("content-type", "application/json"),
        ],
        Some(r#"{"busy_ratio":1}"#),
    )
    .await
    .expect("answer");
    assert_eq!(answer.status, 200);
    assert_eq!(
        post_json(&format!("{base}/_sandbox/faults"), "{}")
            .await
            .status,
        200
    );
    healthy(&sandbox).await;
    sandbox.stop().await;
}

fn job_id_of(answer: &Answer) -> String {
    let body = answer.json();
    assert_eq!(body["ret_code"], 0, "{body}");
    body["job_id"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn health_answers_while_five_thousand_idle_connections_are_held() {
    // Both ends of each connection are in this process.
    let limit = qingcloud_sandbox::app::raise_file_limit();
    assert!(
        limit >= 10_200,
        "the hard open-file limit ({limit}) is too low for this test"
    );
    let sandbox = sandbox_with(Options {
        config: demo_with_delay(0),
        ..Options::default()
    })
    .await;
    let mut idle = Vec::with_capacity(5_000);
    for _ in 0..5_000 {
        idle.push(TcpStream::connect(sandbox.addr).await.expect("connect"));
    }
    healthy(&sandbox).await;
    // Half of them send a request and stay open afterwards (keep-alive).
    for stream in idle.iter_mut().step_by(2) {
        stream
            .write_all(b"GET /_sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .expect("write");
    }
    healthy(&sandbox).await;
    assert_eq!(
        send(&jobs_request(&sandbox.url(), &[], None)).await.json()["ret_code"],
        0
    );
    drop(idle);
    healthy(&sandbox).await;
    sandbox.stop().await;
}
