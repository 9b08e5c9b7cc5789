//! Load generator for the sandbox: signed `GET /iaas/?action=DescribeJobs` requests, built with the
//! crate's own request builder, from 1, 16 and 64 concurrent keep-alive clients on loopback.
//! Prints a table and one JSON line (`sandbox_rps_c1`, `sandbox_p50_ms_c1`, `sandbox_p99_ms_c1`,
//! ... for each level).
//!
//! By default it starts a sandbox in-process (on its own runtime threads, without request logs);
//! `--url URL` measures a running one instead (the demo account, or `--access-key-id`/`--secret`).
//! Build it in release to measure: `cargo run --release -p qingcloud-sandbox --bin sandbox-bench`.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use qingcloud_sandbox::{config, Config, Options};
use qingcloud_useradd::request::{self, Credentials, Method, Stamp};
use qingcloud_useradd::timestamp::format_timestamp;
use qingcloud_useradd::validation::ValidClickHouseUser;
use std::sync::Arc;
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: sandbox-bench [--url URL] [--seconds S] [--warmup-ms MS] [--levels 1,16,64]
                     [--server-threads N] [--client-threads N]
                     [--access-key-id ID --secret SECRET --zone ZONE --cluster CL]
";

struct Args {
    url: Option<String>,
    seconds: f64,
    warmup: Duration,
    levels: Vec<usize>,
    server_threads: usize,
    client_threads: usize,
    access_key_id: String,
    secret: String,
    zone: String,
    cluster: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        url: None,
        seconds: 3.0,
        warmup: Duration::from_millis(500),
        levels: vec![1, 16, 64],
        server_threads: 2,
        client_threads: 2,
        access_key_id: config::DEMO_ACCESS_KEY_ID.into(),
        secret: config::DEMO_SECRET_ACCESS_KEY.into(),
        zone: config::DEMO_ZONE.into(),
        cluster: config::DEMO_CLICKHOUSE_CLUSTER.into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--url" => args.url = Some(value()?.trim_end_matches('/').to_string()),
            "--seconds" => {
                args.seconds = value()?
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s > 0.0 && *s <= 60.0)
                    .ok_or("--seconds takes a number from 0 to 60")?
            }
            "--warmup-ms" => {
                args.warmup = Duration::from_millis(
                    value()?.parse().map_err(|_| "--warmup-ms takes a number")?,
                )
            }
            "--levels" => {
                args.levels = value()?
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse::<usize>()
                            .ok()
                            .filter(|n| (1..=1024).contains(n))
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or("--levels takes numbers from 1 to 1024, comma-separated")?
            }
            "--server-threads" => {
                args.server_threads = value()?
                    .parse()
                    .map_err(|_| "--server-threads takes a number")?
            }
            "--client-threads" => {
                args.client_threads = value()?
                    .parse()
                    .map_err(|_| "--client-threads takes a number")?
            }
            "--access-key-id" => args.access_key_id = value()?,
            "--secret" => args.secret = value()?,
            "--zone" => args.zone = value()?,
            "--cluster" => args.cluster = value()?,
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// One keep-alive HTTP/1.1 connection.
async fn connect(
    authority: &str,
) -> Result<http1::SendRequest<Empty<Bytes>>, Box<dyn std::error::Error + Send + Sync>> {
    let stream = tokio::net::TcpStream::connect(authority).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

async fn get(
    sender: &mut http1::SendRequest<Empty<Bytes>>,
    authority: &str,
    path: &str,
) -> Result<Bytes, Box<dyn std::error::Error + Send + Sync>> {
    sender.ready().await?;
    let request = Request::get(path)
        .header("host", authority)
        .body(Empty::new())?;
    let response = sender.send_request(request).await?;
    let ok = response.status().is_success();
    let body = response.into_body().collect().await?.to_bytes();
    if !ok {
        return Err("HTTP error".into());
    }
    Ok(body)
}

struct Level {
    clients: usize,
    requests: usize,
    errors: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn percentile(sorted_us: &[u32], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted_us.len() as f64).ceil() as usize;
    f64::from(sorted_us[rank.clamp(1, sorted_us.len()) - 1]) / 1000.0
}

async fn run_level(
    authority: Arc<str>,
    paths: Arc<Vec<String>>,
    clients: usize,
    warmup: Duration,
    measure: Duration,
) -> Level {
    let start = Instant::now();
    let measure_from = start + warmup;
    let measure_until = measure_from + measure;
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..clients {
        let authority = authority.clone();
        let paths = paths.clone();
        tasks.spawn(async move {
            let mut latencies: Vec<u32> = Vec::with_capacity(1 << 16);
            let mut errors = 0usize;
            let mut sender = match connect(&authority).await {
                Ok(sender) => sender,
                Err(_) => return (latencies, 1usize),
            };
            let mut i = client;
            loop {
                let sent = Instant::now();
                if sent >= measure_until {
                    break;
                }
                let path = &paths[i % paths.len()];
                i += clients;
                let result = get(&mut sender, &authority, path).await;
                let done = Instant::now();
                let counted = sent >= measure_from && done <= measure_until;
                match result {
                    Ok(body) if body.starts_with(b"{\"action\":\"DescribeJobsResponse\"") => {
                        if counted {
                            latencies
                                .push(done.duration_since(sent).as_micros().min(u32::MAX as u128)
                                    as u32);
                        }
                    }
                    Ok(_) => errors += usize::from(counted),
                    Err(_) => {
                        errors += usize::from(counted);
                        match connect(&authority).await {
                            Ok(fresh) => sender = fresh,
                            Err(_) => break,
                        }
                    }
                }
            }
            (latencies, errors)
        });
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    while let Some(joined) = tasks.join_next().await {
        if let Ok((mut l, e)) = joined {
            latencies.append(&mut l);
            errors += e;
        }
    }
    latencies.sort_unstable();
    Level {
        clients,
        requests: latencies.len(),
        errors,
        seconds: measure.as_secs_f64(),
        p50_ms: percentile(&latencies, 50.0),
        p99_ms: percentile(&latencies, 99.0),
    }
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("sandbox-bench: {e}");
            std::process::exit(2);
        }
    };
    // The sandbox under test runs on its own runtime, as it would in its own process.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.server_threads.max(1))
        .thread_name("sandbox")
        .enable_all()
        .build()
        .expect("server runtime");
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .thread_name("bench-client")
        .enable_all()
        .build()
        .expect("client runtime");

    let (base, _running) = match &args.url {
        Some(url) => (url.clone(), None),
        None => {
            let mut config = Config::demo();
            config.job_delay_ms = 0;
            let running = server_runtime
                .block_on(qingcloud_sandbox::start(
                    Options {
                        config,
                        log_requests: false,
                        ..Options::default()
                    },
                    0,
                ))
                .unwrap_or_else(|e| {
                    eprintln!("sandbox-bench: {e}");
                    std::process::exit(1)
                });
            (running.url(), Some(running))
        }
    };
    let authority: Arc<str> = base
        .strip_prefix("http://")
        .unwrap_or(&base)
        .split('/')
        .next()
        .unwrap_or_default()
        .into();
    let credentials = Credentials {
        access_key_id: args.access_key_id.clone(),
        secret_access_key: args.secret.clone(),
    };

    let levels = client_runtime.block_on(async {
        // One job to describe: a new user on the cluster.
        let user = ValidClickHouseUser {
            cluster: args.cluster.clone(),
            zone: args.zone.clone(),
            user_name: format!("bench{}", now_s() % 1_000_000),
            user_password: "BenchPassw0rd".into(),
            user_networks: "127.0.0.1".into(),
        };
        let stamp = |i: usize| Stamp {
            time_stamp: format_timestamp(now_s()),
            req_id: format!("{:032x}", i),
        };
        let seed =
            request::clickhouse_add_users(&user, &credentials, &base, Method::Get, &stamp(0));
        let path_of = |url: &str| url[url.find("/iaas/").unwrap_or(0)..].to_string();
        let mut sender = connect(&authority).await.unwrap_or_else(|e| {
            eprintln!("sandbox-bench: cannot connect to {base}: {e}");
            std::process::exit(1)
        });
        let answer = get(&mut sender, &authority, &path_of(&seed.url))
            .await
            .unwrap_or_default();
        let job_id = serde_json::from_slice::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v["job_id"].as_str().map(str::to_string))
            .unwrap_or_else(|| {
                eprintln!(
                    "sandbox-bench: the sandbox refused the seed request: {}",
                    String::from_utf8_lossy(&answer)
                );
                std::process::exit(1)
            });
        // A pool of distinct signed requests (req_id differs), signed now: well within the skew.
        let paths: Arc<Vec<String>> = Arc::new(
            (1..=256)
                .map(|i| {
                    let request = request::describe_jobs(
                        &args.zone,
                        std::slice::from_ref(&job_id),
                        None,
                        &credentials,
                        &base,
                        Method::Get,
                        &stamp(i),
                    );
                    path_of(&request.url)
                })
                .collect(),
        );
        let mut levels = Vec::new();
        for &clients in &args.levels {
            levels.push(
                run_level(
                    authority.clone(),
                    paths.clone(),
                    clients,
                    args.warmup,
                    Duration::from_secs_f64(args.seconds),
                )
                .await,
            );
        }
        levels
    });

    println!(
        "sandbox: signed GET DescribeJobs on {base}, {:.1} s per level ({} server threads{})",
        args.seconds,
        args.server_threads,
        if args.url.is_some() {
            ", external"
        } else {
            ", in-process"
        }
    );
    println!(
        "{:>8} {:>12} {:>10} {:>10} {:>8}",
        "clients", "requests/s", "p50 ms", "p99 ms", "errors"
    );
    let mut json = serde_json::Map::new();
    for level in &levels {
        let rps = level.requests as f64 / level.seconds;
        println!(
            "{:>8} {:>12.0} {:>10.3} {:>10.3} {:>8}",
            level.clients, rps, level.p50_ms, level.p99_ms, level.errors
        );
        let c = level.clients;
        json.insert(format!("sandbox_rps_c{c}"), serde_json::json!(rps.round()));
        json.insert(
            format!("sandbox_p50_ms_c{c}"),
            serde_json::json!((level.p50_ms * 1000.0).round() / 1000.0),
        );
        json.insert(
            format!("sandbox_p99_ms_c{c}"),
            serde_json::json!((level.p99_ms * 1000.0).round() / 1000.0),
        );
        json.insert(
            format!("sandbox_errors_c{c}"),
            serde_json::json!(level.errors),
        );
    }
    println!("{}", serde_json::Value::Object(json));
    if let Some(running) = _running {
        server_runtime.block_on(running.stop());
    }
}
